import { Gauge, type Registry } from "prom-client";
import { withDeadline } from "@emote/lifecycle";

/** One dependency a process cannot serve without. */
export interface DependencyCheck {
  /** Metric label and JSON key: "kafka", "postgresql". */
  name: string;
  /** How the 503 names it: "PostgreSQL", "Kafka consumer group emote-worker". */
  label: string;
  /** Resolves when the dependency answers; rejects (or outlasts the timeout) when not. */
  check(): Promise<void>;
}

export interface CheckResult {
  name: string;
  label: string;
  ok: boolean;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Why the process is not ready whatever its dependencies say (it is shutting down). */
  stopping?: string;
  checks: CheckResult[];
}

const REUSE_MS = 250;

/**
 * The process's readiness: every dependency checked at once, each within a timeout.
 */
export class Readiness {
  private readonly checks: DependencyCheck[] = [];
  private last: { at: number; report: Promise<ReadinessReport> } | undefined;
  private stopping: string | undefined;

  constructor(
    registry: Registry,
    private readonly timeoutMs = 2_000,
  ) {
    const dependencyUp: Gauge = new Gauge({
      name: "emote_dependency_up",
      help: "1 when the dependency answered the last readiness check, else 0",
      labelNames: ["dependency"],
      registers: [registry],
      collect: async () => {
        // Several checks may share a dependency (embedded mode: worker and web both use
        // Kafka): it is up when all of them pass.
        const up = new Map<string, boolean>();
        for (const c of (await this.report()).checks) up.set(c.name, (up.get(c.name) ?? true) && c.ok);
        for (const [dependency, ok] of up) dependencyUp.set({ dependency }, ok ? 1 : 0);
      },
    });
    const ready: Gauge = new Gauge({
      name: "emote_ready",
      help: "1 when every dependency answered (what /readyz says), else 0",
      registers: [registry],
      collect: async () => {
        ready.set((await this.report()).ready ? 1 : 0);
      },
    });
  }

  add(check: DependencyCheck): void {
    this.checks.push(check);
  }

  /**
   * Not ready from now on, whatever the checks say, because the process is going away (a
   * draining gateway): balancers and probes see it at their next call, no verdict reused.
   */
  stop(reason: string): void {
    this.stopping = reason;
    this.last = undefined;
  }

  /** A fresh verdict; the gauges of one scrape and concurrent /readyz calls share one. */
  report(): Promise<ReadinessReport> {
    if (this.last && performance.now() - this.last.at < REUSE_MS) return this.last.report;
    const report = this.run();
    // In flight: shared. Done: shared for REUSE_MS after it finished.
    const entry = { at: Number.POSITIVE_INFINITY, report };
    this.last = entry;
    void report.finally(() => (entry.at = performance.now()));
    return report;
  }

  private async run(): Promise<ReadinessReport> {
    const checks = await Promise.all(this.checks.map((c) => this.runOne(c)));
    const stopping = this.stopping;
    if (stopping !== undefined) return { ready: false, stopping, checks };
    // No check yet: the process serves its probes but has not connected to anything.
    return { ready: checks.length > 0 && checks.every((c) => c.ok), checks };
  }

  private async runOne(c: DependencyCheck): Promise<CheckResult> {
    try {
      await withDeadline(c.check(), this.timeoutMs, `no answer within ${this.timeoutMs} ms`);
      return { name: c.name, label: c.label, ok: true };
    } catch (err) {
      return {
        name: c.name,
        label: c.label,
        ok: false,
        error: reason(err),
      };
    }
  }
}

/** The root cause's message: ORMs wrap the driver's "connect ECONNREFUSED" in "Failed query". */
function reason(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
