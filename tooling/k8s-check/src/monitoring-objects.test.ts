import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { grafanaDashboardYaml, prometheusRuleYaml } from "./monitoring-objects.ts";
import { MONITORING_FILES as F } from "./paths.ts";

const read = (path: string) => readFileSync(path, "utf8");

describe("deploy/k8s's monitoring objects", () => {
  it("are what `npm run k8s:monitoring` makes of deploy/ today", () => {
    const stale = "stale: run `npm run k8s:monitoring`";
    expect(read(F.rule), stale).toBe(prometheusRuleYaml(read(F.alerts)));
    expect(read(F.dashboardConfigMap), stale).toBe(grafanaDashboardYaml(read(F.dashboard)));
  });

  it("carry every alert rule and the whole dashboard", () => {
    const rule = parse(read(F.rule)) as { spec: { groups: unknown } };
    expect(rule.spec.groups).toEqual((parse(read(F.alerts)) as { groups: unknown }).groups);
    const map = parse(read(F.dashboardConfigMap)) as { data: Record<string, string> };
    expect(JSON.parse(map.data["emote-pulse.json"] ?? "")).toEqual(JSON.parse(read(F.dashboard)));
  });

  it("refuse a rules file without groups", () => {
    expect(() => prometheusRuleYaml("rules: []\n")).toThrow("alerts.yml has no `groups` list");
  });
});
