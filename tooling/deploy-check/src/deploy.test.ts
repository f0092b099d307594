import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMOTE_METRICS, isKnownSeries, metricOf } from "./known-metrics.ts";
import { seriesNames } from "./promql.ts";

const deployPath = (path: string) => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));
const read = (path: string) => readFileSync(deployPath(path), "utf8");

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs?: { targets: string[] }[];
}
interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Panel {
  id: number;
  title: string;
  gridPos: GridPos;
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
}

const alertGroups = (parse(read("prometheus/alerts.yml")) as { groups: { name: string; rules: Rule[] }[] })
  .groups;
const alerts = alertGroups.flatMap((g) => g.rules);
const prometheus = parse(read("prometheus/prometheus.yml")) as {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
};
const dashboard = JSON.parse(read("grafana/emote-pulse.json")) as {
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
};
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

describe("alerts.yml", () => {
  it("has the emote-pulse group; every alert has expr, for, severity, summary and a runbook hint", () => {
    expect(alertGroups.map((g) => g.name)).toEqual(["emote-pulse"]);
    expect(alerts.length).toBeGreaterThan(0);
    for (const rule of alerts) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Emote\w+$/);
      expect(rule.expr, rule.alert).toBeTruthy();
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toMatch(/Runbook:/);
    }
  });

  // [alert, fragments its one-line expr must contain, for]
  it.each([
    [
      "EmoteDlqRateHigh",
      [
        "sum(rate(emote_worker_dlq_messages_total[5m])) / sum(rate(emote_worker_emotes_consumed_total[5m])) > 0.05",
      ],
      "5m",
    ],
    [
      "EmoteRecordsRefusedDownstream",
      ['increase(emote_worker_dlq_messages_total{reason=~"store_rejected|produce_rejected"}[15m])) > 0'],
      "0m",
    ],
    ["EmoteConsumerLagHigh", ["max(emote_worker_consumer_lag_seconds) > 30"], "1m"],
    [
      "EmoteConsumptionStalled",
      [
        "sum(rate(emote_generator_emotes_produced_total[2m])) > 0 or sum(delta(emote_worker_consumer_lag_messages[2m])) > 0",
        ") unless sum(rate(emote_worker_emotes_consumed_total[2m])) > 0",
      ],
      "1m",
    ],
    ["EmoteNotReady", ["emote_ready == 0"], "2m"],
    ["EmoteTargetDown", ['up{job=~"emote-.*"} == 0'], "1m"],
  ])("%s has its expression, threshold and hold time", (name, fragments, holdFor) => {
    const rule = alerts.find((r) => r.alert === name);
    expect(rule, `${name} is missing`).toBeDefined();
    for (const fragment of fragments) expect(oneLine(rule?.expr ?? "")).toContain(fragment);
    expect(rule?.for).toBe(holdFor);
  });
});

describe("PromQL in alerts.yml and the dashboard", () => {
  it("selects only metrics the processes expose (or process_*, nodejs_*, up)", () => {
    const exprs = [...alerts.map((r) => r.expr ?? ""), ...dashboardExprs];
    const unknown = exprs.flatMap((e) =>
      seriesNames(e)
        .filter((n) => !isKnownSeries(n))
        .map((n) => `${n} in ${e}`),
    );
    expect(unknown).toEqual([]);
  });

  it("charts every Emote Pulse metric on the dashboard", () => {
    const charted = new Set(dashboardExprs.flatMap(seriesNames).map(metricOf));
    expect(Object.keys(EMOTE_METRICS).filter((m) => !charted.has(m))).toEqual([]);
  });
});

describe("prometheus.yml", () => {
  it("loads alerts.yml and scrapes the four processes by their compose service names", () => {
    expect(prometheus.rule_files).toEqual(["alerts.yml"]);
    const jobs = Object.fromEntries(
      prometheus.scrape_configs.map((c) => [c.job_name, c.static_configs?.flatMap((s) => s.targets)]),
    );
    expect(jobs).toEqual({
      "emote-generator": ["generator:9465"],
      "emote-worker": ["worker:9464"],
      "emote-web": ["web:3000"],
      "emote-trending": ["trending:9466"],
    });
    for (const c of prometheus.scrape_configs) expect(c.metrics_path ?? "/metrics").toBe("/metrics");
  });

  // promtool ships with Prometheus (Debian: `apt-get install prometheus`; .ci/run installs it).
  it("passes promtool check config and the alert unit tests", () => {
    const version = spawnSync("promtool", ["--version"]);
    expect(version.error, "promtool is not installed: apt-get install prometheus").toBeUndefined();
    for (const args of [
      ["check", "config", "prometheus.yml"],
      ["test", "rules", "alerts.test.yml"],
    ]) {
      const run = spawnSync("promtool", args, { cwd: deployPath("prometheus"), encoding: "utf8" });
      expect(run.status, `promtool ${args.join(" ")}\n${run.stdout}${run.stderr}`).toBe(0);
    }
  });
});

describe("grafana/emote-pulse.json", () => {
  it("has unique panel ids", () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("lays panels out on the 24-column grid without overlap", () => {
    const overlaps = (a: GridPos, b: GridPos) =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const panels = dashboard.panels;
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    const clashes = panels.flatMap((a, i) =>
      panels
        .slice(i + 1)
        .filter((b) => overlaps(a.gridPos, b.gridPos))
        .map((b) => `${a.title} / ${b.title}`),
    );
    expect(clashes).toEqual([]);
  });

  it("queries through the datasource template variable only", () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    const uids = dashboard.panels.flatMap((p) => [
      p.datasource?.uid,
      ...(p.targets ?? []).map((t) => t.datasource?.uid),
    ]);
    expect(new Set(uids)).toEqual(new Set(["${datasource}"]));
  });
});

describe("grafana/provisioning", () => {
  it("points the dashboard provider at the folder the compose file mounts deploy/grafana on", () => {
    const provider = (
      parse(read("grafana/provisioning/dashboards/emote-pulse.yml")) as {
        providers: { options: { path: string } }[];
      }
    ).providers[0];
    const compose = parse(read("docker-compose.monitoring.yml")) as {
      services: { grafana: { volumes: string[] } };
    };
    expect(compose.services.grafana.volumes).toContain(`./deploy/grafana:${provider?.options.path}:ro`);
    expect(existsSync(deployPath("grafana/provisioning/datasources/prometheus.yml"))).toBe(true);
  });
});
