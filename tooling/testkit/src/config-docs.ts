import { describe, expect, it } from "vitest";

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
 * Every variable an entry point's env schema reads is named by its `--help`, whose
 * environment section is generated from the schema (`envHelp`); docs/configuration.md is
 * generated from the same schemas and checked by tooling/docs.
 */
export function describeConfigurationDocs(app: ConfiguredEntryPoint): void {
  describe(`${app.who}'s configuration`, () => {
    it("names every variable its env schema reads in --help", () => {
      expect(app.help).toMatch(/^Usage: /);
      const missing = app.variables.filter((name) => !new RegExp(String.raw`\b${name}\b`).test(app.help));
      expect(
        missing,
        `${missing.join(", ")}: read by ${app.schemaFile} but not named by ${app.who}'s --help: ` +
          `print envHelp(schema) in ${app.helpFile}`,
      ).toEqual([]);
    });
  });
}
