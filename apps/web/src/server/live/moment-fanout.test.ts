import { EventEmitter } from "node:events";
import type { Moment } from "@emote/contracts";
import { describe, expect, it } from "vitest";
import { MomentFanout, framePrefix, momentFrameBody, type FanoutSocket } from "./moment-fanout.ts";
import { textFrame } from "../ws/ws-frames.ts";
import { SocketBudget } from "../ws/socket-budget.ts";

class FakeSocket extends EventEmitter implements FanoutSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  buffers: Buffer[] = [];
  terminated = false;
  send(data: Buffer, options: { binary: false }): void {
    expect(options.binary).toBe(false);
    this.buffers.push(data);
    this.sent.push(data.toString("utf8"));
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit("close");
  }
  request(msg: unknown): void {
    this.emit("message", Buffer.from(JSON.stringify(msg)), false);
  }
}

function feed() {
  const listeners = new Set<(m: Moment) => void>();
  return {
    subscribe(l: (m: Moment) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (m: Moment) => listeners.forEach((l) => l(m)),
  };
}

let n = 0;
const moment = (streamerId: string): Moment => ({
  id: `m-${++n}`,
  streamerId,
  emote: "🔥",
  timestamp: "2034-01-01T00:00:00.000Z",
  count: 3,
  total: 4,
  ratio: 0.75,
});

const subscribeMsg = (id: number | string, input: Record<string, unknown> = {}, extra = {}) => ({
  id,
  method: "subscription",
  params: { path: "moments.live", input, ...extra },
});

/** A budget that admits every frame (the budget's own tests are in socket-budget.test.ts). */
const open = { admit: () => true };

describe("moment frames", () => {
  it("are what tRPC's stock adapter sends for a tracked event", () => {
    const m = moment("s");
    // The stock adapter: respond({ id, jsonrpc, result }) with result = { type, data: { id, data }, id }.
    const stock = JSON.parse(
      JSON.stringify({
        id: 7,
        jsonrpc: undefined,
        result: { type: "data", id: m.id, data: { id: m.id, data: m } },
      }),
    ) as unknown;
    expect(JSON.parse(framePrefix(7) + momentFrameBody(m))).toEqual(stock);
    expect(JSON.parse(framePrefix('a"b', "2.0") + momentFrameBody(m))).toEqual({
      id: 'a"b',
      jsonrpc: "2.0",
      result: { type: "data", id: m.id, data: { id: m.id, data: m } },
    });
  });
});

describe("textFrame", () => {
  it("builds unmasked text frames with 7-, 16- and 64-bit lengths", () => {
    for (const [n, header] of [
      [5, [0x81, 5]],
      [300, [0x81, 126, 1, 44]],
      [70_000, [0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]],
    ] as const) {
      const payload = Buffer.alloc(n, "x");
      const frame = textFrame(payload);
      expect([...frame.subarray(0, header.length)]).toEqual(header);
      expect(frame.subarray(header.length).equals(payload)).toBe(true);
    }
  });
});

describe("MomentFanout", () => {
  it("writes one pre-built frame to every idle ws socket, falls back to send otherwise", () => {
    const f = feed();
    const fanout = new MomentFanout(f);
    const writes: Buffer[][] = [[], []];
    const sockets = writes.map((w, i) =>
      Object.assign(new FakeSocket(), {
        _socket: { destroyed: false, write: (b: Buffer) => w.push(b) },
        _sender: { _state: i === 0 ? 0 : 1, _queue: [] }, // the second is busy (e.g. deflating)
      }),
    );
    for (const s of sockets) {
      const direct = fanout.watch(s, open);
      s.request(subscribeMsg(4));
      direct.attach({
        streamerId: undefined,
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal: new AbortController().signal,
      });
    }
    const m = moment("r");
    f.emit(m);
    expect(writes[0]).toHaveLength(1);
    expect(writes[0]?.[0]?.equals(textFrame(Buffer.from(framePrefix(4) + momentFrameBody(m))))).toBe(true);
    expect(writes[1]).toHaveLength(0);
    expect(sockets[1]?.sent).toEqual([framePrefix(4) + momentFrameBody(m)]);
    expect(fanout.stats().framesSent).toBe(2);
  });

  it("delivers the same frames through send to a socket lacking the ws internals, or when they are off", () => {
    const m = moment("r");
    const payload = framePrefix(4) + momentFrameBody(m);
    const subscribe = (fanout: MomentFanout, socket: FakeSocket) => {
      const direct = fanout.watch(socket, open);
      socket.request(subscribeMsg(4));
      direct.attach({
        streamerId: undefined,
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal: new AbortController().signal,
      });
    };
    const withInternals = () => {
      const written: Buffer[] = [];
      const socket = Object.assign(new FakeSocket(), {
        _socket: { destroyed: false, write: (b: Buffer) => written.push(b) },
        _sender: { _state: 0, _queue: [] },
      });
      return { socket, written };
    };
    // Raw writes on: one socket with the internals, one without (a ws whose internals changed).
    const f = feed();
    const raw = withInternals();
    const lacking = new FakeSocket();
    const fanout = new MomentFanout(f);
    subscribe(fanout, raw.socket);
    subscribe(fanout, lacking);
    // Raw writes off (the start-up check failed): a socket that has them gets send too.
    const g = feed();
    const off = withInternals();
    const offFanout = new MomentFanout(g, false);
    subscribe(offFanout, off.socket);
    f.emit(m);
    g.emit(m);

    expect(raw.written).toEqual([textFrame(Buffer.from(payload))]);
    expect(lacking.sent).toEqual([payload]);
    expect(off.written).toEqual([]);
    expect(off.socket.sent).toEqual([payload]);
    // ws frames what send gets as a text frame: the same bytes on the wire as the raw write.
    for (const sent of [...lacking.buffers, ...off.socket.buffers]) {
      expect(textFrame(sent).equals(raw.written[0]!)).toBe(true);
    }
    expect(fanout.stats().framesSent).toBe(2);
    expect(offFanout.stats().framesSent).toBe(1);
  });

  it("frames each moment for the op id of each matching subscription", () => {
    const f = feed();
    const fanout = new MomentFanout(f);
    const socket = new FakeSocket();
    const direct = fanout.watch(socket, open);
    socket.request([subscribeMsg(1, { streamerId: "a" }), subscribeMsg(2, {})]);
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    expect(
      direct.attach({
        streamerId: "a",
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal: ac1.signal,
      }),
    ).toBe(true);
    expect(
      direct.attach({
        streamerId: undefined,
        lastEventId: null,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal: ac2.signal,
      }),
    ).toBe(true);
    const ma = moment("a");
    const mb = moment("b");
    f.emit(ma);
    f.emit(mb);
    const frames = socket.sent.map((s) => JSON.parse(s) as { id: number; result: { id: string } });
    expect(frames.map((fr) => [fr.id, fr.result.id])).toEqual([
      [1, ma.id],
      [2, ma.id],
      [2, mb.id],
    ]);
    expect(fanout.stats()).toEqual({ subscriptions: 2, framesSent: 3 });
    // Same op id on two sockets: one encoded frame shared.
    const other = new FakeSocket();
    const otherDirect = fanout.watch(other, open);
    other.request(subscribeMsg(2));
    otherDirect.attach({
      streamerId: undefined,
      lastEventId: undefined,
      kinds: ["threshold"],
      after: 0,
      pending: [],
      signal: new AbortController().signal,
    });
    const shared = moment("c");
    f.emit(shared);
    expect(other.buffers.at(-1)).toBe(socket.buffers.at(-1));
    expect(socket.sent).toHaveLength(4);
    ac1.abort();
    f.emit(moment("a"));
    expect(socket.sent).toHaveLength(5);
    expect(fanout.stats().subscriptions).toBe(2);
  });

  it("matches requests by input, takes lastEventId from params, sends pending moments first", () => {
    const f = feed();
    const fanout = new MomentFanout(f);
    const socket = new FakeSocket();
    const direct = fanout.watch(socket, open);
    socket.request(subscribeMsg(5, { streamerId: "x" }, { lastEventId: "m-0" }));
    socket.request(subscribeMsg(6, { streamerId: "y" }));
    const signal = new AbortController().signal;
    // No request noted with this input: the procedure keeps the stock path.
    expect(
      direct.attach({
        streamerId: "z",
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal,
      }),
    ).toBe(false);
    const pending = moment("y");
    expect(
      direct.attach({
        streamerId: "y",
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [pending],
        signal,
      }),
    ).toBe(true);
    expect(
      direct.attach({
        streamerId: "x",
        lastEventId: "m-0",
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal,
      }),
    ).toBe(true);
    expect(JSON.parse(socket.sent[0] as string)).toMatchObject({ id: 6, result: { id: pending.id } });
  });

  it("sends each subscription only the kinds it asked for: the seed's rule when it named none", () => {
    const f = feed();
    const fanout = new MomentFanout(f);
    const socket = new FakeSocket();
    const direct = fanout.watch(socket, open);
    socket.request([
      subscribeMsg(1, { streamerId: "k" }),
      subscribeMsg(2, { streamerId: "k", kinds: ["surge"] }),
      subscribeMsg(3, { streamerId: "k", kinds: ["surge", "threshold"] }),
    ]);
    const signal = new AbortController().signal;
    const attach = (kinds: ("threshold" | "surge")[]) =>
      direct.attach({ streamerId: "k", lastEventId: undefined, kinds, after: 0, pending: [], signal });
    // Another order of the same kinds is the same request.
    expect(attach(["threshold", "surge"])).toBe(true);
    expect(attach(["surge"])).toBe(true);
    expect(attach(["threshold"])).toBe(true);
    const rule = moment("k");
    const surge: Moment = {
      ...moment("k"),
      kind: "surge",
      surge: {
        startedAt: "2034-01-01T00:00:05.000Z",
        detectedAt: "2034-01-01T00:00:07.000Z",
        peakRate: 4,
        baselineRate: 0.5,
        score: 6,
        viewers: 9,
      },
    };
    f.emit(rule);
    f.emit(surge);
    f.emit({ ...rule, id: "explicit", kind: "threshold" });
    const frames = socket.sent.map((s) => JSON.parse(s) as { id: number; result: { id: string } });
    expect(frames.map((fr) => [fr.id, fr.result.id])).toEqual([
      [3, rule.id],
      [1, rule.id],
      [3, surge.id],
      [2, surge.id],
      [3, "explicit"],
      [1, "explicit"],
    ]);
  });

  it("forgets a request stopped before it attached", () => {
    const fanout = new MomentFanout(feed());
    const socket = new FakeSocket();
    const direct = fanout.watch(socket, open);
    socket.request(subscribeMsg(1));
    socket.request({ id: 1, method: "subscription.stop" });
    const signal = new AbortController().signal;
    expect(
      direct.attach({
        streamerId: undefined,
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal,
      }),
    ).toBe(false);
  });

  it("asks the socket's budget before every frame and writes none it refuses", () => {
    const f = feed();
    const fanout = new MomentFanout(f);
    const counters = { framesDropped: 0, disconnects: 0 };
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    for (const s of [slow, fast]) {
      const direct = fanout.watch(s, new SocketBudget(s, { bufferBytes: 1_000, lagMs: 60_000 }, counters));
      s.request(subscribeMsg(1));
      direct.attach({
        streamerId: undefined,
        lastEventId: undefined,
        kinds: ["threshold"],
        after: 0,
        pending: [],
        signal: new AbortController().signal,
      });
    }
    f.emit(moment("a"));
    slow.bufferedAmount = 900; // the next frame would take it over its budget
    f.emit(moment("a"));
    // Back under the budget, it still gets nothing: no gap before the client's last event id.
    slow.bufferedAmount = 0;
    f.emit(moment("a"));
    expect(slow.sent).toHaveLength(1);
    expect(fast.sent).toHaveLength(3);
    expect(fanout.stats()).toMatchObject({ framesSent: 4 });
    expect(counters).toEqual({ framesDropped: 2, disconnects: 0 });
  });
});
