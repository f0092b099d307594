import { TOPIC_CONFIG } from "@emote/bus";
import { runMain } from "@emote/lifecycle";
import { FLAGS, parseDemand, UsageError } from "./demand-args.ts";
import { formatPlan } from "./format-plan.ts";
import { planCapacity } from "./plan.ts";
import { MEASURED } from "./unit-costs.ts";

const HELP = `Usage: npm run capacity -- --viewers N --streamers N [options]

Prints the partitions, workers, gateways, Kafka brokers and PostgreSQL sizing for an audience,
computed from the per-unit costs the benchmarks measured (BENCHMARKS.md), with every
assumption. docs/capacity.md explains the model; deploy/k8s/overlays/production is its answer
for --viewers 1000000 --streamers 20000.

Options:
${Object.entries(FLAGS)
  .map(([flag, f]) => {
    const def = f.schema.safeParse(undefined);
    return `  --${flag.padEnd(18)} ${f.help}${def.success ? ` (default ${String(def.data)})` : ""}`;
  })
  .join("\n")}
  --json               the plan as JSON on stdout
  -h, --help           this text`;

// Nothing here logs but a fatal error: one plain line on stderr.
const line = (_fields: object, msg: string) => void process.stderr.write(`capacity: ${msg}\n`);

await runMain(
  {
    name: "capacity",
    help: HELP,
    fallbackLogger: () => ({ info: line, warn: line, error: line, fatal: line }),
    isUsageError: (err): err is UsageError => err instanceof UsageError,
  },
  async () => {
    const rawRetentionHours = Number(TOPIC_CONFIG.raw["retention.ms"]) / 3_600_000;
    const { demand, json } = parseDemand(process.argv.slice(2), rawRetentionHours);
    const plan = planCapacity(demand, MEASURED);
    process.stdout.write(json ? `${JSON.stringify({ demand, plan }, null, 2)}\n` : formatPlan(demand, plan));
    return 0;
  },
);
