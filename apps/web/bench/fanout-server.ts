/**
 * Server process of bench:fanout (started by fanout.ts, one per step). BENCH_SERVER picks
 * what runs on 127.0.0.1 (random port); prints `READY <port>` once it consumes the topic:
 * - direct: the real web server (startWebServer) with its moments.live fan-out;
 * - stock:  the real web server with tRPC's stock applyWSSHandler path only;
 * - plain:  the original design: one ws WebSocketServer, each moment JSON.stringify'd
 *           once and sent to every client (no tRPC, no filters, no backpressure).
 * Environment as the web server's (KAFKA_*, DATABASE_URL), set by fanout.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DEV_AUTH_SECRET, kafkaBrokers } from "@emote/config";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import { aggregatedMessageSchema } from "@emote/contracts";
import { WebSocketServer } from "ws";
import { readWebEnv } from "../src/server/env.ts";

const mode = process.env.BENCH_SERVER;
// Thousands of connections from one address: no connection rate limit here.
const env = readWebEnv({
  AUTH_SECRET: DEV_AUTH_SECRET,
  ...process.env,
  PORT: "0",
  HOST: "127.0.0.1",
  RATE_LIMIT_CONNECTIONS_PER_MINUTE: "0",
});

if (mode === "direct" || mode === "stock") {
  // Loaded only here, so the plain baseline does not carry the web server's modules.
  const { startWebServer } = await import("../src/server/web-server.ts");
  const { createObservability } = await import("@emote/observability");
  // Warnings only: stdout also carries the READY/STATS lines fanout.ts looks for.
  const obs = createObservability("emote-web-bench", { LOG_LEVEL: "warn", LOG_FORMAT: "json" });
  const server = await startWebServer(env, obs, { fanout: mode });
  console.log(`READY ${server.port}`);
  process.stdin.on("data", () => console.log(`STATS ${JSON.stringify(server.fanoutStats() ?? null)}`));
} else if (mode === "plain") {
  const bus = kafkaBus(createKafka({ brokers: kafkaBrokers(env), clientId: "bench-plain" }), {
    partitions: env.KAFKA_PARTITIONS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  const http = createServer();
  const wss = new WebSocketServer({ server: http, maxPayload: 16 * 1024, perMessageDeflate: false });
  const consumer = await bus.consumer({
    groupId: `bench-plain-${randomUUID()}`,
    topics: [bus.topics.aggregated],
    fromBeginning: false,
    concurrency: 1,
  });
  const joined = new Promise<void>((resolve) => consumer.onRebalance(resolve));
  await consumer.run(async (batch, control) => {
    for (const record of batch.records) {
      const moments = aggregatedMessageSchema.safeParse(JSON.parse(String(record.value)));
      if (!moments.success) continue;
      for (const m of moments.data) {
        const data = JSON.stringify(m);
        for (const client of wss.clients) if (client.readyState === 1) client.send(data);
      }
    }
    const last = batch.records.at(-1);
    if (last) await control.commit(last.offset);
  });
  await joined;
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  console.log(`READY ${(http.address() as AddressInfo).port}`);
  process.stdin.on("data", () => console.log("STATS null"));
} else {
  console.error("BENCH_SERVER must be direct, stock or plain");
  process.exit(2);
}
