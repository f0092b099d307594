import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { plainEmoteInput } from "./http-emotes.ts";

const request = (over: { method?: string; url?: string; headers?: Record<string, string> } = {}) =>
  ({
    method: over.method ?? "POST",
    url: over.url ?? "/trpc/emotes.send",
    headers: over.headers ?? { "content-type": "application/json" },
  }) as unknown as IncomingMessage;
const body = '{"streamerId":"s","emote":"🔥"}';

describe("plainEmoteInput", () => {
  it("takes a plain JSON POST of emotes.send, and leaves the rest to tRPC", () => {
    expect(plainEmoteInput(request(), body)).toEqual({ input: { streamerId: "s", emote: "🔥" } });
    expect(
      plainEmoteInput(request({ headers: { "content-type": "application/json; charset=utf-8" } }), body),
    ).toBeDefined();
    for (const other of [
      request({ url: "/trpc/emotes.send?batch=1" }),
      request({ url: "/trpc/emotes.send,emotes.send" }),
      request({ method: "GET" }),
      request({ headers: { "content-type": "text/plain" } }),
      request({ headers: {} }),
      request({ headers: { "content-type": "application/json", "trpc-accept": "application/jsonl" } }),
      request({ headers: { "content-type": "application/json", accept: "application/jsonl" } }),
    ])
      expect(plainEmoteInput(other, body)).toBeUndefined();
    expect(plainEmoteInput(request(), "")).toBeUndefined();
    expect(plainEmoteInput(request(), "{not json")).toBeUndefined();
  });
});
