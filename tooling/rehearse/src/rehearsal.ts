import { kafkaBrokers } from "@emote/config";
import { Feeder } from "@emote/chaos/feeder";
import { readTopic, runBus, runIds, seededStream, serviceVars } from "@emote/chaos/scenario";
import {
  and,
  asc,
  connectDatabase,
  createStreamer,
  desc,
  eq,
  inArray,
  moments,
  type DatabaseConnection,
} from "@emote/db";
import { waitFor } from "@emote/testkit";
import { Subscriber, Viewer } from "./audience.ts";
import type { RehearseEnv } from "./env.ts";
import { drainGateway, Fleet, freePorts, startGateway, type Gateway } from "./gateways.ts";
import { startNginx, type RunningNginx } from "./nginx.ts";
import type { RehearsalOptions } from "./options.ts";
import { judgeSubscriber, type EmoteTally, type RehearsalOutcome } from "./verdict.ts";

const PARTITIONS = 6;
const GATEWAYS = 3;
const CLIENTS_CLOSE_MS = 5_000;

export interface Drain {
  gateway: string;
  ms: number;
  code: number | null;
}

export interface RehearsalResult {
  outcome: RehearsalOutcome;
  drains: Drain[];
  /** Every distinct refusal the viewers got, with how many. */
  refusals: Map<string, number>;
  seconds: number;
}

/**
 * One rehearsal: a worker, three gateways behind nginx, a generated stream of emotes (the
 * moments), subscribers and viewers through nginx; then a rolling restart of the gateways
 * one at a time, a blue-green switch of the upstream and the switch back (the rollback).
 * Everything it started is stopped by `stop()`, whatever happened.
 */
export class Rehearsal {
  private readonly fleet = new Fleet();
  private nginx: RunningNginx | undefined;
  private feeder: Feeder | undefined;
  private readonly subscribers: Subscriber[] = [];
  private readonly viewers: Viewer[] = [];
  private conn: DatabaseConnection | undefined;
  private phase = "steady";
  private readonly started = performance.now();

  constructor(
    private readonly env: RehearseEnv,
    private readonly opts: RehearsalOptions,
    private readonly signal: AbortSignal,
    private readonly progress: (line: string) => void,
  ) {}

  private log(line: string): void {
    this.progress(`[rehearse +${((performance.now() - this.started) / 1000).toFixed(1)} s] ${line}`);
  }

  private check(): void {
    if (this.signal.aborted) throw new Error("stopped by a signal");
  }

  private async steady(label: string): Promise<void> {
    this.phase = label;
    this.log(`${label}: ${this.opts.steadySeconds} s of steady traffic`);
    await new Promise((r) => setTimeout(r, this.opts.steadySeconds * 1000));
    this.check();
  }

  async run(): Promise<RehearsalResult> {
    const { env, opts } = this;
    const brokers = kafkaBrokers(env);
    const ids = runIds("rehearse", opts.streamers);
    const viewerStreamer = `rehearse-${ids.id}-viewers`;
    const conn = (this.conn = connectDatabase(env.DATABASE_URL, { max: 4 }));
    await conn.migrate();
    await createStreamer(conn.db, viewerStreamer, "rehearsal");
    const vars = serviceVars(ids, brokers, env.DATABASE_URL, PARTITIONS);
    this.log(
      `run ${ids.id}: topics ${ids.topicPrefix}*, Kafka ${brokers.join(",")}, ${opts.subscribers} subscribers, ${opts.viewers} viewers`,
    );

    const worker = this.fleet.start("worker", "worker", vars);
    await worker.logged("worker consuming");
    this.check();
    const [nginxPort, ...ports] = await freePorts(1 + 2 * GATEWAYS);
    const bluePorts = ports.slice(0, GATEWAYS);
    const greenPorts = ports.slice(GATEWAYS);
    let serial = 0;
    const gateway = (port: number) => startGateway(this.fleet, `gateway-${++serial}`, port, vars);
    let blue: Gateway[] = await Promise.all(bluePorts.map(gateway));
    this.check();
    const nginx = (this.nginx = await startNginx(
      env.NGINX_BIN,
      {
        listenPort: nginxPort as number,
        upstream: bluePorts,
        workerConnections: 4 * (opts.subscribers + opts.viewers) + 1024,
      },
      (code) => this.log(`nginx exited (${code})`),
    ));
    this.log(`nginx on ${nginx.url} in front of gateways on ${bluePorts.join(", ")}`);

    const bus = runBus(ids, brokers, PARTITIONS);
    this.feeder = await Feeder.start(bus, seededStream(ids, 7), { chunk: 50, everyMs: 50 });
    let first: { id: string; position: number | null } | undefined;
    await waitFor(
      "the first moment of the run",
      async () => {
        [first] = await conn.db
          .select({ id: moments.id, position: moments.position })
          .from(moments)
          .where(and(inArray(moments.streamerId, ids.streamers), eq(moments.kind, "threshold")))
          .orderBy(desc(moments.position))
          .limit(1);
        return first !== undefined;
      },
      120_000,
      250,
    );
    if (!first) throw new Error("no moment came");
    this.check();
    this.log(`moments flowing (from position ${first.position}); subscribing`);
    for (let i = 0; i < opts.subscribers; i += 50) {
      const batch = Array.from(
        { length: Math.min(50, opts.subscribers - i) },
        (_, k) => new Subscriber(nginx.url, ids.streamers[(i + k) % ids.streamers.length] as string),
      );
      this.subscribers.push(...batch);
      await Promise.all(batch.map((s) => s.start((first as { id: string }).id)));
      this.check();
    }
    for (let i = 0; i < opts.viewers; i++) {
      const viewer = new Viewer(nginx.url);
      this.viewers.push(viewer);
      viewer.start(viewerStreamer, 1000 / opts.viewerRate, () => this.phase);
    }
    await this.steady("steady");

    const drains: Drain[] = [];
    const drain = async (g: Gateway) => {
      const d = await drainGateway(g);
      drains.push({ gateway: g.process.name, ...d });
      this.log(`${g.process.name} drained and exited (${d.code}) in ${d.ms} ms`);
    };
    this.phase = "rolling restart";
    this.log("rolling restart: each gateway SIGTERMed, drained, replaced, ready");
    for (let i = 0; i < blue.length; i++) {
      const old = blue[i] as Gateway;
      await drain(old);
      blue[i] = await gateway(old.port);
      this.log(`${blue[i]?.process.name} ready on ${old.port}`);
      this.check();
    }
    await this.steady("after rolling restart");

    this.phase = "blue-green switch";
    let green: Gateway[] = await Promise.all(greenPorts.map(gateway));
    this.log(`green gateways ready on ${greenPorts.join(", ")}; switching nginx to them`);
    nginx.switchTo(greenPorts);
    await Promise.all(blue.map(drain));
    this.check();
    await this.steady("on green");

    this.phase = "rollback";
    blue = await Promise.all(bluePorts.map(gateway));
    this.log(`blue gateways ready again; switching nginx back (the rollback)`);
    nginx.switchTo(bluePorts);
    await Promise.all(green.map(drain));
    green = [];
    this.check();
    await this.steady("after rollback");

    this.phase = "stopped";
    // Each viewer's last call ends within its send timeout; its socket's close is not waited for long.
    await Promise.race([
      Promise.all(this.viewers.map((v) => v.stop())),
      new Promise((r) => setTimeout(r, 20_000)),
    ]);
    await this.feeder.stop();
    this.log("traffic stopped; waiting for every subscriber to have every moment of the log");
    const expected = await this.settle(conn, ids.streamers, first.position ?? 0);

    const outcome: RehearsalOutcome = {
      subscribers: this.subscribers.map((s) =>
        judgeSubscriber(expected.get(s.streamerId) ?? [], s.positions),
      ),
      reconnectsMs: this.subscribers.flatMap((s) => s.reconnectsMs),
      emotes: await this.tallyEmotes(bus),
      subscriptionErrors: this.subscribers.filter((s) => s.error !== undefined).length,
    };
    const refusals = new Map<string, number>();
    for (const v of this.viewers)
      for (const [r, n] of v.refusals) refusals.set(r, (refusals.get(r) ?? 0) + n);
    return { outcome, drains, refusals, seconds: Math.round((performance.now() - this.started) / 1000) };
  }

  /** The log's positions per streamer after `from`, once every subscriber has them all (or nothing moved for 20 s). */
  private async settle(
    conn: DatabaseConnection,
    streamers: string[],
    from: number,
  ): Promise<Map<string, number[]>> {
    let expected = new Map<string, number[]>();
    let last = "";
    let since = performance.now();
    await waitFor(
      "the subscribers to have every moment of the log",
      async () => {
        const rows = await conn.db
          .select({ streamerId: moments.streamerId, position: moments.position })
          .from(moments)
          // The subscribers ask for moments.live's default: the seed's rule's moments.
          .where(and(inArray(moments.streamerId, streamers), eq(moments.kind, "threshold")))
          .orderBy(asc(moments.position));
        expected = new Map();
        for (const r of rows) {
          if (r.position === null || r.position <= from) continue;
          const list = expected.get(r.streamerId) ?? [];
          list.push(r.position);
          expected.set(r.streamerId, list);
        }
        const state = `${rows.length}/${this.subscribers.reduce((n, s) => n + s.positions.length, 0)}`;
        if (state !== last) {
          last = state;
          since = performance.now();
        }
        const complete = this.subscribers.every((s) => {
          const got = new Set(s.positions);
          return (expected.get(s.streamerId) ?? []).every((p) => got.has(p));
        });
        return (complete && performance.now() - since > 3_000) || performance.now() - since > 20_000;
      },
      180_000,
      500,
    );
    return expected;
  }

  /** The viewers' sends per phase, against the raw topic. */
  private async tallyEmotes(bus: ReturnType<typeof runBus>): Promise<EmoteTally[]> {
    const onTopic = new Set<string>();
    for (const partition of await readTopic(bus, bus.topics.raw)) {
      for (const record of partition) {
        const id = (JSON.parse(String(record.value)) as { id?: string }).id;
        if (id !== undefined) onTopic.add(id);
      }
    }
    const tallies = new Map<string, EmoteTally>();
    for (const outcome of this.viewers.flatMap((v) => v.outcomes)) {
      const t = tallies.get(outcome.phase) ?? {
        phase: outcome.phase,
        sent: 0,
        acknowledged: 0,
        refused: 0,
        lost: 0,
      };
      t.sent++;
      if (outcome.id === undefined) t.refused++;
      else {
        t.acknowledged++;
        if (!onTopic.has(outcome.id)) t.lost++;
      }
      tallies.set(outcome.phase, t);
    }
    return [...tallies.values()];
  }

  private stopped: Promise<void> | undefined;

  /** Stops everything it started: clients, the feed, nginx, the gateways and the worker (once). */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    // The processes first: on a Ctrl-C they must not outlive the rehearsal.
    await this.nginx?.stop();
    await this.fleet.killAll();
    // A client whose call waits on a socket that cannot reconnect any more never settles: bounded.
    await Promise.race([
      Promise.all([
        ...this.subscribers.map((s) => s.close().catch(() => undefined)),
        ...this.viewers.map((v) => v.stop().catch(() => undefined)),
        this.feeder?.stop().catch(() => undefined),
      ]),
      new Promise((r) => setTimeout(r, CLIENTS_CLOSE_MS).unref()),
    ]);
    await this.conn?.close();
  }
}
