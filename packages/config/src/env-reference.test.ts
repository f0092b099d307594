import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envHelp, envVariables } from "./env-reference.ts";

const schema = z.object({
  PORT: z.coerce.number().default(3000).describe("Port to listen on."),
  LIST: z
    .string()
    .default("a,b")
    .transform((s) => s.split(","))
    .describe("A list."),
  EMPTY: z.string().default("").describe("Empty by default."),
  SECRET: z.string().optional().describe("No default."),
});

describe("envVariables", () => {
  it("reads each field's description and default, through transforms", () => {
    expect(envVariables(schema)).toEqual([
      { name: "PORT", defaultText: "3000", description: "Port to listen on." },
      { name: "LIST", defaultText: "a,b", description: "A list." },
      { name: "EMPTY", defaultText: "empty", description: "Empty by default." },
      { name: "SECRET", defaultText: "unset", description: "No default." },
    ]);
  });

  it("refuses a field without a description, naming it", () => {
    expect(() => envVariables(z.object({ BARE: z.string().default("x") }))).toThrow(/^BARE: /);
  });
});

describe("envHelp", () => {
  it("prints each variable with its default and its description below, wrapped", () => {
    const long = z.object({ LONG: z.string().optional().describe("word ".repeat(40).trim()) });
    const lines = envHelp(long).split("\n");
    expect(lines[0]).toBe("Environment:");
    expect(lines[1]).toBe("  LONG (default: unset)");
    expect(lines.slice(2).every((l) => l.startsWith("      word") && l.length <= 100)).toBe(true);
    expect(lines.slice(2).join(" ").split(/\s+/).filter(Boolean)).toHaveLength(40);
  });
});
