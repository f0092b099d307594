import { readFileSync, writeFileSync } from "node:fs";
import { grafanaDashboardYaml, prometheusRuleYaml } from "./monitoring-objects.ts";
import { MONITORING_FILES as F } from "./paths.ts";

const HELP = `Usage: npm run k8s:monitoring

Writes deploy/k8s/base/monitoring/prometheus-rule.yaml (a PrometheusRule from
deploy/prometheus/alerts.yml) and grafana-dashboard.yaml (a ConfigMap holding
deploy/grafana/emote-pulse.json). Run it after editing either source; a test fails while they differ.`;

if (process.argv.includes("--help")) {
  console.log(HELP);
  process.exit(0);
}
try {
  writeFileSync(F.rule, prometheusRuleYaml(readFileSync(F.alerts, "utf8")));
  writeFileSync(F.dashboardConfigMap, grafanaDashboardYaml(readFileSync(F.dashboard, "utf8")));
  console.error(`Wrote ${F.rule} and ${F.dashboardConfigMap}.`);
} catch (err) {
  console.error(`k8s:monitoring failed: ${(err as Error).message}`);
  process.exit(1);
}
