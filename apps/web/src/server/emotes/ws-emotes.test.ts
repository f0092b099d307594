import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { Context } from "@emote/api";
import { WsEmotes, emoteCallOf, emoteCallsOf, type EmoteSocket } from "./ws-emotes.ts";

const call = (extra: Record<string, unknown> = {}, params: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 7,
    method: "mutation",
    params: { path: "emotes.send", input: { streamerId: "s", emote: "🔥" }, ...params },
    ...extra,
  });

describe("emoteCallOf", () => {
  it("reads exactly one emotes.send mutation, and leaves everything else to tRPC", () => {
    expect(emoteCallOf(call())).toEqual({
      id: 7,
      jsonrpc: undefined,
      input: { streamerId: "s", emote: "🔥" },
    });
    expect(emoteCallOf(call({ jsonrpc: "2.0", id: "x" }))?.id).toBe("x");
    for (const other of [
      `[${call()}]`, // a batch
      call({ method: "query" }),
      call({ method: "subscription" }),
      call({ id: null }),
      call({ jsonrpc: "1.0" }),
      call({}, { path: "emotes.sendx" }),
      call({}, { lastEventId: "1" }),
      '{"id":1,"method":"mutation","params":{"path":"emotes.send"', // malformed
      call({}, { input: { streamerId: "s", emote: "x".repeat(2_000) } }), // too long to be plain
      JSON.stringify({ id: 1, method: "connectionParams", data: { token: "emotes.send" } }),
    ])
      expect(emoteCallOf(other)).toBeUndefined();
  });
});

describe("emoteCallsOf", () => {
  it("reads one emotes.send or a batch of nothing else; a batch with any other call is tRPC's", () => {
    expect(emoteCallsOf(call())?.map((c) => c.id)).toEqual([7]);
    expect(emoteCallsOf(`[${call()},${call({ id: 8 })}]`)?.map((c) => c.id)).toEqual([7, 8]);
    expect(emoteCallsOf(`[${call()},${call({ method: "query" })}]`)).toBeUndefined();
    expect(emoteCallsOf("[]")).toBeUndefined();
    expect(emoteCallsOf(`[${Array.from({ length: 65 }, () => call()).join(",")}]`)).toBeUndefined();
    expect(emoteCallsOf(call({}, { input: { streamerId: "s", emote: "x".repeat(2_000) } }))).toBeUndefined();
  });
});

class FakeSocket extends EventEmitter implements EmoteSocket {
  readyState = 1;
  sent: string[] = [];
  send(data: Buffer) {
    this.sent.push(data.toString());
  }
}

describe("WsEmotes.intercept", () => {
  const ctx = { caller: { kind: "anonymous" }, clientAddress: "a" } as unknown as Context;
  const budget = { admit: () => true };
  const req = {} as IncomingMessage;
  const serving = { accepts: () => true, during: <T>(_socket: object, call: () => Promise<T>) => call() };

  it("answers emotes.send itself and hands tRPC everything else, once each", async () => {
    const socket = new FakeSocket();
    const before = socket.listeners("message");
    const toTrpc: string[] = [];
    socket.on("message", (data: Buffer) => toTrpc.push(data.toString()));
    const emotes = new WsEmotes(() => undefined, serving, false);
    expect(emotes.intercept(socket, req, before, () => ctx, budget)).toBe(true);
    socket.emit("message", Buffer.from(call()), false);
    socket.emit("message", Buffer.from('{"id":2,"method":"query","params":{"path":"stats.x"}}'), false);
    socket.emit("message", Buffer.from("PING"), false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(toTrpc).toEqual(['{"id":2,"method":"query","params":{"path":"stats.x"}}', "PING"]);
    // This context takes no emotes: the procedure's own answer, in tRPC's frame.
    expect(JSON.parse(socket.sent[0] ?? "")).toMatchObject({
      id: 7,
      error: { data: { code: "SERVICE_UNAVAILABLE", path: "emotes.send" } },
    });
  });

  it("hands tRPC an emotes.send that comes before the connection's context exists", () => {
    const socket = new FakeSocket();
    const toTrpc: string[] = [];
    socket.on("message", (data: Buffer) => toTrpc.push(data.toString()));
    new WsEmotes(() => undefined, serving, false).intercept(socket, req, [], () => undefined, budget);
    socket.emit("message", Buffer.from(call()), false);
    expect(toTrpc).toEqual([call()]);
    expect(socket.sent).toEqual([]);
  });

  it("changes nothing when tRPC did not add exactly one listener", () => {
    const socket = new FakeSocket();
    socket.on("message", () => undefined);
    socket.on("message", () => undefined);
    expect(new WsEmotes(() => undefined, serving).intercept(socket, req, [], () => ctx, budget)).toBe(false);
    expect(socket.listenerCount("message")).toBe(2);
  });

  it("takes no emotes.send on a socket a draining gateway told to close, nor hands it to tRPC", async () => {
    const socket = new FakeSocket();
    const toTrpc: string[] = [];
    socket.on("message", (data: Buffer) => toTrpc.push(data.toString()));
    const closing = { ...serving, accepts: () => false };
    new WsEmotes(() => undefined, closing, false).intercept(socket, req, [], () => ctx, budget);
    socket.emit("message", Buffer.from(call()), false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(toTrpc).toEqual([]);
    expect(socket.sent).toEqual([]);
  });
});
