import { connect, createServer, type AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startTcpProxy } from "./tcp-proxy.ts";

const echo = createServer((s) => s.pipe(s));
afterAll(() => echo.close());

function roundTrip(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => s.write("ping"));
    s.once("data", (d) => {
      s.destroy();
      resolve(String(d));
    });
    s.on("error", reject);
  });
}

describe("startTcpProxy", () => {
  it("forwards, refuses connections once cut, and forwards again on the same port once restored", async () => {
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: (echo.address() as AddressInfo).port });
    expect(await roundTrip(proxy.port)).toBe("ping");
    await proxy.cut();
    await expect(roundTrip(proxy.port)).rejects.toThrow(/ECONNREFUSED/);
    await proxy.restore();
    expect(await roundTrip(proxy.port)).toBe("ping");
    await proxy.close();
  });
});
