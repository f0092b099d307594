import kafkajs from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { createKafka } from "@emote/bus/kafka";
import { startWorker, type StartedWorker } from "../../src/worker.ts";
import { busFor, infra, isolatedEnv, testObservability, waitFor } from "../harness.ts";

const running: StartedWorker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

// A record batch the broker accepts (it bounds the compressed size) but no consumer can
// decode within bounded memory. kafkajs decodes a fetch before any record reaches the
// worker, so no per-record dead letter is possible: the worker must stop with a clear error.
describe("a compressed batch that decodes beyond the consumer's limit", () => {
  it("stops the worker with one error naming the codec and the limit, and fails /readyz", async () => {
    const env = isolatedEnv({ KAFKA_PARTITIONS: "1" });
    const bus = busFor(env);
    await bus.ensureTopics();
    const kafka = createKafka({ brokers: infra.brokers, clientId: "corrupt-batch-it" });
    const producer = kafka.producer();
    await producer.connect();
    // 70 records of 1 MiB of zeros: 70 MiB in one gzip batch of about 70 KiB.
    await producer.send({
      topic: bus.topics.raw,
      acks: -1,
      compression: kafkajs.CompressionTypes.GZIP,
      messages: Array.from({ length: 70 }, () => ({ key: "bomb", value: Buffer.alloc(1 << 20) })),
    });
    await producer.disconnect();

    const worker = await startWorker(env, testObservability());
    running.push(worker);
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      worker.stopped,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 90_000))),
    ]);
    clearTimeout(timer);
    expect(stopped?.message).toBe(
      "a gzip record batch could not be decompressed: the gzip data exceeds 67108864 bytes",
    );
    await waitFor(
      "/readyz to fail",
      async () => (await fetch(`${worker.probes.url}/readyz`)).status === 503,
      30_000,
    );
    expect((await worker.metrics.totals()).consumed).toBe(0);
  });
});
