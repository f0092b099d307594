import type { z } from "zod";

/**
 * What an env schema says about one variable. Each field's `.describe()` (the last call
 * in its chain, so zod keeps it on the outer schema) and its `.default()` are the one
 * source of `--help` and docs/configuration.md.
 */
export interface EnvVariable {
  name: string;
  /** The default as written in the schema, or "unset" when the variable is optional. */
  defaultText: string;
  description: string;
}

type EnvObject = z.ZodObject<z.ZodRawShape>;

/** The variables of an env schema in declaration order; a field without `.describe()` throws. */
export function envVariables(schema: EnvObject): EnvVariable[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const type = field as z.ZodType;
    if (!type.description) {
      throw new Error(`${name}: its env schema field has no .describe(); every variable is documented`);
    }
    return { name, defaultText: defaultText(type), description: type.description };
  });
}

function defaultText(type: z.ZodType): string {
  const def = type._zod.def;
  if (def.type === "default") return show((def as z.core.$ZodDefaultDef).defaultValue);
  // `.default(…).transform(…)`: the default sits on the pipe's input.
  if (def.type === "pipe") return defaultText((def as z.core.$ZodPipeDef).in as z.ZodType);
  return "unset";
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "empty" : value.join(",");
  if (value === "") return "empty";
  return String(value);
}

const HELP_WIDTH = 100;
const DESCRIPTION_INDENT = "      ";

/** The `Environment:` section of a `--help`: each variable with its default, its description below. */
export function envHelp(schema: EnvObject): string {
  const lines = ["Environment:"];
  for (const variable of envVariables(schema)) {
    lines.push(`  ${variable.name} (default: ${variable.defaultText})`);
    lines.push(
      ...wrap(variable.description, HELP_WIDTH - DESCRIPTION_INDENT.length).map(
        (l) => DESCRIPTION_INDENT + l,
      ),
    );
  }
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
