import { Writable } from "node:stream";
import { createObservability } from "@emote/observability";
import { describe, expect, it } from "vitest";
import { ClientFaultLog, isClientSocketFault } from "./client-faults.ts";

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const { log } = createObservability("test", { LOG_LEVEL: "debug" }, destination);
  return { log, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("ClientFaultLog", () => {
  it("logs at most its lines per minute at warn, then says how many it left out", async () => {
    const { log, lines } = capturingLog();
    let now = 1_000_000;
    const faults = new ClientFaultLog(log, 10, () => now);
    for (let i = 0; i < 1_000; i++) faults.report({ fault: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" }, "fault");
    await flush();
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => l.level === 40 && l.faultsLeftOut === undefined)).toBe(true);
    now += 60_000;
    faults.report({ fault: "WS_ERR_INVALID_OPCODE" }, "fault");
    await flush();
    expect(lines).toHaveLength(11);
    expect(lines[10]).toMatchObject({ level: 40, fault: "WS_ERR_INVALID_OPCODE", faultsLeftOut: 990 });
  });
});

describe("isClientSocketFault", () => {
  it("knows the ws library's protocol faults and nothing else", () => {
    const fault = Object.assign(new RangeError("Max payload size exceeded"), {
      code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
    });
    expect(isClientSocketFault(fault)).toBe(true);
    expect(isClientSocketFault(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(false);
    expect(isClientSocketFault(new Error("boom"))).toBe(false);
    expect(isClientSocketFault({ code: "WS_ERR_X" })).toBe(false);
  });
});
