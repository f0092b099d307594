export * from "./client.ts";
export { CorruptBatchError, MAX_DECOMPRESSED_BATCH_BYTES } from "./codecs/index.ts";
export * from "./kafka-bus.ts";
export * from "./reachability.ts";
export * from "./topics-admin.ts";
export * from "./open-bus.ts";
