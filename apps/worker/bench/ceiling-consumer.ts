/**
 * The ceiling for this client: a bare kafkajs eachBatch loop that only counts messages
 * and commits. Run as its own process by bench/pipeline.ts.
 */
import { Kafka, logLevel } from "kafkajs";

const [brokers, topic, groupId] = process.argv.slice(2) as [string, string, string];
const kafka = new Kafka({ brokers: brokers.split(","), clientId: "bench-ceiling", logLevel: logLevel.ERROR });
const consumer = kafka.consumer({
  groupId,
  maxWaitTimeInMs: 100,
  maxBytesPerPartition: 4 * 1024 * 1024,
  maxBytes: 32 * 1024 * 1024,
});
let count = 0;
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachBatchAutoResolve: false,
  autoCommitThreshold: 1,
  partitionsConsumedConcurrently: 3,
  eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
    count += batch.messages.length;
    const last = batch.messages.at(-1);
    if (last) resolveOffset(last.offset);
    await commitOffsetsIfNecessary();
  },
});
process.on("SIGTERM", () => {
  void consumer.disconnect().then(() => {
    console.log(JSON.stringify({ count }));
    process.exit(0);
  });
});
