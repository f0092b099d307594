import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_EMOTES } from "@emote/contracts";
import {
  EmoteRefusedError,
  RateLimitedError,
  type CallLimiter,
  type Caller,
  type EmoteIngest,
  type EmoteToSend,
} from "../../src/index.ts";
import { conn, createCaller, errorOf, noLive } from "./router-harness.ts";

/**
 * An ingest that records what it is given; the streamer "picky" allows only 🔥, "nobody"
 * and "ghost" do not exist.
 */
function recordingIngest(refuse?: EmoteRefusedError) {
  const sent: EmoteToSend[] = [];
  const ingest: EmoteIngest = {
    allowedEmotes: (streamerId) =>
      streamerId === "nobody" || streamerId === "ghost"
        ? null
        : streamerId === "picky"
          ? ["🔥"]
          : DEFAULT_EMOTES,
    async send(emote) {
      if (refuse) throw refuse;
      sent.push(emote);
      return { id: `id-${sent.length}`, timestamp: new Date().toISOString() };
    },
  };
  return { ingest, sent };
}

/** `max` calls per key, then RateLimitedError: enough to see whom the limit counts. */
function countingLimiter(max: number): CallLimiter & { keys: string[] } {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    keys,
    async take(key) {
      keys.push(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > max) throw new RateLimitedError(1_000);
    },
  };
}

const anonymous: Caller = { kind: "anonymous", role: "viewer" };
const token = (sub: string): Caller => ({
  kind: "token",
  role: "viewer",
  sub,
  expiresAt: Date.now() + 3_600_000,
});

function caller(
  who: Caller,
  opts: { ingest?: EmoteIngest; emotes?: CallLimiter; mutations?: CallLimiter; address?: string } = {},
) {
  return createCaller({
    db: conn.db,
    caller: who,
    live: noLive,
    requestId: "test",
    clientAddress: opts.address ?? "203.0.113.7",
    limits: {
      ...(opts.emotes && { emotes: opts.emotes }),
      ...(opts.mutations && { mutations: opts.mutations }),
    },
    ...(opts.ingest && { emotes: opts.ingest }),
  });
}

describe("emotes.send", () => {
  it("sends an allowed emote with the viewer's limit key and answers its id and server timestamp", async () => {
    const { ingest, sent } = recordingIngest();
    const before = Date.now();
    const answer = await caller(token("alice"), { ingest }).emotes.send({ streamerId: "s1", emote: "🔥" });
    expect(answer.id).toBe("id-1");
    expect(Date.parse(answer.timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(sent).toEqual([{ streamerId: "s1", emote: "🔥", viewerKey: "sub:viewer:alice" }]);
  });

  it("refuses an emote the streamer does not allow with BAD_REQUEST naming emote", async () => {
    const { ingest, sent } = recordingIngest();
    const err = await errorOf(
      caller(anonymous, { ingest }).emotes.send({ streamerId: "picky", emote: "😀" }),
    );
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe("emote: not one of the emotes streamer picky allows (🔥)");
    expect(sent).toEqual([]);
  });

  it.each(["nobody", "ghost"])(
    "refuses a streamer that does not exist (%s) with NOT_FOUND",
    async (streamerId) => {
      const { ingest, sent } = recordingIngest();
      const err = await errorOf(caller(anonymous, { ingest }).emotes.send({ streamerId, emote: "🔥" }));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toBe(
        `streamerId: there is no streamer "${streamerId}" (an admin, or the streamer's own token, creates it with streamers.create)`,
      );
      expect(sent).toEqual([]);
    },
  );

  it.each([
    ["no spaces", "🔥", "streamerId"],
    ["x".repeat(65), "🔥", "streamerId"],
    ["..", "🔥", "streamerId"],
    ["s1", "", "emote"],
    ["s1", "🔥".repeat(40), "emote"],
    ["s1", "🔥🔥", "emote"],
    ["s1", "hello", "emote"],
    ["s1", " ", "emote"],
    ["s1", "\u202e", "emote"],
  ])("refuses streamer %j / emote %j with BAD_REQUEST naming %s", async (streamerId, emote, field) => {
    const { ingest, sent } = recordingIngest();
    const err = await errorOf(caller(anonymous, { ingest }).emotes.send({ streamerId, emote }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toContain(field);
    expect(sent).toEqual([]);
  });

  it("accepts no timestamp (nor id, nor viewer) from the client", async () => {
    const { ingest, sent } = recordingIngest();
    for (const extra of [{ timestamp: "2020-01-01T00:00:00.000Z" }, { id: "mine" }, { viewer: "someone" }]) {
      const input = { streamerId: "s1", emote: "🔥", ...extra };
      // The typed input has no such field: a hostile client sends it anyway.
      const err = await errorOf(caller(anonymous, { ingest }).emotes.send(input));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toContain(Object.keys(extra)[0]);
    }
    expect(sent).toEqual([]);
  });

  it("limits each token sub on its own, whatever address it comes from", async () => {
    const { ingest, sent } = recordingIngest();
    const emotes = countingLimiter(2);
    const send = (sub: string, address: string) =>
      caller(token(sub), { ingest, emotes, address }).emotes.send({ streamerId: "s1", emote: "🔥" });
    await send("alice", "198.51.100.1");
    await send("alice", "198.51.100.2");
    const err = await errorOf(send("alice", "198.51.100.3"));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.message).toBe("too many emotes from this viewer: retry in 1 s");
    expect(err.cause).toBeInstanceOf(RateLimitedError);
    await send("bob", "198.51.100.3");
    expect(sent.map((s) => s.viewerKey)).toEqual(["sub:viewer:alice", "sub:viewer:alice", "sub:viewer:bob"]);
  });

  it("limits anonymous viewers per client address", async () => {
    const { ingest } = recordingIngest();
    const emotes = countingLimiter(1);
    const send = (address: string) =>
      caller(anonymous, { ingest, emotes, address }).emotes.send({ streamerId: "s1", emote: "🔥" });
    await send("198.51.100.1");
    expect((await errorOf(send("198.51.100.1"))).code).toBe("TOO_MANY_REQUESTS");
    await send("198.51.100.2");
    expect(emotes.keys).toEqual(["addr:198.51.100.1", "addr:198.51.100.1", "addr:198.51.100.2"]);
  });

  it("does not use up the mutation limit", async () => {
    const { ingest } = recordingIngest();
    const mutations = countingLimiter(0);
    await caller(token("carol"), { ingest, mutations }).emotes.send({ streamerId: "s1", emote: "🔥" });
    expect(mutations.keys).toEqual([]);
  });

  it.each([
    ["streamer_cap", "TOO_MANY_REQUESTS"],
    ["overloaded", "SERVICE_UNAVAILABLE"],
    ["queue_full", "SERVICE_UNAVAILABLE"],
    ["unavailable", "SERVICE_UNAVAILABLE"],
  ] as const)("answers an ingest refusal %s with %s and a retry-after", async (reason, code) => {
    const { ingest } = recordingIngest(new EmoteRefusedError(reason, `refused: ${reason}`, 2_500));
    const err = await errorOf(caller(anonymous, { ingest }).emotes.send({ streamerId: "s1", emote: "🔥" }));
    expect(err.code).toBe(code);
    expect(err.message).toBe(`refused: ${reason}`);
    expect((err.cause as RateLimitedError).retryAfterSeconds).toBe(3);
  });

  it("answers SERVICE_UNAVAILABLE on a server that takes no emotes", async () => {
    const err = await errorOf(
      caller(anonymous).emotes.send({ streamerId: `s-${randomUUID().slice(0, 6)}`, emote: "🔥" }),
    );
    expect(err.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("refuses a caller whose token failed", async () => {
    const { ingest, sent } = recordingIngest();
    const err = await errorOf(
      caller({ kind: "invalid", reason: "token is not valid" }, { ingest }).emotes.send({
        streamerId: "s1",
        emote: "🔥",
      }),
    );
    expect(err.code).toBe("UNAUTHORIZED");
    expect(sent).toEqual([]);
  });
});
