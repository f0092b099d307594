import { describe, expect, it } from "vitest";
import type { BusProducer } from "@emote/bus";
import { producerHealth } from "./producer-health.ts";

function controllableProducer() {
  const sends: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let disconnected = 0;
  const producer: BusProducer = {
    send: () => new Promise<void>((resolve, reject) => sends.push({ resolve, reject })),
    disconnect: async () => void disconnected++,
  };
  return { producer, sends, disconnected: () => disconnected };
}

const verdict = (check: () => Promise<void>) =>
  check().then(
    () => "ok",
    (err: Error) => err.message,
  );

describe("producerHealth", () => {
  it("is not ready before the producer connects, ready once it has", async () => {
    const health = producerHealth();
    expect(await verdict(health.check)).toBe("not connected yet");
    health.watch(controllableProducer().producer);
    expect(await verdict(health.check)).toBe("ok");
  });

  it("turns not ready while a send waits for its acknowledgement longer than the stall bound", async () => {
    let t = 0;
    const health = producerHealth({ stallMs: 10_000, now: () => t });
    const { producer, sends } = controllableProducer();
    const watched = health.watch(producer);
    const sending = watched.send([{ topic: "t", records: [] }]);
    t = 9_000;
    expect(await verdict(health.check)).toBe("ok");
    t = 12_400;
    expect(await verdict(health.check)).toBe("no acknowledgement for 12 s");
    sends[0]!.resolve();
    await sending;
    expect(await verdict(health.check)).toBe("ok");
  });

  it("turns not ready, naming the error, when a send fails, and passes the error on", async () => {
    const health = producerHealth();
    const { producer, sends } = controllableProducer();
    const watched = health.watch(producer);
    const sending = watched.send([{ topic: "t", records: [] }]);
    sends[0]!.reject(new Error("The broker went away"));
    await expect(sending).rejects.toThrow("The broker went away");
    expect(await verdict(health.check)).toBe("a send failed: The broker went away");
  });

  it("turns not ready once disconnected, and disconnects the producer", async () => {
    const health = producerHealth();
    const { producer, disconnected } = controllableProducer();
    await health.watch(producer).disconnect();
    expect(disconnected()).toBe(1);
    expect(await verdict(health.check)).toBe("disconnected");
  });
});
