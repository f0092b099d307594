import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryBus } from "@emote/bus/memory";
import { connectDatabase } from "@emote/db";
import { testInfraConfig } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { CLIENT_FAULT_LINES_PER_MINUTE } from "../../src/server/ws/client-faults.ts";
import { runWebServer, type RunningWebServer } from "../../src/server/web-server.ts";
import { testServerOptions } from "./server-options.ts";

// Any client can send a frame over the WebSocket size limit, as often as it may connect:
// each is logged at warn without a stack, and a flood gives a bounded number of lines.
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const conn = connectDatabase(infra.databaseUrl, { max: 2 });
const bus = memoryBus({ partitions: 1, topicPrefix: `it-faults-${runId}.` });
const lines: Record<string, unknown>[] = [];
let server: RunningWebServer;

beforeAll(async () => {
  await bus.ensureTopics();
  await conn.migrate();
  const obs = createObservability(
    "emote-web",
    { LOG_LEVEL: "debug" },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  server = await runWebServer({ bus, conn }, testServerOptions(), obs);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await conn.close();
});

/** Connects, sends one frame of `bytes`, and resolves with the close code the server gave. */
async function oversizedFrame(bytes: number): Promise<number> {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/trpc`);
  try {
    await new Promise<void>((resolve, reject) => ws.once("open", () => resolve()).once("error", reject));
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send("x".repeat(bytes));
    return await closed;
  } finally {
    ws.terminate();
  }
}

describe("a flood of WebSocket frames over the size limit", () => {
  it("is logged at warn, without a stack, in a bounded number of lines", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 3 * CLIENT_FAULT_LINES_PER_MINUTE; i++) codes.push(await oversizedFrame(20 * 1024));
    expect(new Set(codes)).toEqual(new Set([1009]));
    const faults = lines.filter((l) => l.fault === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    expect(faults).toHaveLength(CLIENT_FAULT_LINES_PER_MINUTE);
    expect(
      faults.every((l) => l.level === 40 && l.err === undefined && !JSON.stringify(l).includes("    at ")),
    ).toBe(true);
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  }, 60_000);
});
