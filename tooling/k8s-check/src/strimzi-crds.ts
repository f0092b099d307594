import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { REPO_ROOT } from "./paths.ts";
import type { Validate } from "./strict-validate.ts";

/**
 * Strimzi's CRDs, generated from Maven Central artifacts only: the io.strimzi:api jar holds the
 * annotated model classes (no CRD files) and io.strimzi:crd-generator turns them into the
 * CustomResourceDefinitions, as Strimzi's own build does. pom.xml beside this package pins both.
 * The generator needs Java 21+ (Temurin 25 here); the result is cached under .cache/.
 */
export const STRIMZI_POM = join(REPO_ROOT, "tooling/k8s-check/strimzi/pom.xml");
export const STRIMZI_CACHE = join(REPO_ROOT, ".cache/strimzi-crds");

/** The kinds the overlays use, by the model class the generator reads. */
export const STRIMZI_KINDS = {
  Kafka: "io.strimzi.api.kafka.model.kafka.Kafka",
  KafkaNodePool: "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
  KafkaTopic: "io.strimzi.api.kafka.model.topic.KafkaTopic",
} as const;
export type StrimziKind = keyof typeof STRIMZI_KINDS;
export const STRIMZI_API_VERSION = "kafka.strimzi.io/v1";

type Log = (line: string) => void;

/** A JDK of version 21 or later: JAVA_HOME when it is one, else Temurin 25 where the machines have it. */
export function findJava(env: Record<string, string | undefined>): string {
  const homes = [env.JAVA_HOME, "/usr/lib/jvm/temurin-25-jdk-amd64"];
  for (const home of homes) {
    if (!home) continue;
    const java = join(home, "bin/java");
    const version = spawnSync(java, ["-version"], { encoding: "utf8" });
    const major = /version "(\d+)/.exec(version.stderr ?? "")?.[1];
    if (version.status === 0 && Number(major) >= 21) return java;
  }
  throw new Error(
    "Strimzi's CRD generator needs Java 21 or later: install one (Temurin 25 in " +
      "/usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to a JDK 21+.",
  );
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.error) throw new Error(`${what}: could not run ${cmd} (${r.error.message})`);
  if (r.status !== 0) throw new Error(`${what}: ${cmd} exited ${r.status}`);
}

/**
 * The folder holding one CRD file per kind of STRIMZI_KINDS, fetched and generated on first use
 * and again whenever the pom changes (its text is the cache key).
 */
export function ensureStrimziCrds(log: Log, env: Record<string, string | undefined> = process.env): string {
  const pom = readFileSync(STRIMZI_POM, "utf8");
  const marker = join(STRIMZI_CACHE, ".complete");
  if (existsSync(marker) && readFileSync(marker, "utf8") === pom) return STRIMZI_CACHE;
  rmSync(STRIMZI_CACHE, { recursive: true, force: true });
  const lib = join(STRIMZI_CACHE, "lib");
  mkdirSync(lib, { recursive: true });
  log(`Fetching Strimzi's api and crd-generator jars with Maven into ${lib} (first run only)…`);
  run(
    "mvn",
    [
      "-B",
      "-q",
      "-Dstyle.color=never",
      "-f",
      STRIMZI_POM,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${lib}`,
    ],
    "Fetching the Strimzi jars",
  );
  log("Generating the Strimzi CRDs…");
  run(
    findJava(env),
    [
      "-cp",
      `${lib}/*`,
      "io.strimzi.crdgenerator.CrdGenerator",
      "--crd-api-version",
      "v1",
      "--api-versions",
      "v1",
      "--storage-version",
      "v1",
      "--describe-api-versions",
      "v1",
      "--yaml",
      ...Object.entries(STRIMZI_KINDS).map(([kind, cls]) => `${cls}=${crdFile(STRIMZI_CACHE, kind)}`),
    ],
    "Generating the Strimzi CRDs",
  );
  writeFileSync(marker, pom);
  return STRIMZI_CACHE;
}

export const crdFile = (dir: string, kind: string): string => join(dir, `${kind.toLowerCase()}.crd.yaml`);

type Schema = { [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The structural schema as the API server applies it under strict field validation: an object
 * with declared properties takes no others, unless it keeps unknown fields on purpose
 * (x-kubernetes-preserve-unknown-fields, e.g. Kafka's free-form `config`). Kubernetes' own
 * keywords (x-kubernetes-*) mean nothing to ajv and are dropped.
 */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-kubernetes-")) continue;
    out[key] =
      key === "properties" && isSchema(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictSchema(v)]))
        : strictSchema(value);
  }
  const closed =
    schema.properties !== undefined &&
    schema.additionalProperties === undefined &&
    schema["x-kubernetes-preserve-unknown-fields"] !== true;
  if (closed) out.additionalProperties = false;
  return out;
}

interface Crd {
  spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
}

/** A validator per Strimzi kind, from the generated CRDs in `dir`. */
export function strimziValidators(dir: string): Map<string, Validate> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map<string, Validate>();
  for (const kind of Object.keys(STRIMZI_KINDS)) {
    const crd = parse(readFileSync(crdFile(dir, kind), "utf8")) as Crd;
    const version = crd.spec.versions.find((v) => `kafka.strimzi.io/${v.name}` === STRIMZI_API_VERSION);
    if (!version) throw new Error(`The ${kind} CRD has no ${STRIMZI_API_VERSION}`);
    const check: ValidateFunction = ajv.compile(strictSchema(version.schema.openAPIV3Schema) as Schema);
    validators.set(`${STRIMZI_API_VERSION}/${kind}`, (data) => {
      if (check(data)) return;
      const errors = (check.errors ?? []).map((e) =>
        e.keyword === "additionalProperties"
          ? `unknown field ${e.instancePath}/${String(e.params.additionalProperty)}`
          : `data${e.instancePath} ${e.message ?? ""}`.trim(),
      );
      throw new Error(errors.join(", "));
    });
  }
  return validators;
}
