import { describe, expect, it } from "vitest";
import type { K8sObject } from "./manifest.ts";
import { buildAll } from "./overlays.ts";
import { OVERLAYS } from "./paths.ts";
import { POLICIES } from "./policies.ts";

const overlays = buildAll();
const fresh = (overlay: (typeof OVERLAYS)[number]): K8sObject[] =>
  structuredClone(overlays.get(overlay) ?? []);

describe.each(OVERLAYS)("overlay %s", (overlay) => {
  it.each(Object.entries(POLICIES))("%s", (_name, policy) => {
    expect(policy(fresh(overlay))).toEqual([]);
  });
});

type Node = Record<string, unknown>;

/** The node at dotted `path` of object `kind/name` of `objects`, to break in a test. */
function at(objects: K8sObject[], kind: string, name: string, path = ""): Node {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  let node: unknown = o;
  for (const key of path.split(".").filter(Boolean)) node = (node as Node)[key];
  return node as Node;
}

function remove(objects: K8sObject[], kind: string, name: string): void {
  objects.splice(objects.indexOf(at(objects, kind, name) as K8sObject), 1);
}

const authEnv = (objects: K8sObject[]): Node => {
  const env = at(objects, "Deployment", "emote-web", "spec.template.spec.containers.0").env as Node[];
  const auth = env.find((e) => e.name === "AUTH_SECRET");
  if (!auth) throw new Error("no AUTH_SECRET");
  return auth;
};

describe("each policy catches what it is for", () => {
  const broken = (mutate: (objects: K8sObject[]) => void, policy: string): string[] => {
    const objects = fresh("production");
    mutate(objects);
    const check = POLICIES[policy];
    if (!check) throw new Error(`no policy ${policy}`);
    return check(objects);
  };

  it("a container without a readiness probe or memory limit", () => {
    expect(
      broken((o) => {
        const c = at(o, "Deployment", "emote-web", "spec.template.spec.containers.0");
        delete c.readinessProbe;
        delete (c.resources as Node).limits;
      }, "every container has probes and resources"),
    ).toEqual([
      "Deployment/emote-web web: needs a readiness and a liveness probe",
      "Deployment/emote-web web: needs a memory limit",
    ]);
  });

  it("a writable root file system and a latest tag", () => {
    const objects = fresh("production");
    const c = at(objects, "Deployment", "emote-worker", "spec.template.spec.containers.0");
    (c.securityContext as Node).readOnlyRootFilesystem = false;
    c.image = "emote-pulse/worker:latest";
    expect(POLICIES["every container runs non-root, read-only, unprivileged"]?.(objects)).toEqual([
      "Deployment/emote-worker worker: needs a read-only root file system",
    ]);
    expect(POLICIES["no image is latest or untagged"]?.(objects)).toEqual([
      "Deployment/emote-worker worker: image emote-pulse/worker:latest needs a pinned tag, not latest",
    ]);
  });

  it("AUTH_SECRET written into the Deployment", () => {
    expect(
      broken((o) => {
        delete authEnv(o).valueFrom;
        authEnv(o).value = "hunter2hunter2hunter2hunter2hunter2";
      }, "AUTH_SECRET is referenced from a Secret, never inlined"),
    ).toEqual([
      "Deployment/emote-web web: AUTH_SECRET inlined",
      "Deployment/emote-web web: AUTH_SECRET must come from a secretKeyRef",
    ]);
  });

  it("a topic missing, and one whose retention differs from the code's", () => {
    expect(
      broken((o) => {
        remove(o, "KafkaTopic", "emote-window-stats");
        at(o, "KafkaTopic", "raw-emote-data-dlq", "spec.config")["retention.ms"] = 1000;
      }, "the KafkaTopics are the topics of the code, with its configs"),
    ).toEqual([
      "KafkaTopics aggregated-emote-data, raw-emote-data, raw-emote-data.dlq, trending, trending-partials ≠ topics in code aggregated-emote-data, emote-window-stats, raw-emote-data, raw-emote-data.dlq, trending, trending-partials",
      "KafkaTopic raw-emote-data.dlq: retention.ms 1000, code says 604800000",
    ]);
  });

  it("KEDA allowed more workers than partitions, on another group", () => {
    expect(
      broken((o) => {
        at(o, "ScaledObject", "emote-worker", "spec").maxReplicaCount = 49;
        at(o, "ScaledObject", "emote-worker", "spec.triggers.0.metadata").consumerGroup = "other";
      }, "workers never outnumber partitions; KEDA on the worker group's lag"),
    ).toEqual([
      "KEDA maxReplicaCount 49 > 36 partitions of raw-emote-data",
      "KEDA reads group other, workers join emote-worker",
    ]);
  });

  it("an HPA on CPU without stabilisation", () => {
    expect(
      broken((o) => {
        const s = at(o, "HorizontalPodAutoscaler", "emote-web", "spec");
        s.metrics = [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
          },
        ];
        delete s.behavior;
      }, "gateways scale on connections per pod with scale-down stabilisation"),
    ).toEqual([
      "emote-web's HPA must scale on the Pods metric emote_web_websocket_connections alone",
      "gateway scale-down stabilisation 0 s < 300 s",
    ]);
  });

  it("a worker reachable from another namespace, and egress to the internet", () => {
    expect(
      broken((o) => {
        const s = at(o, "NetworkPolicy", "emote-worker", "spec");
        (s.ingress as Node[]).push({
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
        });
        (s.egress as Node[]).push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] });
      }, "network policies: only the gateway takes outside traffic; apps reach only Kafka and PostgreSQL"),
    ).toEqual([
      "NetworkPolicy/emote-worker: emote-worker takes traffic from ingress-nginx",
      'NetworkPolicy/emote-worker: egress to {"ipBlock":{"cidr":"0.0.0.0/0"}}:443',
    ]);
  });

  it("a misspelt variable, a ConfigMap key nobody reads, a value the app refuses", () => {
    expect(
      broken((o) => {
        const env = at(o, "Deployment", "emote-worker", "spec.template.spec.containers.0").env as Node[];
        env.push({ name: "WORKER_GROUP", value: "x" });
        const config = o.find((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("emote-config"));
        Object.assign((config as K8sObject & { data: Node }).data, {
          KAFKA_PARTITONS: "6",
          KAFKA_PARTITIONS: "lots",
        });
      }, "every variable set is one its app reads, and parses with the app's schema"),
    ).toEqual([
      "Deployment/emote-trending trending: KAFKA_PARTITIONS: Invalid input: expected number, received NaN",
      "Deployment/emote-web web: KAFKA_PARTITIONS: Invalid input: expected number, received NaN",
      "Deployment/emote-worker worker: sets WORKER_GROUP, which its app does not read",
      "Deployment/emote-worker worker: KAFKA_PARTITIONS: Invalid input: expected number, received NaN",
      expect.stringMatching(
        /^ConfigMap\/emote-config-\w+: KAFKA_PARTITONS is read by none of the containers that load it$/,
      ),
    ]);
  });

  it("a grace period shorter than the worker's own stop", () => {
    expect(
      broken((o) => {
        at(o, "Deployment", "emote-worker", "spec.template.spec").terminationGracePeriodSeconds = 10;
      }, "termination grace outlasts each program's own stop"),
    ).toEqual([
      "Deployment/emote-worker: terminationGracePeriodSeconds 10 s does not outlast worker's 15 s stop",
    ]);
  });

  it("a PDB, the ingress timeouts and the migrate init container gone", () => {
    const objects = fresh("production");
    remove(objects, "PodDisruptionBudget", "emote-worker");
    delete at(objects, "Ingress", "emote-web", "metadata.annotations")[
      "nginx.ingress.kubernetes.io/proxy-read-timeout"
    ];
    delete at(objects, "Deployment", "emote-web", "spec.template.spec").initContainers;
    expect(POLICIES["every Deployment has a PodDisruptionBudget"]?.(objects)).toEqual([
      "Deployment/emote-worker has no PodDisruptionBudget",
    ]);
    expect(POLICIES["the Ingress keeps WebSockets open"]?.(objects)).toEqual([
      "Ingress/emote-web: nginx proxy-read-timeout under 3600 s cuts long-lived WebSockets",
    ]);
    expect(POLICIES["migrations run before a new version takes traffic"]?.(objects)).toEqual([
      "emote-web: no migrate init container",
    ]);
  });
});
