import { afterEach, describe, expect, it } from "vitest";
import { createRegistry } from "./metrics.ts";
import { startProbeServer, type ProbeServer } from "./probe-server.ts";
import { Readiness } from "./readiness.ts";

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function probeServer(dbUp: { value: boolean }) {
  const registry = createRegistry();
  const readiness = new Readiness(registry, 200);
  readiness.add({ name: "kafka", label: "Kafka consumer", check: async () => undefined });
  readiness.add({
    name: "postgresql",
    label: "PostgreSQL",
    check: async () => {
      if (!dbUp.value) throw new Error("connection refused");
    },
  });
  readiness.add({ name: "slow", label: "Slow thing", check: () => new Promise(() => undefined) });
  readiness.add({ name: "kafka", label: "Kafka producer", check: async () => undefined });
  server = await startProbeServer({ registry, readiness }, { host: "127.0.0.1", port: 0 });
  return server;
}

describe("probe server", () => {
  it("serves /healthz always, /readyz 503 naming each failing dependency, and the readiness gauges", async () => {
    const db = { value: false };
    const { url } = await probeServer(db);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { failing: string[] };
    expect(body.failing).toEqual(["PostgreSQL: connection refused", "Slow thing: no answer within 200 ms"]);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^emote_ready 0$/m);
    expect(metrics).toMatch(/^emote_dependency_up\{dependency="postgresql"\} 0$/m);
    expect(metrics).toMatch(/^emote_dependency_up\{dependency="kafka"\} 1$/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total /m);

    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it("is not ready while starting (no dependency registered yet), and names a shared failure once", async () => {
    const registry = createRegistry();
    const readiness = new Readiness(registry, 200);
    server = await startProbeServer({ registry, readiness }, { host: "127.0.0.1", port: 0 });
    const { url } = server;
    const starting = await fetch(`${url}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({
      status: "not ready",
      failing: ["starting: no dependency connected yet"],
      checks: [],
    });
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^emote_ready 0$/m);

    for (let i = 0; i < 2; i++) {
      readiness.add({
        name: "postgresql",
        label: "PostgreSQL",
        check: async () => {
          throw new Error("connection refused");
        },
      });
    }
    // The last verdict is reused for 250 ms: poll until the new checks are in it.
    const readyz = async () =>
      (await (await fetch(`${url}/readyz`)).json()) as { failing: string[]; checks: unknown[] };
    await expect.poll(async () => (await readyz()).checks.length).toBe(2);
    expect((await readyz()).failing).toEqual(["PostgreSQL: connection refused"]);
  });

  it("is not ready from the moment the process stops, its dependencies up, without reusing the last verdict", async () => {
    const registry = createRegistry();
    const readiness = new Readiness(registry, 200);
    readiness.add({ name: "kafka", label: "Kafka consumer", check: async () => undefined });
    server = await startProbeServer({ registry, readiness }, { host: "127.0.0.1", port: 0 });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    readiness.stop("draining: this gateway is shutting down");
    const stopping = await fetch(`${server.url}/readyz`);
    expect(stopping.status).toBe(503);
    expect(await stopping.json()).toEqual({
      status: "not ready",
      failing: ["draining: this gateway is shutting down"],
      checks: [{ name: "kafka", label: "Kafka consumer", ok: true }],
    });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(
      /^emote_dependency_up\{dependency="kafka"\} 1$/m,
    );
  });

  it("refuses a port in use with the variable to change", async () => {
    const { port } = await probeServer({ value: true });
    const registry = createRegistry();
    await expect(
      startProbeServer({ registry, readiness: new Readiness(registry) }, { host: "127.0.0.1", port }),
    ).rejects.toThrow(`METRICS_PORT ${port} on 127.0.0.1 is in use`);
  });
});
