/** A Dockerfile read as stages, enough to check its targets statically (no Docker engine here). */
export interface Stage {
  name: string;
  from: string;
  instructions: { op: string; args: string }[];
}

/** The stages of `text`, with line continuations joined and `ARG`s before the first FROM applied. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op = "", ...rest] = line.split(/\s+/);
    const argText = rest.join(" ");
    const upper = op.toUpperCase();
    if (upper === "ARG" && stages.length === 0) {
      const [k, v] = argText.split("=");
      if (k && v !== undefined) args.set(k, v);
    } else if (upper === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argText);
      const from = (m?.[1] ?? "").replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? "");
      stages.push({ name: m?.[2] ?? String(stages.length), from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: argText });
    }
  }
  return stages;
}

/** The stages `target` is built from, itself first, down to the base image's stage. */
export function lineage(stages: Stage[], target: string): Stage[] {
  const chain: Stage[] = [];
  let stage = stages.find((s) => s.name === target);
  while (stage && !chain.includes(stage)) {
    chain.push(stage);
    const from = stage.from;
    stage = stages.find((s) => s.name === from);
  }
  return chain;
}

/** The user `target` runs as: its last USER, or its ancestors', or root. */
export function effectiveUser(stages: Stage[], target: string): string {
  for (const stage of lineage(stages, target)) {
    const user = stage.instructions.filter((i) => i.op === "USER").at(-1);
    if (user) return user.args;
  }
  return "root";
}

/** The image the chain of `target` starts from. */
export function baseImage(stages: Stage[], target: string): string {
  return lineage(stages, target).at(-1)?.from ?? "";
}
