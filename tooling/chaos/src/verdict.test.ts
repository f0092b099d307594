import { describe, expect, it } from "vitest";
import type { Moment } from "@emote/contracts";
import { formatTable, judgeDelivered, judgeStored } from "./verdict.ts";

function moment(streamerId: string, seq: number, count = 5): Moment {
  return {
    id: `${streamerId}:${seq}:KEKW`,
    streamerId,
    emote: "KEKW",
    count,
    total: 30,
    ratio: count / 30,
    timestamp: new Date(Date.UTC(2012, 0, 1, 0, seq)).toISOString(),
  } as Moment;
}

const reference = [moment("a", 0), moment("a", 1), moment("a", 2), moment("b", 0), moment("b", 1)];
const seqs = new Map(reference.map((m) => [m.id, Number(m.id.split(":")[1])]));
const at = (moments: Moment[], every = 1000) => moments.map((m, i) => ({ at: i * every, moment: m }));

describe("chaos verdicts", () => {
  it("counts a complete, ordered delivery as clean", () => {
    expect(judgeDelivered("all", reference, seqs, undefined, at(reference))).toMatchObject({
      expected: 5,
      got: 5,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      outOfOrder: 0,
      longestStallMs: 1000,
    });
  });

  it("finds lost, repeated, foreign and late moments of a one-streamer subscriber", () => {
    const [a0, a1, a2, b0] = reference as [Moment, Moment, Moment, Moment];
    const v = judgeDelivered("one", reference, seqs, "a", at([a0, a2, a2, a1, b0, moment("a", 9)]));
    expect(v).toMatchObject({ expected: 3, got: 6, lost: 0, duplicated: 1, unexpected: 2, outOfOrder: 1 });
    expect(judgeDelivered("one", reference, seqs, "a", at([a0, a2])).lost).toBe(1);
  });

  it("counts a stored moment with other content as lost", () => {
    const stored = [...reference.slice(0, 4), moment("b", 1, 6)];
    expect(judgeStored("stored", reference, stored, 2500)).toMatchObject({ lost: 1, unexpected: 0, got: 5 });
  });

  it("prints one row per verdict under one header", () => {
    const table = formatTable(1234, [judgeStored("stored", reference, reference, 9_000)]);
    expect(table.split("\n")).toHaveLength(3);
    expect(table).toMatch(/\| stored \|\s+1234 \|\s+5 \|\s+5 \|\s+0 \|/);
    expect(table).toContain("9.0 s");
  });
});
