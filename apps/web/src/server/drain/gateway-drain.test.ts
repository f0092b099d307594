import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { GatewayDrain, SERVICE_RESTART } from "./gateway-drain.ts";

/** A socket that records its close and, like ws, emits 'close' once the peer answered. */
class FakeSocket extends EventEmitter {
  closedWith: { code: number; reason: string } | undefined;
  constructor(private readonly peerAnswers = true) {
    super();
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    if (this.peerAnswers) queueMicrotask(() => this.emit("close"));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("GatewayDrain", () => {
  it("goes from serving to drained, with no socket at once", async () => {
    const drain = new GatewayDrain();
    expect(drain.phase).toBe("serving");
    expect(await drain.drain(1_000)).toBe(0);
    expect(drain.phase).toBe("drained");
  });

  it("closes idle sockets at once with 1012 and waits for them to close", async () => {
    const drain = new GatewayDrain();
    const a = new FakeSocket();
    const b = new FakeSocket();
    drain.opened(a);
    drain.opened(b);
    expect(await drain.drain(1_000)).toBe(0);
    expect(a.closedWith).toEqual(SERVICE_RESTART);
    expect(b.closedWith).toEqual({ code: 1012, reason: "service restart: reconnect" });
  });

  it("closes a socket with a call in flight only after that call is answered", async () => {
    const drain = new GatewayDrain();
    const socket = new FakeSocket();
    drain.opened(socket);
    const kafka = deferred();
    const events: string[] = [];
    const call = drain.during(socket, async () => {
      await kafka.promise;
      events.push("answered");
    });
    const drained = drain.drain(1_000).then((left) => events.push(`drained ${left}`));
    await Promise.resolve();
    expect(socket.closedWith).toBeUndefined();
    expect(drain.accepts(socket)).toBe(true);
    kafka.resolve();
    await call;
    expect(socket.closedWith).toEqual(SERVICE_RESTART);
    await drained;
    expect(events).toEqual(["answered", "drained 0"]);
  });

  it("waits for every call of a socket, not just the first", async () => {
    const drain = new GatewayDrain();
    const socket = new FakeSocket();
    drain.opened(socket);
    const first = deferred();
    const second = deferred();
    const calls = [drain.during(socket, () => first.promise), drain.during(socket, () => second.promise)];
    const drained = drain.drain(1_000);
    first.resolve();
    await calls[0];
    expect(socket.closedWith).toBeUndefined();
    second.resolve();
    await calls[1];
    expect(socket.closedWith).toEqual(SERVICE_RESTART);
    expect(await drained).toBe(0);
  });

  it("takes no message on a socket it told to close", async () => {
    const drain = new GatewayDrain();
    const socket = new FakeSocket(false);
    drain.opened(socket);
    expect(drain.accepts(socket)).toBe(true);
    void drain.drain(10);
    expect(drain.accepts(socket)).toBe(false);
  });

  it("tells a socket opened while draining to reconnect elsewhere at once", async () => {
    const drain = new GatewayDrain();
    const drained = drain.drain(1_000);
    const late = new FakeSocket();
    drain.opened(late);
    expect(late.closedWith).toEqual(SERVICE_RESTART);
    expect(await drained).toBe(0);
  });

  it("gives up after the timeout and reports the sockets left open (a peer that never answers the close)", async () => {
    const drain = new GatewayDrain();
    drain.opened(new FakeSocket(false));
    drain.opened(new FakeSocket());
    expect(await drain.drain(20)).toBe(1);
  });

  it("still answers a call that fails, then closes the socket", async () => {
    const drain = new GatewayDrain();
    const socket = new FakeSocket();
    drain.opened(socket);
    const kafka = deferred();
    const call = drain.during(socket, async () => {
      await kafka.promise;
      throw new Error("Kafka is away");
    });
    const drained = drain.drain(1_000);
    kafka.resolve();
    await expect(call).rejects.toThrow("Kafka is away");
    expect(socket.closedWith).toEqual(SERVICE_RESTART);
    expect(await drained).toBe(0);
  });
});
