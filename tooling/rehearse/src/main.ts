#!/usr/bin/env -S npx tsx
import { envHelp } from "@emote/config";
import { runMain } from "@emote/lifecycle";
import { rehearseEnvSchema, readRehearseEnv } from "./env.ts";
import { assertNginx } from "./nginx.ts";
import { HELP_OPTIONS, readOptions, UsageError } from "./options.ts";
import { Rehearsal } from "./rehearsal.ts";
import { CORRECTNESS_TARGETS, formatReport, missedTargets, TARGETS } from "./verdict.ts";

const HELP = `Usage: npm run rehearse:deploy [-- --quick] [-- --subscribers N --viewers N ...]

Rehearses a zero-downtime rollout on this machine with real processes: a real nginx
(loopback, its own prefix in a temporary folder) in front of three gateways (apps/web)
on the real Kafka (topics of its own) and PostgreSQL, one worker, a generated stream of
emotes, moments.live subscribers and viewers sending emotes.send, all through nginx.
Then (1) a rolling restart of the gateways, one at a time (SIGTERM, drained, a new one
ready), and (2) a blue-green switch: a green set started, nginx's upstream switched
(nginx -s reload), blue drained; then the switch back as the rollback.

It prints, over every subscriber, the moments lost, duplicated and out of order against
the moment log in PostgreSQL; per phase the emotes sent, refused and acknowledged but
missing from the raw topic; and the reconnect time p50/p99. Exit 1 when a target is
missed: moments lost, duplicated or out of order 0, no acknowledged emote lost, refused
≤ ${100 * TARGETS.maxRefusedShare} % per switch, reconnect p99 ≤ ${TARGETS.maxReconnectP99Ms / 1000} s. Progress goes to stderr, the report
to stdout; Ctrl-C stops every process it started.

${HELP_OPTIONS}

${envHelp(rehearseEnvSchema)}`;

const progress = (line: string) => process.stderr.write(`${line}\n`);

void runMain(
  {
    name: "rehearse",
    help: HELP,
    fallbackLogger: () => ({
      info: (_f, msg) => progress(msg),
      warn: (_f, msg) => progress(msg),
      error: (_f, msg) => progress(msg),
      fatal: (_f, msg) => progress(`rehearse: ${msg}`),
    }),
    isUsageError: (err): err is Error => err instanceof UsageError,
  },
  async (ctx) => {
    const opts = readOptions(process.argv.slice(2));
    const env = readRehearseEnv();
    assertNginx(env.NGINX_BIN);
    const stopping = ctx.stopOn({ doing: "stopping every process it started", timeoutMs: 15_000 });
    const rehearsal = new Rehearsal(env, opts, stopping.signal, progress);
    stopping.signal.addEventListener("abort", () => void rehearsal.stop(), { once: true });
    try {
      const result = await rehearsal.run().catch((err: unknown) => {
        // Said now: stopping what it started may take a while.
        progress(`rehearse: failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      });
      const missed = missedTargets(result.outcome, opts.correctnessOnly ? CORRECTNESS_TARGETS : TARGETS);
      for (const d of result.drains)
        if (d.code !== 0) missed.push(`${d.gateway} exited ${d.code} (its drain outlasted its bound)`);
      const drainsMs = result.drains.map((d) => d.ms);
      console.log(formatReport(result.outcome));
      console.log(
        `\ngateway drains: ${result.drains.length}, ${Math.min(...drainsMs)}–${Math.max(...drainsMs)} ms each (SIGTERM to exit)`,
      );
      if (result.refusals.size > 0)
        console.log(`refusals: ${[...result.refusals].map(([r, n]) => `${n} × ${r}`).join("; ")}`);
      console.log(`run took ${result.seconds} s`);
      if (missed.length > 0) {
        console.log(`\nTARGETS MISSED:\n${missed.map((m) => `- ${m}`).join("\n")}`);
        return 1;
      }
      console.log("\nevery target met");
      return 0;
    } finally {
      await rehearsal.stop();
    }
  },
);
