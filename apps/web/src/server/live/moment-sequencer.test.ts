import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Moment } from "@emote/contracts";
import { waitFor } from "@emote/testkit";
import { MomentSequencer, type MomentLogReader, type SequencerOptions } from "./moment-sequencer.ts";

const moment = (position: number): Moment => ({
  id: `m${position}`,
  streamerId: `s${position % 3}`,
  emote: "🔥",
  timestamp: "2030-01-01T00:00:00.000Z",
  count: 2,
  total: 3,
  ratio: 2 / 3,
  position,
});

/** The moment log in PostgreSQL, as far as it is committed. */
class FakeLog implements MomentLogReader {
  committed = 0;
  reads = 0;
  failNext = false;
  removed = new Set<number>();
  unreachable = false;
  async lastPosition() {
    if (this.unreachable) throw new Error("database unreachable");
    return this.committed;
  }
  async read(after: number, upTo: number, limit: number) {
    this.reads++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("database went away");
    }
    const out: Moment[] = [];
    for (let p = after + 1; p <= Math.min(upTo, this.committed) && out.length < limit; p++) {
      if (!this.removed.has(p)) out.push(moment(p));
    }
    return out;
  }
}

const FAST: SequencerOptions = { graceMs: 5, pollMs: 10, maxPending: 100, page: 7 };
const running: MomentSequencer[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.close();
});

async function started(log: FakeLog, opts: Partial<SequencerOptions> = {}) {
  const out: number[] = [];
  const seq = new MomentSequencer(log, (m) => out.push(m.position ?? -1), { ...FAST, ...opts });
  running.push(seq);
  await seq.start();
  return { seq, out };
}

describe("MomentSequencer", () => {
  it("starts after the log's end and emits in position order, each once", async () => {
    const log = new FakeLog();
    log.committed = 10;
    const { seq, out } = await started(log, { graceMs: 60_000, pollMs: 60_000 });
    expect(seq.nextPosition()).toBe(11);
    log.committed = 14;
    expect(seq.offer([moment(12), moment(11)])).toBe(2);
    expect(seq.offer([moment(11), moment(13), moment(9)])).toBe(1); // repeats and history are dropped
    expect(out).toEqual([11, 12, 13]);
    expect(seq.nextPosition()).toBe(14);
    expect(seq.stats()).toMatchObject({ repeated: 2, pending: 0 });
    expect(log.reads).toBe(0);
  });

  it("reads a gap from PostgreSQL once it outlasts the grace, keeping the order", async () => {
    const log = new FakeLog();
    const { seq, out } = await started(log, { pollMs: 60_000 });
    log.committed = 5;
    seq.offer([moment(1), moment(4), moment(5)]); // 2 and 3 were published elsewhere, late, or never
    expect(out).toEqual([1]);
    await waitFor("the gap read", () => out.length === 5, 5_000);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    seq.offer([moment(2), moment(3)]); // they come from Kafka after all: dropped
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  it("finds moments whose publication was lost through the poll, and skips ones no longer stored", async () => {
    const log = new FakeLog();
    const { seq, out } = await started(log);
    log.committed = 20;
    log.removed.add(3);
    await waitFor("the poll", () => out.length === 19, 5_000);
    expect(out).toEqual([...Array(20).keys()].map((i) => i + 1).filter((p) => p !== 3));
    expect(seq.nextPosition()).toBe(21);
  });

  it("emits a surge's end (its id again, at a higher position) after the onset, and skips the onset's moved row", async () => {
    const log = new FakeLog();
    const ids: string[] = [];
    const seq = new MomentSequencer(log, (m) => ids.push(`${m.id}@${m.position}`), FAST);
    running.push(seq);
    await seq.start();
    const surge = (position: number): Moment => ({ ...moment(position), id: "surge" });
    log.committed = 3;
    seq.offer([surge(1), moment(2), surge(3)]);
    expect(ids).toEqual(["surge@1", "m2@2", "surge@3"]);
    // The onset's publication was lost and its row has moved on to the end's position (6).
    log.removed.add(4);
    log.committed = 6;
    seq.offer([surge(6)]);
    await waitFor("the gap read", () => ids.length === 5, 5_000);
    expect(ids.slice(3)).toEqual(["m5@5", "surge@6"]);
  });

  it("tries a failed read again and holds no more than maxPending", async () => {
    const log = new FakeLog();
    const { seq, out } = await started(log, { maxPending: 3 });
    log.committed = 10;
    log.failNext = true;
    seq.offer([10, 9, 8, 7, 6, 5, 4, 3, 2].map(moment));
    expect(seq.stats().pending).toBeLessThanOrEqual(3);
    await waitFor("the retried read", () => out.length === 10, 5_000);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("has no position until the log's end can be read, then starts after it", async () => {
    const log = new FakeLog();
    log.unreachable = true;
    log.committed = 7;
    const { seq, out } = await started(log);
    expect(seq.nextPosition()).toBeUndefined();
    seq.offer([moment(8)]);
    expect(out).toEqual([]);
    log.unreachable = false;
    // Position 8 follows the log's end (7): the moment held meanwhile goes out.
    await waitFor("the held moment", () => out.length === 1, 5_000);
    expect(out).toEqual([8]);
    expect(seq.nextPosition()).toBe(9);
  });

  it("ignores moments without a position", async () => {
    const log = new FakeLog();
    const { seq, out } = await started(log, { graceMs: 60_000, pollMs: 60_000 });
    const { position: _, ...unnumbered } = moment(1);
    expect(seq.offer([unnumbered])).toBe(0);
    expect(out).toEqual([]);
    expect(seq.stats().ignored).toBe(1);
  });

  it("emits 1…n exactly once, in order, whatever Kafka's order, repeats and losses (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            // Each position arrives 0–3 times from Kafka (0: its publication was lost).
            copies: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
            order: fc.array(fc.nat(), { minLength: 4 * n, maxLength: 4 * n }),
            chunks: fc.integer({ min: 1, max: 5 }),
            maxPending: fc.integer({ min: 1, max: 20 }),
          }),
        ),
        async ({ n, copies, order, chunks, maxPending }) => {
          const log = new FakeLog();
          const { seq, out } = await started(log, { maxPending });
          const arrivals: number[] = [];
          copies.forEach((c, i) => {
            for (let k = 0; k < c; k++) arrivals.push(i + 1);
          });
          const shuffled = arrivals
            .map((p, i) => ({ p, key: order[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.p);
          // A position is committed before it is published; offers come in chunks.
          log.committed = n;
          const size = Math.ceil(shuffled.length / chunks) || 1;
          for (let i = 0; i < shuffled.length; i += size) {
            seq.offer(shuffled.slice(i, i + size).map(moment));
            await new Promise((r) => setImmediate(r));
          }
          await waitFor("every position", () => out.length >= n, 5_000);
          expect(out).toEqual([...Array(n).keys()].map((i) => i + 1));
          seq.close();
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
