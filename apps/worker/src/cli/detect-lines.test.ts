import { describe, expect, it } from "vitest";
import { NOT_AN_EMOTE_MESSAGE } from "@emote/contracts";
import { detectedMomentSchema } from "../detectors/detector-types.ts";
import { audience, during, POPULAR_MIX, syntheticChat } from "../../test/synthetic-chat.ts";
import { createDetector } from "./detector-choice.ts";
import { detectLines, LINE_MAX_BYTES } from "./detect-lines.ts";

function asLines(): string[] {
  const records = syntheticChat(300, [
    { rate: () => 3, emote: POPULAR_MIX, viewer: audience(100) },
    { rate: during(200, 220, 8), emote: () => "🔥", viewer: audience(20, "fan") },
  ]);
  return records.map((r) =>
    JSON.stringify({
      emote: r.emote,
      timestamp: new Date(r.timestampMs).toISOString(),
      streamerId: r.streamerId,
      viewer: r.viewer,
    }),
  );
}

async function run(
  lines: string[],
  kind: "surge" | "threshold" = "surge",
  chunks: Uint8Array[] = [Buffer.from(`${lines.join("\n")}\n`)],
  updates = false,
) {
  let out = "";
  const log: string[] = [];
  const io = { write: (t: string) => void (out += t), log: (l: string) => void log.push(l) };
  const report = await detectLines(chunks, createDetector(kind), io, { updates });
  return { report, log, out: out.split("\n").filter((l) => l !== "") };
}

describe("detectLines", () => {
  it("prints each moment once, as one JSON line of the moment's contract, complete with its end", async () => {
    const lines = asLines();
    const { out, report } = await run(lines);
    expect(out.length).toBe(1);
    const [surge] = out.map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    expect(surge).toMatchObject({ kind: "surge", emote: "🔥" });
    if (surge?.kind !== "surge") throw new Error("no surge");
    expect(surge.detectedAt <= "2026-03-01T20:03:25Z").toBe(true);
    expect(surge.endedAt !== undefined && surge.endedAt > surge.detectedAt).toBe(true);
    expect(report).toMatchObject({ lines: lines.length, skipped: 0, moments: 1 });
  });

  it("prints a surge still open when the input ends, without an end", async () => {
    // The input stops 5 s into the 20 s surge.
    const lines = asLines().filter((l) => l.slice(l.indexOf('"timestamp":"') + 13) < "2026-03-01T20:03:25");
    const { out } = await run(lines);
    const moments = out.map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    expect(moments.map((m) => [m.kind, m.emote, "endedAt" in m])).toEqual([["surge", "🔥", false]]);
  });

  it("with updates, prints a surge at its onset and again with its end, same id, as the worker does", async () => {
    const lines = asLines();
    const once = (await run(lines)).out.map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    const { out, report } = await run(lines, "surge", undefined, true);
    const moments = out.map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    expect(moments.map((m) => [m.id, "endedAt" in m])).toEqual([
      [once[0]?.id, false],
      [once[0]?.id, true],
    ]);
    expect(moments[1]).toEqual(once[0]);
    expect(report.moments).toBe(2);
  });

  it("skips bad lines with a count, reports the first ones, and finds the same moments", async () => {
    const good = asLines();
    const bad = [
      "not json",
      "{}",
      '{"emote":"😀"}',
      "[1,2]",
      "null",
      '"x"',
      "{",
      "1",
      "true",
      "{]",
      "x",
      "y",
    ];
    const mixed = good.flatMap((line, i) =>
      i % 50 === 0 ? [bad[(i / 50) % bad.length] ?? "", line] : [line],
    );
    const clean = await run(good);
    const dirty = await run([...mixed, ""]);
    expect(dirty.out).toEqual(clean.out);
    const skipped = mixed.length - good.length;
    expect(dirty.report.skipped).toBe(skipped);
    expect(dirty.log.slice(0, 2)).toEqual([
      "line 1 skipped: not JSON",
      `line 52 skipped: invalid emote: ${NOT_AN_EMOTE_MESSAGE}`,
    ]);
    expect(dirty.log.at(-1)).toBe(`… ${skipped - 10} more bad lines skipped`);
  });

  it("reads the same lines whatever the chunks' cuts (inside a character, a CRLF, a last line without one)", async () => {
    const lines = asLines().map((l, i) =>
      i % 7 === 0 ? l.replace(/"viewer":"(\w+)"/, '"viewer":"zoë-$1"') : l,
    );
    const whole = await run(lines);
    const bytes = Buffer.from(lines.join("\r\n"));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 7) chunks.push(bytes.subarray(at, at + 7));
    const cut = await run(lines, "surge", chunks);
    expect(cut.out).toEqual(whole.out);
    expect(cut.report).toMatchObject({ lines: lines.length, skipped: 0, moments: 1 });
  });

  it("skips a line too long to hold, without holding it, and reads on", async () => {
    const lines = asLines();
    const whole = await run(lines);
    const head = Buffer.from(`${lines.slice(0, 100).join("\n")}\n`);
    const tail = Buffer.from(`\n${lines.slice(100).join("\n")}\n`);
    const junk = Buffer.alloc(LINE_MAX_BYTES / 4, "x");
    const chunks = [head, junk, junk, junk, junk, junk, junk, tail];
    const cut = await run(lines, "surge", chunks);
    expect(cut.out).toEqual(whole.out);
    expect(cut.report).toMatchObject({ lines: lines.length + 1, skipped: 1 });
    expect(cut.log).toContain(`line 101 skipped: longer than ${LINE_MAX_BYTES} bytes`);
  });

  it("says when records come out of time order beyond the late allowance, and how far", async () => {
    const lines = asLines();
    expect((await run(lines)).report.late).toBe(0);
    // The last minute first: every record of the four before it is then minutes behind.
    const cut = lines.length - 200;
    const { report, log } = await run([...lines.slice(cut), ...lines.slice(0, cut)]);
    expect(report.late).toBe(cut);
    expect(log.find((l) => l.includes("behind their streamer's newest"))).toMatch(
      new RegExp(
        `^${cut} records came more than 2 s behind .* \\(up to \\d+ s\\).*sort the input by timestamp`,
      ),
    );
  });

  it("runs the seed's rule through the same path", async () => {
    const { out } = await run(asLines(), "threshold");
    const moments = out.map((l) => detectedMomentSchema.parse(JSON.parse(l)));
    expect(moments.length).toBeGreaterThan(0);
    expect(moments.every((m) => m.kind === "threshold" && m.startedAt.endsWith(":00.000Z"))).toBe(true);
  });
});
