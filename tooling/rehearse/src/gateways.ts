import { spawnService, type ServiceProcess } from "@emote/chaos/fleet";
import { refusedPort, waitFor } from "@emote/testkit";

/** Every process the rehearsal starts, so a failure or a Ctrl-C stops them all. */
export class Fleet {
  private readonly services = new Set<ServiceProcess>();

  start(kind: "web" | "worker", name: string, vars: Record<string, string>): ServiceProcess {
    const service = spawnService(kind, name, vars);
    this.services.add(service);
    void service.exited.then(() => this.services.delete(service));
    return service;
  }

  /** SIGKILLs what is left. */
  async killAll(): Promise<void> {
    const left = [...this.services];
    for (const s of left) s.kill("SIGKILL");
    await Promise.all(left.map((s) => s.exited));
  }
}

/** A gateway of the rehearsal: its process and its fixed loopback port (nginx's upstream names it). */
export interface Gateway {
  port: number;
  process: ServiceProcess;
}

/** What every gateway of the rehearsal runs with besides the run's Kafka and PostgreSQL. */
export const GATEWAY_VARS = {
  // Behind nginx every client comes from 127.0.0.1: the per-address limits would refuse them.
  WS_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
  EMOTE_RATE_PER_SECOND: "100000",
  EMOTE_BURST: "100000",
  WEB_DRAIN_TIMEOUT_MS: "10000",
};

const START_TIMEOUT_MS = 240_000;

/** `count` free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await refusedPort());
  return [...ports];
}

/** Starts a gateway on `port` and resolves once its /readyz says ready. */
export async function startGateway(
  fleet: Fleet,
  name: string,
  port: number,
  vars: Record<string, string>,
): Promise<Gateway> {
  const process = fleet.start("web", name, { ...vars, ...GATEWAY_VARS, PORT: String(port) });
  // Generous: on a loaded machine a gateway's start (tsx, Kafka group, PostgreSQL) took a minute.
  await process.logged("listening on", START_TIMEOUT_MS);
  await waitFor(
    `${name} to be ready`,
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      ),
    START_TIMEOUT_MS,
    100,
  );
  return { port, process };
}

/** SIGTERM, then waits for the drain and the exit; resolves with how long it took and the exit code. */
export async function drainGateway(gateway: Gateway): Promise<{ ms: number; code: number | null }> {
  const at = performance.now();
  gateway.process.kill("SIGTERM");
  const { code } = await gateway.process.exited;
  return { ms: Math.round(performance.now() - at), code };
}
