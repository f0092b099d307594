import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DLQ_REASONS } from "@emote/contracts";

const deployDir = fileURLToPath(new URL("../../../deploy", import.meta.url));

/** Every `reason` value a selector of the DLQ counter names in `text`, `|` alternatives split. */
function dlqReasonValues(text: string): string[] {
  // The dashboard's JSON escapes the quotes of its queries.
  const plain = text.replaceAll('\\"', '"');
  const selectors = plain.match(/emote_worker_dlq_messages_total\s*\{[^}]*\}/g) ?? [];
  return selectors.flatMap((selector) =>
    [...selector.matchAll(/\breason\s*(?:=~|!~|!=|=)\s*"([^"]*)"/g)].flatMap((m) => (m[1] ?? "").split("|")),
  );
}

describe("DLQ reason label values in deploy/", () => {
  it("finds the values of a selector, in YAML or in JSON", () => {
    expect(
      dlqReasonValues(
        'emote_worker_dlq_messages_total{job="emote-worker",reason="not_json"} ' +
          '{"expr": "rate(emote_worker_dlq_messages_total{reason=~\\"empty|too_large\\"}[5m])"}',
      ),
    ).toEqual(["not_json", "empty", "too_large"]);
  });

  it("are all reasons the worker emits", () => {
    const files = readdirSync(deployDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    const used = files.flatMap((f) =>
      dlqReasonValues(readFileSync(join(f.parentPath, f.name), "utf8")).map((reason) => ({
        file: join(f.parentPath, f.name).slice(deployDir.length + 1),
        reason,
      })),
    );
    // The alert unit tests select by reason, so the scan must see them.
    expect(used.map((u) => u.file)).toContain("prometheus/alerts.test.yml");
    const known: readonly string[] = DLQ_REASONS;
    expect(used.filter((u) => !known.includes(u.reason))).toEqual([]);
  });
});
