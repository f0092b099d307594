import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const README = new URL("../../../README.md", import.meta.url);

/** The variables the README's `## Configuration` table has a row for (a row may name several). */
export function readmeConfigurationVariables(markdown: string): Set<string> {
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(`${markdown}\n## `)?.[1] ?? "";
  const names = new Set<string>();
  for (const line of section.split("\n")) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1];
    for (const [, name] of firstCell?.matchAll(/`([A-Z][A-Z0-9_]*)`/g) ?? []) names.add(name!);
  }
  return names;
}

export interface ConfiguredEntryPoint {
  /** How the describe block names it: "the worker". */
  who: string;
  /** Every variable its env schema reads: `Object.keys(schema.shape)`. */
  variables: readonly string[];
  /** Where the schema is, for the failure message ("apps/worker/src/env.ts"). */
  schemaFile: string;
  /** What its `--help` prints. */
  help: string;
  /** Where that text is written, for the failure message. */
  helpFile: string;
}

/**
 * Configuration described once: every variable an entry point's env schema reads has a
 * row in the README's configuration table and a mention in its `--help`. A variable added
 * to a schema fails here, naming the variable and where to add it.
 */
export function describeConfigurationDocs(app: ConfiguredEntryPoint): void {
  describe(`${app.who}'s configuration`, () => {
    it("has every variable its env schema reads in the README's configuration table", () => {
      const documented = readmeConfigurationVariables(readFileSync(README, "utf8"));
      const missing = app.variables.filter((name) => !documented.has(name));
      expect(
        missing,
        `${missing.join(", ")}: read by ${app.schemaFile} but missing from README.md's ` +
          "## Configuration table: add a row | `NAME` | default | meaning | for each",
      ).toEqual([]);
    });

    it("names every variable its env schema reads in --help", () => {
      expect(app.help).toMatch(/^Usage: /);
      const missing = app.variables.filter((name) => !new RegExp(String.raw`\b${name}\b`).test(app.help));
      expect(
        missing,
        `${missing.join(", ")}: read by ${app.schemaFile} but not named by ${app.who}'s --help: ` +
          `add it to the help text in ${app.helpFile}`,
      ).toEqual([]);
    });
  });
}
