import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "@emote/api";
import { analysisSettingsSchema, DEFAULT_SETTINGS } from "@emote/contracts";
import { createKafka, kafkaBus } from "@emote/bus/kafka";
import type { Bus, BusProducer } from "@emote/bus";
import { generateEmotes } from "@emote/generator/stream";
import { sendEmotes } from "@emote/generator/sender";
import { commitAnalysis, connectDatabase, migrateDatabase, type DatabaseConnection } from "@emote/db";
import { insertIntensity, insertStream, storeMoments, surgeMoment } from "@emote/db/test-fixtures";
import { dropDatabase, ensureDatabase, testInfraConfig } from "@emote/testkit";
import { createObservability } from "@emote/observability";
import { readWorkerEnv } from "@emote/worker/env";
import { startWorker, type RunningWorker } from "@emote/worker/worker";
import { runTrending, type RunningTrending } from "@emote/trending/trending";
import { readWebEnv } from "../../src/server/env.ts";
import { startWebServer, type RunningWebServer } from "../../src/server/web-server.ts";

/**
 * The dashboard in Debian's Chromium, served by the real web server, fed by the real
 * worker from a generator producing to the real Kafka, with PostgreSQL behind both. Topics,
 * consumer group, streamer and database are private to this run.
 */

const WEB_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OUTPUT_DIR = join(WEB_ROOT, "test-output");
const infra = testInfraConfig();
const runId = randomUUID().slice(0, 8);
const prefix = `it-browser-${runId}.`;
const streamerId = `ui-${runId}`;
/**
 * A database of this run's own: the selector shows the first page of `streamers.list`, and
 * the shared test database holds every other test's streamers.
 */
const databaseUrl = (() => {
  const url = new URL(infra.databaseUrl);
  url.pathname = `${url.pathname}_browser_${runId}`;
  return url.toString();
})();
const authSecret = `browser-test-secret-${randomUUID()}`;

let staticDir = "";
let server: RunningWebServer;
let worker: RunningWorker;
let trending: RunningTrending;
let trendingConn: DatabaseConnection;
let bus: Bus;
let producer: BusProducer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const generator = new AbortController();
let generating: Promise<number> = Promise.resolve(0);
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
  staticDir = await mkdtemp(join(tmpdir(), "emote-dashboard-"));
  // The production build, as deployed (vitest's NODE_ENV=test would select React's development build).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      configFile: join(WEB_ROOT, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { outDir: staticDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }

  const shared = {
    KAFKA_BROKERS: infra.brokers.join(","),
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: "2",
  };
  server = await startWebServer(
    readWebEnv({ ...shared, PORT: "0", AUTH_SECRET: authSecret, WEB_STATIC_DIR: staticDir }),
    createObservability("emote-web", { LOG_LEVEL: "silent" }),
  );
  worker = await startWorker(
    readWorkerEnv({
      ...shared,
      WORKER_GROUP_ID: `it-browser-worker-${runId}`,
      WORKER_SESSION_TIMEOUT_MS: "6000",
      METRICS_PORT: "0",
    }),
    createObservability("emote-worker", { LOG_LEVEL: "silent" }),
  );

  // The generator's simulated chat in real time (timestamps on the wall clock), as this
  // run's own streamer; it runs until the tests are done.
  bus = kafkaBus(createKafka({ brokers: infra.brokers, clientId: "browser-it" }), {
    partitions: 2,
    topicPrefix: prefix,
  });
  producer = await bus.producer();
  // The platform view: the trending stage over the worker's window stats.
  trendingConn = connectDatabase(databaseUrl, { max: 2 });
  trending = await runTrending(
    { bus, conn: trendingConn },
    { role: "all", groupId: `it-browser-trending-${runId}`, sessionTimeoutMs: 6_000 },
    createObservability("emote-trending", { LOG_LEVEL: "silent" }),
  );
  const stream = (function* () {
    for (const m of generateEmotes({ seed: 7, start: Date.now(), rate: 12, count: 200_000 }))
      yield { ...m, streamerId };
  })();
  generating = sendEmotes(producer, stream, {
    topic: bus.topics.raw,
    paced: true,
    batchSize: 50,
    signal: generator.signal,
  });
  generating.catch(() => undefined); // awaited (and reported) in afterAll

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: "light" });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  // The server's Content-Security-Policy must let the dashboard run: a blocked script,
  // style or WebSocket shows up here.
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) pageErrors.push(msg.text());
  });
}, 180_000);

afterAll(async () => {
  generator.abort();
  await context?.close();
  await browser?.close();
  const sent = await generating;
  expect(sent).toBeGreaterThan(0);
  await producer?.disconnect();
  await worker?.stop();
  await trending?.stop();
  await trendingConn?.close();
  await server?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
  await dropDatabase(databaseUrl);
}, 120_000);

describe("dashboard in Chromium", () => {
  it("follows a streamer: live moments appear in the feed and the chart shows the current minutes", async () => {
    await page.goto(`${server.url}/`);
    await expect(page.title()).resolves.toBe("Emote Pulse");
    await page.locator('[data-status="live"]').waitFor({ timeout: 30_000 });

    // The selector lists the streamer once the worker has analysed its emotes.
    const select = page.getByRole("banner").getByLabel("Streamer");
    await expect
      .poll(() => select.locator("option").allTextContents(), { timeout: 60_000 })
      .toContain(streamerId);
    await select.selectOption(streamerId);
    expect(new URL(page.url()).searchParams.get("streamer")).toBe(streamerId);

    // The feed shows highlights by default; the original rule's moments on request (remembered).
    const modes = page.getByRole("group", { name: "Moments shown" });
    await expect(
      modes.getByRole("button", { name: "Highlights" }).getAttribute("aria-pressed"),
    ).resolves.toBe("true");
    await modes.getByRole("button", { name: "All moments" }).click();
    await expect(
      modes.getByRole("button", { name: "All moments" }).getAttribute("aria-pressed"),
    ).resolves.toBe("true");

    const firstMoment = page
      .getByRole("list", { name: /Live moments/ })
      .getByRole("listitem")
      .first();
    await firstMoment.waitFor({ timeout: 90_000 });
    await expect(firstMoment.textContent()).resolves.toMatch(/\d+% of the minute/);

    const chart = page.getByRole("img", { name: `Emotes per minute for ${streamerId}` });
    await chart.waitFor({ timeout: 30_000 });
    await page.getByTestId("chart-mark").first().waitFor({ timeout: 30_000 });

    // The history view has the stored moments of this streamer.
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByTestId("history-row").first().waitFor({ timeout: 30_000 });
  }, 180_000);

  it("is read-only for a viewer; a streamer signs in, changes the threshold, and sees it after a reload", async () => {
    const settings = page.getByRole("form", { name: `Analysis settings for ${streamerId}` });
    const threshold = settings.getByLabel("Threshold");
    await expect.poll(() => threshold.isDisabled()).toBe(true);
    await expect(settings.getByRole("note").textContent()).resolves.toMatch(/Viewers can read/);
    // The audit log is not for viewers: no recent changes shown.
    const changes = page.getByRole("region", { name: "Recent changes" });
    await expect(changes.count()).resolves.toBe(0);

    const token = await signToken({ role: "streamer", streamerId, sub: "ui-owner" }, authSecret);
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByTestId("role").textContent(), { timeout: 15_000 })
      .toBe(`streamer · ${streamerId}`);
    await expect.poll(() => threshold.isEnabled(), { timeout: 15_000 }).toBe(true);

    // A value the server refuses: its message shows beside the field, nothing is saved.
    await threshold.fill("1.5");
    await settings.getByRole("button", { name: "Save settings" }).click();
    const invalid = settings.getByRole("alert");
    await invalid.first().waitFor({ timeout: 15_000 });
    // In the schema's words, the same on the client as on the server.
    const refusal = analysisSettingsSchema.shape.threshold.safeParse(1.5).error?.issues[0]?.message;
    expect(refusal).toMatch(/threshold/i);
    await expect(invalid.first().textContent()).resolves.toBe(refusal);
    await expect(threshold.getAttribute("aria-invalid")).resolves.toBe("true");

    await threshold.fill("0.25");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => settings.getByRole("status").textContent(), { timeout: 15_000 }).toMatch(/Saved/);
    // The change appears in the panel's recent changes: who, and what changed from what.
    const change = changes.getByTestId("settings-change").first();
    await expect.poll(() => change.textContent(), { timeout: 15_000 }).toMatch(/ui-owner · streamer · /);
    await expect(change.getByRole("listitem").allTextContents()).resolves.toEqual([
      `Threshold: ${DEFAULT_SETTINGS.threshold} → 0.25`,
    ]);
    await expect(change.locator("time").getAttribute("datetime")).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);

    await page.reload();
    // The token is remembered, the streamer is kept in the address, the value is the server's.
    await expect
      .poll(() => page.getByTestId("role").textContent(), { timeout: 15_000 })
      .toBe(`streamer · ${streamerId}`);
    const reloaded = page
      .getByRole("form", { name: `Analysis settings for ${streamerId}` })
      .getByLabel("Threshold");
    await expect.poll(() => reloaded.inputValue(), { timeout: 15_000 }).toBe("0.25");

    // Wait for the page to be live again, with data, before taking the pictures.
    await page.locator('[data-status="live"]').waitFor({ timeout: 30_000 });
    await page.getByTestId("chart-mark").first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="moment"][data-live="true"]').first().waitFor({ timeout: 90_000 });
    await mkdir(OUTPUT_DIR, { recursive: true });
    // Animations finished, so the pictures do not depend on the frame they were taken at;
    // without motion, no moment that arrives meanwhile is caught half faded in.
    const shot = { fullPage: true, animations: "disabled" } as const;
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.screenshot({ ...shot, path: join(OUTPUT_DIR, "dashboard.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ ...shot, path: join(OUTPUT_DIR, "dashboard-dark.png") });
    await page.emulateMedia({ colorScheme: "light", reducedMotion: "no-preference" });

    expect(pageErrors).toEqual([]);
  }, 180_000);

  it("lets a viewer react: a click (or Enter) sends the emote, which the server counts; a flood shows the limit message", async () => {
    const metric = async (name: string) => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${name} `));
      return Number(line?.slice(line.lastIndexOf(" ") + 1));
    };
    const bar = page.getByRole("group", { name: `React to ${streamerId}` });
    const buttons = bar.getByRole("button");
    await expect.poll(() => buttons.count(), { timeout: 15_000 }).toBe(DEFAULT_SETTINGS.allowedEmotes.length);
    const accepted = await metric("emote_web_emotes_accepted_total");

    const fire = bar.getByRole("button", { name: "React with 🔥" });
    await fire.click();
    await expect
      .poll(() => metric("emote_web_emotes_accepted_total"), { timeout: 15_000 })
      .toBe(accepted + 1);
    // One's own reaction floats up over the feed.
    await expect
      .poll(() => page.locator(".floater", { hasText: "🔥" }).count(), { timeout: 5_000 })
      .toBeGreaterThan(0);
    await fire.focus();
    await page.keyboard.press("Enter");
    await expect
      .poll(() => metric("emote_web_emotes_accepted_total"), { timeout: 15_000 })
      .toBe(accepted + 2);

    // Far past the per-viewer burst in one go: the rest are refused and the page says so, gently.
    const limited = await metric("emote_web_emotes_limited_total");
    const floodStart = performance.now();
    await fire.evaluate((button: HTMLButtonElement) => {
      for (let i = 0; i < 40; i++) button.click();
    });
    const notice = page.getByTestId("reaction-notice");
    await expect
      .poll(() => notice.textContent(), { timeout: 15_000 })
      .toMatch(/reacting faster than we can count/);
    await expect(notice.getAttribute("role")).resolves.toBe("status");
    // Every click is answered, one way or the other.
    const answered = async () =>
      (await metric("emote_web_emotes_accepted_total")) + (await metric("emote_web_emotes_limited_total"));
    await expect.poll(answered, { timeout: 15_000 }).toBe(accepted + 2 + limited + 40);
    const floodSeconds = Math.ceil((performance.now() - floodStart) / 1000);
    const floodAccepted = (await metric("emote_web_emotes_accepted_total")) - (accepted + 2);
    expect(await metric("emote_web_emotes_limited_total")).toBeGreaterThan(limited);
    // The default limits: a burst of 20, then 10 a second for as long as the flood took to
    // arrive (a slow machine spreads the 40 clicks over more than one second).
    expect(floodAccepted).toBeLessThanOrEqual(20 + 10 * floodSeconds);
    expect(floodAccepted).toBeLessThan(40);
    // The message goes away by itself once the viewer may react again.
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toBe("");
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows 'some moments were missed — see history' when the server cannot resume the feed", async () => {
    // The newest stored moment of this streamer, where the feed resumes from, has an id no
    // resume position can be made of: the server answers the resume-lost signal.
    const lost = `ui-lost-${runId}`;
    const conn = connectDatabase(databaseUrl, { max: 1 });
    try {
      await commitAnalysis(conn.db, {
        groupId: `it-browser-lost-${runId}`,
        topic: "browser-it",
        partition: 0,
        nextOffset: 1n,
        streamers: [],
        moments: [
          {
            id: `${lost}-${"x".repeat(64)}`,
            streamerId: lost,
            emote: "🔥",
            timestamp: new Date(Date.UTC(2030, 0, 1)).toISOString(),
            count: 5,
            total: 9,
            ratio: 5 / 9,
          },
        ],
      });
    } finally {
      await conn.close();
    }
    await page.goto(`${server.url}/?streamer=${lost}`);
    const notice = page.getByTestId("moments-missed");
    await notice.waitFor({ timeout: 30_000 });
    await expect(notice.textContent()).resolves.toBe("some moments were missed — see history");
    // The feed goes on from now: the subscription is live again.
    await page.locator('[data-status="live"]').waitFor({ timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("keeps the public view after a token the server refuses, offers to sign in again, and forgets it", async () => {
    await page.goto(`${server.url}/?streamer=${streamerId}`);
    const signOut = page.getByRole("button", { name: "Sign out" });
    if (await signOut.isVisible()) await signOut.click();
    const forged = await signToken({ role: "streamer", streamerId, sub: "ui-forger" }, `${authSecret}-other`);
    await page.getByLabel("Access token").fill(forged);
    await page.getByRole("button", { name: "Sign in" }).click();

    const problem = page.getByTestId("sign-in-problem");
    await expect
      .poll(() => problem.textContent(), { timeout: 15_000 })
      .toMatch(/^Your token was not accepted \(.+\)\. You are back to the public view\.$/);
    await expect(problem.getAttribute("role")).resolves.toBe("alert");
    await expect(page.getByRole("button", { name: "Sign in again" }).isVisible()).resolves.toBe(true);
    await expect.poll(() => page.getByTestId("role").textContent(), { timeout: 15_000 }).toBe("viewer");
    // The public view goes on without the token: reaction bar, chart and feed.
    const buttons = page.getByRole("group", { name: `React to ${streamerId}` }).getByRole("button");
    await expect.poll(() => buttons.count(), { timeout: 15_000 }).toBe(DEFAULT_SETTINGS.allowedEmotes.length);
    await page.getByRole("img", { name: `Emotes per minute for ${streamerId}` }).waitFor({ timeout: 30_000 });
    await page.getByTestId("moment").first().waitFor({ timeout: 30_000 });
    await expect(page.evaluate(() => localStorage.getItem("emote-pulse.token"))).resolves.toBeNull();
    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, "dashboard-token-refused.png"), animations: "disabled" });

    // Not kept across a reload: the page opens signed out, without the message.
    await page.reload();
    await expect.poll(() => page.getByTestId("role").textContent(), { timeout: 15_000 }).toBe("viewer");
    await expect(page.getByRole("button", { name: "Sign in", exact: true }).isVisible()).resolves.toBe(true);
    await expect(problem.count()).resolves.toBe(0);

    // A remembered token that has expired is dropped before any request carries it.
    const expired = await signToken(
      { role: "streamer", streamerId, sub: "ui-owner" },
      authSecret,
      "-1 minute",
    );
    await page.evaluate((t) => localStorage.setItem("emote-pulse.token", t), expired);
    await page.reload();
    await expect
      .poll(() => problem.textContent(), { timeout: 15_000 })
      .toBe("Your sign-in expired. You are back to the public view.");
    await expect(page.evaluate(() => localStorage.getItem("emote-pulse.token"))).resolves.toBeNull();
    await expect.poll(() => buttons.count(), { timeout: 15_000 }).toBe(DEFAULT_SETTINGS.allowedEmotes.length);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("lands a streamer on their own dashboard, even one with no data yet, and lists it in the selector", async () => {
    const own = `ui-own-${runId}`;
    await page.goto(`${server.url}/`);
    const token = await signToken({ role: "streamer", streamerId: own, sub: "ui-new-streamer" }, authSecret);
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: /^Sign in/ }).click();
    const select = page.getByRole("banner").getByLabel("Streamer");
    await expect.poll(() => select.inputValue(), { timeout: 15_000 }).toBe(own);
    expect(new URL(page.url()).searchParams.get("streamer")).toBe(own);
    await page.getByRole("form", { name: `Analysis settings for ${own}` }).waitFor({ timeout: 15_000 });

    // Another streamer, then back to one's own through the selector.
    await select.selectOption(streamerId);
    await page
      .getByRole("form", { name: `Analysis settings for ${streamerId}` })
      .waitFor({ timeout: 15_000 });
    await select.selectOption(own);
    await page.getByRole("form", { name: `Analysis settings for ${own}` }).waitFor({ timeout: 15_000 });

    // Opening the dashboard without a streamer in the address, signed in: one's own.
    await page.goto(`${server.url}/`);
    await expect.poll(() => select.inputValue(), { timeout: 15_000 }).toBe(own);
    await expect(select.locator("option").allTextContents()).resolves.toContain(own);
    await page.getByRole("button", { name: "Sign out" }).click();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows the reaction bar within a phone's first screen, the feed's title above the list", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      colorScheme: "light",
      // Moments arrive every few seconds: without motion, none is caught half faded in.
      reducedMotion: "reduce",
    });
    try {
      const small = await phone.newPage();
      small.on("pageerror", (err) => pageErrors.push(err.message));
      await small.goto(`${server.url}/?streamer=${streamerId}`);
      const bar = small.getByRole("group", { name: `React to ${streamerId}` });
      const buttons = bar.getByRole("button");
      await expect
        .poll(() => buttons.count(), { timeout: 30_000 })
        .toBe(DEFAULT_SETTINGS.allowedEmotes.length);
      await small.getByRole("button", { name: "All moments" }).click();
      await small.getByTestId("moment").first().waitFor({ timeout: 30_000 });
      const box = await bar.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(844);
      const feedTitle = await small.getByRole("heading", { name: "Live moments" }).boundingBox();
      const list = await small.getByRole("list", { name: /Live moments/ }).boundingBox();
      expect(feedTitle?.y ?? Infinity).toBeLessThan(list?.y ?? 0);
      await mkdir(OUTPUT_DIR, { recursive: true });
      await small.screenshot({ path: join(OUTPUT_DIR, "dashboard-phone.png"), animations: "disabled" });
    } finally {
      await phone.close();
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
  it("shows a stream's heatmap with highlight markers, the top highlights, and exports chapters and CSV", async () => {
    // Rows as the worker writes them, for a streamer of their own: a live stream of 30 min.
    const hl = `ui-hl-${runId}`;
    const startedAt = Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000;
    const at = (ms: number) => new Date(startedAt + ms);
    const stream = {
      id: `${hl}:${startedAt}`,
      streamerId: hl,
      startedAt: at(0),
      lastEmoteAt: at(29 * 60_000),
      emotes: 0,
    };
    const spikes = new Map([
      [30, 120],
      [75, 200],
      [120, 60],
    ]);
    const buckets = Array.from({ length: 174 }, (_, i) => {
      const emotes = spikes.get(i) ?? 5 + (i % 7);
      return {
        bucketStart: at(i * 10_000),
        emotes,
        viewers: Math.min(40, Math.ceil(emotes / 3)),
        leading: [{ emote: spikes.has(i) ? "😂" : "🔥", count: Math.ceil(emotes * 0.6) }],
      };
    });
    stream.emotes = buckets.reduce((n, b) => n + b.emotes, 0);
    const surges = [
      surgeMoment(`${hl}-a`, hl, "😂", {
        startedAt: at(5 * 60_000).toISOString(),
        endedAt: at(5 * 60_000 + 30_000).toISOString(),
        score: 9,
        viewers: 12,
        peakRate: 11.5,
      }),
      surgeMoment(`${hl}-b`, hl, "🔥", {
        startedAt: at(12 * 60_000 + 34_000).toISOString(),
        endedAt: at(12 * 60_000 + 50_000).toISOString(),
        score: 7,
        viewers: 30,
      }),
      surgeMoment(`${hl}-c`, hl, "😮", { startedAt: at(20 * 60_000).toISOString(), score: 4, viewers: 8 }),
    ];
    const conn = connectDatabase(databaseUrl, { max: 1 });
    try {
      await insertStream(conn.db, stream);
      await insertIntensity(conn.db, stream, buckets);
      await storeMoments(conn.db, surges);
    } finally {
      await conn.close();
    }

    await page.goto(`${server.url}/?streamer=${hl}`);
    const view = page.getByRole("region", { name: "Streams and highlights" });
    await view.getByTestId("heatmap").waitFor({ timeout: 30_000 });
    await expect(view.getByRole("img", { name: /Chat intensity of the stream/ }).count()).resolves.toBe(1);
    const markers = view.getByTestId("heatmap-marker");
    await expect.poll(() => markers.count(), { timeout: 15_000 }).toBe(3);
    // A marker sits where its surge began: 5 of the stream's 29 min 10 s.
    const track = await view.locator(".heatmap__cells").boundingBox();
    const first = await markers.first().boundingBox();
    const centre = (first?.x ?? 0) + (first?.width ?? 0) / 2 - (track?.x ?? 0);
    expect(centre / (track?.width ?? 1)).toBeCloseTo(300 / 1750, 2);
    // Hovering a marker, or reaching it with the keyboard, tells its details.
    const details = view.getByTestId("marker-details");
    await markers.first().hover();
    await expect
      .poll(() => details.textContent())
      .toBe("😂 at 00:05:00 into the stream: peak 11.5/s against 0.5/s before, 12 viewers, score 9.0");
    await markers.nth(2).focus();
    await expect.poll(() => details.textContent()).toMatch(/^😮 at 00:20:00 into the stream: .*, going on$/);
    await expect(markers.nth(1).getAttribute("aria-label")).resolves.toBe("🔥 highlight at 00:12:34");

    // The strongest first.
    await expect(view.getByTestId("top-highlights").getByRole("listitem").allTextContents()).resolves.toEqual(
      [
        "00:05:00 😂 peak 11.5/s · 12 viewers · score 9.0",
        "00:12:34 🔥 peak 5.0/s · 30 viewers · score 7.0",
        "00:20:00 😮 peak 5.0/s · 8 viewers · score 4.0",
      ],
    );
    const chapters = [
      "00:00:00 Stream start",
      "00:05:00 🔥 😂 highlight · 12 viewers",
      "00:12:34 🔥 🔥 highlight · 30 viewers",
      "00:20:00 🔥 😮 highlight · 8 viewers",
      "",
    ].join("\n");
    await expect(view.getByLabel("YouTube chapters").inputValue()).resolves.toBe(chapters);
    const [chaptersFile] = await Promise.all([
      page.waitForEvent("download"),
      view.getByRole("button", { name: "Download chapters" }).click(),
    ]);
    expect(chaptersFile.suggestedFilename()).toMatch(/-chapters\.txt$/);
    const [csvFile] = await Promise.all([
      page.waitForEvent("download"),
      view.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    const csvPath = await csvFile.path();
    const csv = await readFile(csvPath, "utf8");
    expect(csv.split("\r\n")[0]).toBe(
      "stream_id,offset,emote,started_at,ended_at,peak_rate,baseline_rate,score,viewers",
    );
    expect(csv.split("\r\n")[1]).toBe(
      `${stream.id},00:05:00,😂,${at(300_000).toISOString()},${at(330_000).toISOString()},11.5,0.5,9,12`,
    );

    // The A/B of the stream: every highlight is the surge detector's, none the rule's here.
    const compare = view.getByTestId("compare");
    await expect
      .poll(() => compare.getByRole("row").nth(1).textContent(), { timeout: 15_000 })
      .toBe("Surge (highlights)36.23 of 3");

    // The feed's highlight card: time into the current stream and whether it is over.
    const cards = page.locator('[data-testid="moment"][data-kind="surge"]');
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(3);
    const card = cards.filter({ hasText: "00:05:00" });
    await card.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => card.textContent(), { timeout: 15_000 })
      .toMatch(/^😂Highlight 😂 peak 11\.5\/s · 12 viewers00:05:00 into the stream · lasted 30 s · earlier$/);

    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.emulateMedia({ reducedMotion: "reduce" });
    await view.screenshot({ path: join(OUTPUT_DIR, "stream-view.png"), animations: "disabled" });
    await page.emulateMedia({ reducedMotion: "no-preference" });

    // On a phone: the heatmap fits the screen, nothing scrolls sideways.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const small = await phone.newPage();
      small.on("pageerror", (err) => pageErrors.push(err.message));
      await small.goto(`${server.url}/?streamer=${hl}`);
      const heatmap = small.getByTestId("heatmap");
      await heatmap.waitFor({ timeout: 30_000 });
      const box = await heatmap.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThanOrEqual(390);
      await expect(small.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(
        390,
      );
      await heatmap.scrollIntoViewIfNeeded();
      await small.screenshot({ path: join(OUTPUT_DIR, "stream-view-phone.png"), animations: "disabled" });
    } finally {
      await phone.close();
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows the platform view: trending emotes, a surging streamer linking to its dashboard, intensity, admin analytics", async () => {
    // The worker finds no surges yet: one as the surge detector would publish it.
    const at = new Date().toISOString();
    const surge = {
      id: `ui-surge-${runId}`,
      streamerId,
      emote: "🔥",
      timestamp: new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString(),
      count: 30,
      total: 60,
      ratio: 0.5,
      kind: "surge",
      surge: { startedAt: at, detectedAt: at, peakRate: 12, baselineRate: 1, score: 7.5, viewers: 21 },
      position: 1,
    };
    await producer.send([
      { topic: bus.topics.aggregated, records: [{ key: streamerId, value: JSON.stringify([surge]) }] },
    ]);

    await page.goto(`${server.url}/`);
    await page.getByRole("navigation", { name: "Pages" }).getByRole("button", { name: "Platform" }).click();
    expect(new URL(page.url()).searchParams.get("view")).toBe("platform");
    const emotes = page.getByRole("list", { name: /Emotes trending over the last 1 minutes/ });
    await expect.poll(() => emotes.getByRole("listitem").count(), { timeout: 60_000 }).toBeGreaterThan(0);
    // Rows are keyed by emote: each emote once.
    const keys = await emotes
      .getByRole("listitem")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")));
    expect(new Set(keys).size).toBe(keys.length);
    await page.getByRole("button", { name: "10 min" }).click();
    await page.getByRole("list", { name: /Emotes trending over the last 10 minutes/ }).waitFor();

    const surging = page.getByRole("list", { name: /Strongest live surges/ });
    const link = surging.getByRole("link", { name: streamerId });
    await link.waitFor({ timeout: 60_000 });
    await expect(surging.textContent()).resolves.toContain("21 viewers");
    await expect
      .poll(() => page.getByTestId("intensity-latest").textContent(), { timeout: 30_000 })
      .toMatch(/^\d+$/);
    await expect(page.getByTestId("intensity-viewers").textContent()).resolves.toMatch(/^\d+$/);
    await expect(page.getByTestId("analytics-locked").isVisible()).resolves.toBe(true);
    await mkdir(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, "platform.png"), animations: "disabled" });

    // Admins see the cross-streamer analytics.
    const admin = await signToken({ role: "admin", sub: "ui-admin" }, authSecret);
    await page.getByLabel("Access token").fill(admin);
    await page.getByRole("button", { name: /^Sign in/ }).click();
    await page.getByTestId("admin-analytics").waitFor({ timeout: 15_000 });
    await expect(page.getByRole("table", { name: /highlights per hour/ }).isVisible()).resolves.toBe(true);
    await page.getByRole("button", { name: "Sign out" }).click();

    // The surging streamer's link opens its dashboard.
    await link.click();
    expect(new URL(page.url()).searchParams.get("streamer")).toBe(streamerId);
    await page
      .getByRole("form", { name: `Analysis settings for ${streamerId}` })
      .waitFor({ timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
