import { withDeadline } from "@emote/lifecycle";
import { Kafka, logLevel } from "kafkajs";

export class KafkaUnavailableError extends Error {
  override name = "KafkaUnavailableError";
}

/**
 * Asks the cluster for its metadata within `timeoutMs`. On failure throws an error that
 * says what to do instead of kafkajs's retry stack.
 */
export async function assertKafkaReachable(
  brokers: string[],
  timeoutMs = 10_000,
): Promise<{ brokers: number }> {
  const kafka = new Kafka({
    brokers,
    clientId: "emote-reachability",
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3_000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  try {
    const cluster = await withDeadline(
      admin.connect().then(() => admin.describeCluster()),
      timeoutMs,
      `no answer within ${timeoutMs} ms`,
    );
    return { brokers: cluster.brokers.length };
  } catch (err) {
    throw new KafkaUnavailableError(
      `Kafka is not answering at ${brokers.join(",")} (${(err as Error).message}). ` +
        "Start the local broker with `npm run infra:up`, or set KAFKA_BROKERS to a reachable cluster.",
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
