import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type AnalysisSettings } from "@emote/contracts";
import { DEFAULTS_ROW_ID, type SettingsSnapshot } from "@emote/db";
import { SettingsCache } from "./settings-cache.ts";
import {
  SettingsReloader,
  type ReloadOptions,
  type ReloadScope,
  type SettingsSource,
} from "./settings-reloads.ts";

const OPTS: ReloadOptions = { coalesceMs: 5, retryMs: 20, maxStreamers: 50 };
const withThreshold = (threshold: number): AnalysisSettings => ({ ...DEFAULT_SETTINGS, threshold });

/** A settings table in memory that counts the queries made of it. */
function fakeTable(rows: Map<string, AnalysisSettings>) {
  const queries: (string[] | "all")[] = [];
  let failures = 0;
  let gate: Promise<void> = Promise.resolve();
  const source: SettingsSource = {
    async all() {
      queries.push("all");
      await gate;
      if (failures > 0 && failures--) throw new Error("database away");
      const snapshot: SettingsSnapshot = { defaults: DEFAULT_SETTINGS, byStreamer: new Map() };
      for (const [id, s] of rows) {
        if (id === DEFAULTS_ROW_ID) snapshot.defaults = s;
        else snapshot.byStreamer.set(id, s);
      }
      return snapshot;
    },
    async streamers(ids) {
      queries.push([...ids].sort());
      await gate;
      if (failures > 0 && failures--) throw new Error("database away");
      return new Map(
        ids.flatMap((id) => (rows.has(id) ? [[id, rows.get(id) as AnalysisSettings] as const] : [])),
      );
    },
  };
  return {
    source,
    queries,
    failNext(n: number) {
      failures = n;
    },
    /** Holds queries until the returned function is called. */
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        release();
        gate = Promise.resolve();
      };
    },
  };
}

function setUp(rows: Map<string, AnalysisSettings>) {
  const table = fakeTable(rows);
  const cache = new SettingsCache({ defaults: DEFAULT_SETTINGS, byStreamer: new Map() });
  const reloads: [ReloadScope, number][] = [];
  const failures: string[] = [];
  const reloader = new SettingsReloader(
    table.source,
    cache,
    { reloaded: (scope, n) => reloads.push([scope, n]), failed: (err) => failures.push(err.message) },
    OPTS,
  );
  return { table, cache, reloads, failures, reloader };
}

describe("SettingsReloader", () => {
  it("reloads a burst of N changes for k streamers with one query for those k", async () => {
    const rows = new Map([
      ["s1", withThreshold(0.1)],
      ["s2", withThreshold(0.2)],
      ["s3", withThreshold(0.3)],
      ["unrelated", withThreshold(0.9)],
    ]);
    const { table, cache, reloads, reloader } = setUp(rows);
    const named = ["s1", "s2", "s3", "gone", "never"];
    for (let i = 0; i < 500; i++) reloader.streamerChanged(named[i % named.length] as string);
    await reloader.settled();

    expect(table.queries).toEqual([["gone", "never", "s1", "s2", "s3"]]);
    expect(reloads).toEqual([["streamers", 5]]);
    expect(cache.for("s2")).toEqual(withThreshold(0.2));
    // Not asked for, so not loaded: the cache's defaults still apply.
    expect(cache.for("unrelated")).toEqual(DEFAULT_SETTINGS);
  });

  it("drops a streamer whose row is gone and follows a change of the defaults row", async () => {
    const rows = new Map([["s1", withThreshold(0.1)]]);
    const { cache, reloader } = setUp(rows);
    reloader.streamerChanged("s1");
    await reloader.settled();
    expect(cache.for("s1")).toEqual(withThreshold(0.1));

    rows.delete("s1");
    rows.set(DEFAULTS_ROW_ID, withThreshold(0.7));
    reloader.streamerChanged("s1");
    reloader.streamerChanged(DEFAULTS_ROW_ID);
    await reloader.settled();
    expect(cache.for("s1")).toEqual(withThreshold(0.7));
    expect(cache.for("anyone")).toEqual(withThreshold(0.7));
  });

  it("gathers the changes that arrive during a reload into the next one", async () => {
    const { table, reloads, reloader } = setUp(new Map());
    const release = table.hold();
    reloader.streamerChanged("a");
    await new Promise((resolve) => setTimeout(resolve, OPTS.coalesceMs * 4));
    expect(table.queries).toEqual([["a"]]);
    for (const id of ["b", "c", "b", "a", "c"]) reloader.streamerChanged(id);
    release();
    await reloader.settled();
    expect(table.queries).toEqual([["a"], ["a", "b", "c"]]);
    expect(reloads).toEqual([
      ["streamers", 1],
      ["streamers", 3],
    ]);
  });

  it("makes one full reload of a burst that includes a reconnection, and none per change", async () => {
    const { table, cache, reloads, reloader } = setUp(new Map([["s1", withThreshold(0.4)]]));
    reloader.streamerChanged("s1");
    reloader.everythingChanged();
    reloader.streamerChanged("s2");
    await reloader.settled();
    expect(table.queries).toEqual(["all"]);
    expect(reloads).toEqual([["full", 0]]);
    expect(cache.for("s1")).toEqual(withThreshold(0.4));
  });

  it("reloads everything, once, when a burst names more streamers than one query should list", async () => {
    const { table, reloader } = setUp(new Map());
    for (let i = 0; i <= OPTS.maxStreamers; i++) reloader.streamerChanged(`s${i}`);
    await reloader.settled();
    expect(table.queries).toEqual(["all"]);
  });

  it("keeps the changes of a failed reload and tries again after a pause", async () => {
    const { table, cache, reloads, failures, reloader } = setUp(new Map([["s1", withThreshold(0.6)]]));
    table.failNext(1);
    const started = Date.now();
    reloader.streamerChanged("s1");
    await reloader.settled();
    expect(failures).toEqual(["database away"]);
    expect(table.queries).toEqual([["s1"], ["s1"]]);
    expect(reloads).toEqual([["streamers", 1]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(OPTS.retryMs);
    expect(cache.for("s1")).toEqual(withThreshold(0.6));
  });

  it("reloads nothing after stop", async () => {
    const { table, reloader } = setUp(new Map());
    reloader.streamerChanged("s1");
    await reloader.stop();
    reloader.streamerChanged("s2");
    await reloader.settled();
    expect(table.queries).toEqual([]);
  });
});
