import { parse, stringify } from "yaml";

/**
 * deploy/prometheus/alerts.yml and deploy/grafana/emote-pulse.json as the objects a Kubernetes
 * monitoring stack loads: a PrometheusRule (Prometheus operator) and a ConfigMap that Grafana's
 * dashboard sidecar picks up by its label. kustomize cannot read files outside its folder, so
 * `npm run k8s:monitoring` writes them into deploy/k8s and a test keeps them in sync.
 */
export const GENERATED_HEADER =
  "# Generated from deploy/ by `npm run k8s:monitoring`: edit the source, then run it again.\n";

interface RuleGroups {
  groups: unknown[];
}

function isRuleGroups(value: unknown): value is RuleGroups {
  return typeof value === "object" && value !== null && Array.isArray((value as RuleGroups).groups);
}

export function prometheusRuleYaml(alertsYaml: string): string {
  const alerts: unknown = parse(alertsYaml);
  if (!isRuleGroups(alerts)) throw new Error("alerts.yml has no `groups` list");
  const rule = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "emote-pulse", labels: { "app.kubernetes.io/name": "emote-pulse-alerts" } },
    spec: { groups: alerts.groups },
  };
  return GENERATED_HEADER + stringify(rule, { lineWidth: 0 });
}

export function grafanaDashboardYaml(dashboardJson: string): string {
  // Parsed and printed again: a malformed dashboard fails here, not in Grafana.
  const dashboard: unknown = JSON.parse(dashboardJson);
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "emote-pulse-dashboard", labels: { grafana_dashboard: "1" } },
    data: { "emote-pulse.json": `${JSON.stringify(dashboard, null, 2)}\n` },
  };
  return GENERATED_HEADER + stringify(configMap, { lineWidth: 0 });
}
