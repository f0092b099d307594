import { fileURLToPath } from "node:url";

/** The repository's root and the folders the checks read. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const K8S_DIR = `${REPO_ROOT}deploy/k8s`;
export const OVERLAYS = ["production", "single-node"] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const MONITORING_FILES = {
  alerts: `${REPO_ROOT}deploy/prometheus/alerts.yml`,
  dashboard: `${REPO_ROOT}deploy/grafana/emote-pulse.json`,
  rule: `${K8S_DIR}/base/monitoring/prometheus-rule.yaml`,
  dashboardConfigMap: `${K8S_DIR}/base/monitoring/grafana-dashboard.yaml`,
} as const;
