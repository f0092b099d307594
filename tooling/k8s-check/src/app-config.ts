import { databaseEnvSchema } from "@emote/config";
import { serviceEnvSchema } from "@emote/generator/env";
import { trendingEnvSchema } from "@emote/trending/env";
import { webEnvSchema } from "@emote/web/env";
import { workerEnvSchema } from "@emote/worker/env";
import { idOf, type K8sObject } from "./manifest.ts";

/** The part of a zod object schema this reads: its keys, and a parse that says what is wrong. */
interface EnvSchema {
  shape: Record<string, unknown>;
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}

/** Each container's program and the schema its env.ts parses, by container name. */
export const CONTAINER_SCHEMAS: Record<string, EnvSchema> = {
  web: webEnvSchema,
  worker: workerEnvSchema,
  generator: serviceEnvSchema,
  trending: trendingEnvSchema,
  migrate: databaseEnvSchema,
};
/** Read by Node itself, not by an app. */
const NODE_VARIABLES = new Set(["NODE_OPTIONS"]);

/** What a secret or the downward API will hold at run time, so values parse as they will. */
const STAND_INS: Record<string, string> = {
  DATABASE_URL: "postgresql://emote:secret@emote-pg-rw.emote-pulse:5432/emote",
  AUTH_SECRET: "k8s-check-stand-in-secret-of-forty-eight-characters",
  HOST: "10.1.2.3",
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  name: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
}
interface Workload extends K8sObject {
  spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } };
}
interface ConfigMap extends K8sObject {
  data?: Record<string, string>;
}

/**
 * Every variable a manifest sets is one its app declares (a typo such as KAFKA_BROKER would be
 * ignored in silence), every key of a ConfigMap is read by some container that loads it, and each
 * container's whole environment parses through its app's own schema, as it will at start.
 */
export function appConfigProblems(objects: K8sObject[]): string[] {
  const configMaps = new Map(
    objects.filter((o): o is ConfigMap => o.kind === "ConfigMap").map((c) => [c.metadata.name, c.data ?? {}]),
  );
  const workloads = objects.filter((o): o is Workload => o.kind === "Deployment" || o.kind === "Job");
  const out: string[] = [];
  const keysRead = new Map<string, Set<string>>();
  for (const w of workloads) {
    const pod = w.spec.template.spec;
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const id = `${idOf(w)} ${c.name}`;
      const schema = CONTAINER_SCHEMAS[c.name];
      if (!schema) {
        out.push(`${id}: no known program for a container named ${c.name}`);
        continue;
      }
      const known = (name: string) => name in schema.shape || NODE_VARIABLES.has(name);
      const env: Record<string, string> = {};
      for (const ref of c.envFrom ?? []) {
        const name = ref.configMapRef?.name ?? "";
        const data = configMaps.get(name);
        if (!data) {
          out.push(`${id}: loads ConfigMap ${name}, which the overlay lacks`);
          continue;
        }
        const read = keysRead.get(name) ?? new Set<string>();
        keysRead.set(name, read);
        for (const [key, value] of Object.entries(data)) {
          if (known(key)) read.add(key);
          if (known(key)) env[key] = value;
        }
      }
      for (const v of c.env ?? []) {
        if (!known(v.name)) out.push(`${id}: sets ${v.name}, which its app does not read`);
        else env[v.name] = v.value ?? STAND_INS[v.name] ?? "";
      }
      const parsed = schema.safeParse(env);
      for (const issue of parsed.error?.issues ?? [])
        out.push(`${id}: ${issue.path.map(String).join(".")}: ${issue.message}`);
    }
  }
  for (const [name, read] of keysRead)
    for (const key of Object.keys(configMaps.get(name) ?? {}))
      if (!read.has(key))
        out.push(`ConfigMap/${name}: ${key} is read by none of the containers that load it`);
  return out;
}

/**
 * How long each program may take to stop after SIGTERM, by its own default; the gateway's drain
 * (the preStop pause, then closing sockets and finishing sends) gets half a minute at least.
 */
export const SHUTDOWN_BOUNDS_MS: Record<string, number> = {
  worker: workerEnvSchema.parse({}).WORKER_SHUTDOWN_TIMEOUT_MS,
  generator: serviceEnvSchema.parse({}).GENERATOR_SHUTDOWN_TIMEOUT_MS,
  trending: trendingEnvSchema.parse({}).TRENDING_SHUTDOWN_TIMEOUT_MS,
  web: 30_000,
};

/** Kubernetes waits longer than the program's own bound before SIGKILL, so a stop is always clean. */
export function gracefulTermination(objects: K8sObject[]): string[] {
  return objects
    .filter(
      (o): o is Workload & { spec: { template: { spec: { terminationGracePeriodSeconds?: number } } } } =>
        o.kind === "Deployment",
    )
    .flatMap((d) => {
      const pod = d.spec.template.spec;
      const grace = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
      return pod.containers.flatMap((c) => {
        const bound = SHUTDOWN_BOUNDS_MS[c.name];
        return bound !== undefined && grace <= bound
          ? [
              `${idOf(d)}: terminationGracePeriodSeconds ${grace / 1000} s does not outlast ${c.name}'s ${bound / 1000} s stop`,
            ]
          : [];
      });
    });
}
