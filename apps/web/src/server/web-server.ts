import { fileURLToPath } from "node:url";
import { kafkaBrokers } from "@emote/config";
import { assertKafkaReachable, createKafka, kafkaBus } from "@emote/bus/kafka";
import { connectDatabase, migrateDatabase } from "@emote/db";
import type { WebEnv } from "./env.ts";
import { createWebServer, listen } from "./http-server.ts";
import { consumeLiveFeeds } from "./kafka-feeds.ts";
import { LiveHub } from "./live-hub.ts";
import { attachWebSockets } from "./ws-server.ts";

export interface RunningWebServer {
  url: string;
  port: number;
  hub: LiveHub;
  /** Stops accepting, tells WebSocket clients to reconnect elsewhere, closes Kafka and the database. */
  close(): Promise<void>;
}

const DEFAULT_STATIC_DIR = fileURLToPath(new URL("../../dist", import.meta.url));

/** Wires PostgreSQL, the Kafka live feeds, HTTP and WebSocket on one port, and starts listening. */
export async function startWebServer(env: WebEnv, log: (line: string) => void): Promise<RunningWebServer> {
  const brokers = kafkaBrokers(env);
  await assertKafkaReachable(brokers);
  await migrateDatabase(env.DATABASE_URL);
  const conn = connectDatabase(env.DATABASE_URL);
  const bus = kafkaBus(createKafka({ brokers, clientId: "emote-web" }), {
    partitions: env.KAFKA_PARTITIONS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  await bus.ensureTopics();
  const hub = new LiveHub();
  const consumer = await consumeLiveFeeds(bus, hub, log);

  const deps = { db: conn.db, authSecret: env.AUTH_SECRET, live: hub.sources };
  const server = createWebServer({ ...deps, staticRoot: env.WEB_STATIC_DIR ?? DEFAULT_STATIC_DIR });
  const ws = attachWebSockets(server, { ...deps, allowedOrigins: env.ALLOWED_ORIGINS });
  const address = await listen(server, env.PORT, env.HOST);
  const url = `http://${address.address}:${address.port}`;

  return {
    url,
    port: address.port,
    hub,
    async close() {
      ws.broadcastReconnectNotification();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of ws.wss.clients) client.terminate();
        server.closeAllConnections();
      });
      ws.wss.close();
      await consumer.disconnect();
      await conn.close();
    },
  };
}
