/**
 * Unknown fields. The schema validators of kubernetes-models (ajv, compiled) accept any field
 * they do not know, as Kubernetes' OpenAPI allows; the API server (strict field validation, the
 * default of `kubectl apply`) refuses them. This runs a validator over a tracing proxy of the
 * object: a compiled validator reads every property its schema declares (`data.replicas`) and
 * enumerates the keys of a map (`additionalProperties`). A key of an object that the validator
 * read from but never read nor enumerated is unknown. An object it neither read nor enumerated
 * is free-form in its schema (a raw extension) and is left alone.
 */
export type Validate = (data: unknown) => void;

interface Seen {
  read: Set<string>;
  enumerated: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tracer(value: unknown, path: string, seen: Map<string, Seen>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entry: Seen = seen.get(path) ?? { read: new Set(), enumerated: false };
  seen.set(path, entry);
  return new Proxy(value, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return child;
      entry.read.add(key);
      return Array.isArray(target) && key === "length" ? child : tracer(child, `${path}/${key}`, seen);
    },
    has(target, key) {
      if (typeof key === "string") entry.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      entry.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownKeys(value: unknown, path: string, seen: Map<string, Seen>, found: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownKeys(item, `${path}/${i}`, seen, found));
    return;
  }
  if (!isRecord(value)) return;
  const entry = seen.get(path);
  const strict = entry !== undefined && !entry.enumerated && entry.read.size > 0;
  for (const [key, child] of Object.entries(value)) {
    if (strict && !entry.read.has(key)) found.push(`${path}/${key}`);
    else unknownKeys(child, `${path}/${key}`, seen, found);
  }
}

/** Runs `validate` (which throws on a schema error) and returns the paths of unknown fields. */
export function validateStrictly(validate: Validate, object: unknown): string[] {
  const seen = new Map<string, Seen>();
  validate(tracer(object, "", seen));
  const found: string[] = [];
  unknownKeys(object, "", seen, found);
  return found.sort();
}
