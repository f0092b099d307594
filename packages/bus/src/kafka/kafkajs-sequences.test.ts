import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// kafkajs's own send path with a broker stand-in that checks idempotent sequence numbers as
// Kafka does. The patch (tooling/patches) keeps the numbers of partitions a failed request did
// append and resends a batch whose answer was lost before any other batch of its partition, so
// a send that comes between the failure and its retry never gets OUT_OF_ORDER_SEQUENCE_NUMBER.
const require = createRequire(import.meta.url);

interface Message {
  key: string;
  value: string;
}
interface PartitionData {
  partition: number | string;
  firstSequence: number;
  messages: Message[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
interface PartitionOutcome {
  partition: number;
  errorCode: number;
  baseOffset: string;
  logAppendTime: string;
  logStartOffset: string;
}
interface ProduceResponse {
  topics: { topicName: string; partitions: PartitionOutcome[] }[];
  throttleTime: number;
}
type Send = (args: {
  acks: number;
  timeout: number;
  topicMessages: { topic: string; messages: Message[] }[];
}) => Promise<unknown>;
type CreateSendMessages = (deps: Record<string, unknown>) => Send;

const createSendMessages = require("kafkajs/src/producer/sendMessages.js") as CreateSendMessages;
const createRetry = require("kafkajs/src/retry/index.js") as (opts: Record<string, number>) => unknown;
const { KafkaJSConnectionError } = require("kafkajs/src/errors.js") as {
  KafkaJSConnectionError: new (message: string) => Error;
};
const { parse } = require("kafkajs/src/protocol/requests/produce/v3/response.js") as {
  parse(data: ProduceResponse): Promise<ProduceResponse>;
};

const TOPIC = "t";
const NOT_LEADER_FOR_PARTITION = 6;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

/**
 * How the first produce request fails: refused for partition 1 (the others appended), before or
 * after partition 1 was appended (a leader losing its leadership while it waits for acks=all
 * answers NOT_LEADER_FOR_PARTITION for a batch it has appended), or no answer at all (a broker
 * stopping, a connection lost) after everything was appended or before anything was.
 */
type FirstFailure = "refused-for-one" | "refused-after-append" | "lost-after-append" | "lost-before-append";

/** One broker leading both partitions of TOPIC; its first request fails as `first` says. */
function brokerStandIn(first: FirstFailure) {
  const logs = new Map<number, { firstSequence: number; messages: Message[] }[]>();
  let requests = 0;
  const outcome = (p: PartitionData): number => {
    const partition = Number(p.partition);
    if (requests === 1 && first === "refused-for-one" && partition === 1) return NOT_LEADER_FOR_PARTITION;
    const log = logs.get(partition) ?? [];
    logs.set(partition, log);
    const next = log.reduce((n, b) => n + b.messages.length, 0);
    if (p.firstSequence === next) {
      log.push({ firstSequence: p.firstSequence, messages: p.messages });
      if (requests === 1 && first === "refused-after-append" && partition === 1)
        return NOT_LEADER_FOR_PARTITION;
      return 0;
    }
    // Kafka answers a retried batch it already has as a success.
    const duplicate = log.some(
      (b) => b.firstSequence === p.firstSequence && b.messages.length === p.messages.length,
    );
    return duplicate ? 0 : OUT_OF_ORDER_SEQUENCE_NUMBER;
  };
  return {
    nodeId: 1,
    logs,
    async produce({ topicData }: { topicData: TopicData[] }): Promise<ProduceResponse> {
      requests++;
      if (requests === 1 && first === "lost-before-append") throw new KafkaJSConnectionError("lost");
      const topics = topicData.map(({ topic, partitions }) => ({
        topicName: topic,
        partitions: partitions.map((p) => ({
          partition: Number(p.partition),
          errorCode: outcome(p),
          baseOffset: "0",
          logAppendTime: "-1",
          logStartOffset: "0",
        })),
      }));
      if (requests === 1 && first === "lost-after-append") throw new KafkaJSConnectionError("lost");
      return parse({ topics, throttleTime: 0 });
    },
  };
}

/** An idempotent producer's sequence numbers and broker lock, as kafkajs's eosManager keeps them. */
function sequences(onRelease: () => void) {
  const next = new Map<string, number>();
  // Released in the order acquired: the oldest holder's release lets the next in.
  let tail: Promise<void> = Promise.resolve();
  const releases: (() => void)[] = [];
  return {
    isInitialized: () => true,
    isTransactional: () => false,
    getProducerId: () => 1000,
    getProducerEpoch: () => 0,
    getSequence: (topic: string, partition: number | string) => next.get(`${topic}|${partition}`) ?? 0,
    updateSequence(topic: string, partition: number | string, increment: number) {
      const key = `${topic}|${partition}`;
      next.set(key, (next.get(key) ?? 0) + increment);
    },
    async acquireBrokerLock() {
      const held = tail;
      tail = new Promise((resolve) => releases.push(resolve));
      await held;
    },
    releaseBrokerLock() {
      releases.shift()?.();
      onRelease();
    },
  };
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("kafkajs's idempotent send (patched)", () => {
  it.each<FirstFailure>([
    "refused-for-one",
    "refused-after-append",
    "lost-after-append",
    "lost-before-append",
  ])("a send between a failed request (%s) and its retry: both written once, in order", async (failure) => {
    const broker = brokerStandIn(failure);
    let firstAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
    const cluster = {
      targetTopics: new Set<string>(),
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => undefined,
      addMultipleTargetTopics: async () => undefined,
      isConnected: () => true,
      findTopicPartitionMetadata: () => [
        { partitionId: 0, leader: 1 },
        { partitionId: 1, leader: 1 },
      ],
      findLeaderForPartitions: (_topic: string, partitions: string[]) => ({ 1: partitions }),
      findBroker: async () => broker,
    };
    const send = createSendMessages({
      logger: quiet,
      cluster,
      // The message's key is its partition.
      partitioner: ({ message }: { message: Message }) => Number(message.key),
      eosManager: sequences(() => firstAnswered()),
      // The retry waits long enough for the next send to come first, as a concurrent send did in the failover test.
      retrier: createRetry({
        initialRetryTime: 200,
        maxRetryTime: 200,
        factor: 0,
        multiplier: 1,
        retries: 3,
      }),
    });
    const m = (key: string, value: string): Message => ({ key, value });

    const first = send({
      acks: -1,
      timeout: 1_000,
      topicMessages: [
        { topic: TOPIC, messages: [m("0", "a"), m("0", "b"), m("1", "c"), m("0", "d"), m("1", "e")] },
      ],
    });
    await answered;
    const second = send({
      acks: -1,
      timeout: 1_000,
      topicMessages: [{ topic: TOPIC, messages: [m("0", "f"), m("1", "g")] }],
    });

    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
    const values = (partition: number) =>
      broker.logs.get(partition)?.flatMap((b) => b.messages.map((x) => x.value));
    expect(values(0)).toEqual(["a", "b", "d", "f"]);
    expect(values(1)).toEqual(["c", "e", "g"]);
    expect(broker.logs.get(0)?.map((b) => b.firstSequence)).toEqual([0, 3]);
    expect(broker.logs.get(1)?.map((b) => b.firstSequence)).toEqual([0, 2]);
  });
});
