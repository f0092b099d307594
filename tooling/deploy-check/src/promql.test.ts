import { describe, expect, it } from "vitest";
import { seriesNames } from "./promql.ts";

describe("seriesNames", () => {
  it("finds selected series, not functions, grouping labels, matchers, durations or numbers", () => {
    expect(
      seriesNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{job=~"x-.*"}[$__rate_interval]))) > 1e3',
      ),
    ).toEqual(["a_seconds_bucket"]);
    expect(
      seriesNames("sum(rate(a_total[5m] offset 1h)) / on(job) group_left(x) b unless c == bool 0.05"),
    ).toEqual(["a_total", "b", "c"]);
  });

  it("ignores identifiers inside strings and Grafana variables", () => {
    expect(seriesNames('label_replace(up, "dst", "$1", "src", "(fake_metric)") * ${scale}')).toEqual(["up"]);
  });
});
