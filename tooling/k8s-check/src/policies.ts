import { TOPIC_CONFIG, TOPICS } from "@emote/bus";
import { appConfigProblems, gracefulTermination } from "./app-config.ts";
import { idOf, type K8sObject } from "./manifest.ts";

/**
 * The project's own rules for what it runs on Kubernetes, each a function from an overlay's
 * objects to the violations it finds (empty: the rule holds). docs: deploy/k8s/README.md.
 */
export type Policy = (objects: K8sObject[]) => string[];

// Narrow views of the fields the rules read; the schema check has already typed the rest.
interface Container {
  name: string;
  image?: string;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
}
interface Workload extends K8sObject {
  spec: { replicas?: number; template: { spec: PodSpec } };
}

const ofKind = <T extends K8sObject>(objects: K8sObject[], kind: string): T[] =>
  objects.filter((o): o is T => o.kind === kind);

const named = <T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T => {
  const found = ofKind<T>(objects, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};

function workloads(objects: K8sObject[]): Workload[] {
  return [...ofKind<Workload>(objects, "Deployment"), ...ofKind<Workload>(objects, "Job")];
}

function containersOf(w: Workload): { id: string; c: Container; init: boolean; pod: PodSpec }[] {
  const pod = w.spec.template.spec;
  return [
    ...pod.containers.map((c) => ({ id: `${idOf(w)} ${c.name}`, c, init: false, pod })),
    ...(pod.initContainers ?? []).map((c) => ({ id: `${idOf(w)} init ${c.name}`, c, init: true, pod })),
  ];
}

/** Long-running containers have both probes; every container has requests and a memory limit. */
export const probesAndResources: Policy = (objects) =>
  workloads(objects).flatMap((w) =>
    containersOf(w).flatMap(({ id, c, init }) => {
      const out: string[] = [];
      if (!init && w.kind === "Deployment" && (!c.readinessProbe || !c.livenessProbe))
        out.push(`${id}: needs a readiness and a liveness probe`);
      if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
        out.push(`${id}: needs cpu and memory requests`);
      if (!c.resources?.limits?.memory) out.push(`${id}: needs a memory limit`);
      return out;
    }),
  );

/** Non-root, read-only root file system, no privilege escalation, every capability dropped. */
export const lockedDown: Policy = (objects) =>
  workloads(objects).flatMap((w) =>
    containersOf(w).flatMap(({ id, c, pod }) => {
      const s = c.securityContext;
      const out: string[] = [];
      if (!(s?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) out.push(`${id}: must run as non-root`);
      if (pod.securityContext?.runAsUser === 0) out.push(`${id}: runs as uid 0`);
      if (s?.readOnlyRootFilesystem !== true) out.push(`${id}: needs a read-only root file system`);
      if (s?.allowPrivilegeEscalation !== false) out.push(`${id}: must not allow privilege escalation`);
      if (!s?.capabilities?.drop?.includes("ALL")) out.push(`${id}: must drop ALL capabilities`);
      return out;
    }),
  );

/** Every image has a pinned tag (or digest), never `latest` or none. */
export const pinnedImages: Policy = (objects) =>
  workloads(objects).flatMap((w) =>
    containersOf(w).flatMap(({ id, c }) => {
      const image = c.image ?? "";
      const tag = image.includes("@") ? "digest" : /:([^/:]+)$/.exec(image)?.[1];
      return !tag || tag === "latest" ? [`${id}: image ${image} needs a pinned tag, not latest`] : [];
    }),
  );

/** AUTH_SECRET comes from a Secret by secretKeyRef; no Secret or ConfigMap in the manifests holds it. */
export const secretReferenced: Policy = (objects) => {
  const out: string[] = [];
  for (const o of objects) {
    if (o.kind === "Secret") out.push(`${idOf(o)}: secrets are made out of band, never kept in a manifest`);
    const data = o.kind === "ConfigMap" ? (o.data as Record<string, string> | undefined) : undefined;
    if (data && "AUTH_SECRET" in data) out.push(`${idOf(o)}: holds AUTH_SECRET in plain text`);
  }
  const web = named<Workload>(objects, "Deployment", "emote-web");
  for (const { id, c, init } of containersOf(web)) {
    const auth = c.env?.find((e) => e.name === "AUTH_SECRET");
    if (auth?.value !== undefined) out.push(`${id}: AUTH_SECRET inlined`);
    if (!init && !auth?.valueFrom?.secretKeyRef) out.push(`${id}: AUTH_SECRET must come from a secretKeyRef`);
  }
  return out;
};

interface KafkaTopic extends K8sObject {
  spec: { topicName?: string; partitions: number; replicas: number; config: Record<string, string | number> };
}

/** The KafkaTopics are exactly the topics of packages/bus, with the configs it creates them with. */
export const topicsMatchCode: Policy = (objects) => {
  const topics = ofKind<KafkaTopic>(objects, "KafkaTopic");
  const inManifests = topics.map((t) => t.spec.topicName ?? t.metadata.name).sort();
  const inCode = Object.values(TOPICS).sort();
  const out: string[] = [];
  if (JSON.stringify(inManifests) !== JSON.stringify(inCode))
    out.push(`KafkaTopics ${inManifests.join(", ")} ≠ topics in code ${inCode.join(", ")}`);
  for (const [key, name] of Object.entries(TOPICS) as [keyof typeof TOPICS, string][]) {
    const topic = topics.find((t) => (t.spec.topicName ?? t.metadata.name) === name);
    for (const [config, value] of Object.entries(TOPIC_CONFIG[key])) {
      const actual = topic?.spec.config[config];
      if (topic && String(actual) !== value)
        out.push(`KafkaTopic ${name}: ${config} ${String(actual)}, code says ${value}`);
    }
  }
  const partitions = new Set(topics.map((t) => t.spec.partitions));
  const configured = configValue(objects, "KAFKA_PARTITIONS");
  if (partitions.size !== 1 || !partitions.has(Number(configured)))
    out.push(`KafkaTopic partitions ${[...partitions].join(", ")} ≠ KAFKA_PARTITIONS ${configured}`);
  return out;
};

function configValue(objects: K8sObject[], key: string): string | undefined {
  const config = ofKind<K8sObject & { data?: Record<string, string> }>(objects, "ConfigMap").find((c) =>
    c.metadata.name.startsWith("emote-config"),
  );
  return config?.data?.[key];
}

interface ScaledObject extends K8sObject {
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; metadata: Record<string, string> }[];
    advanced?: {
      horizontalPodAutoscalerConfig?: { behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } } };
    };
  };
}

/**
 * Workers: KEDA scales them on the lag of the worker's own group over raw-emote-data, never past
 * that topic's partitions, and scales down only after a stabilisation window (each change is a
 * rebalance that stops the whole group).
 */
export const workersWithinPartitions: Policy = (objects) => {
  const raw = ofKind<KafkaTopic>(objects, "KafkaTopic").find(
    (t) => (t.spec.topicName ?? t.metadata.name) === TOPICS.raw,
  );
  if (!raw) return [`no KafkaTopic ${TOPICS.raw}`];
  const partitions = raw.spec.partitions;
  const worker = named<Workload>(objects, "Deployment", "emote-worker");
  const scaled = ofKind<ScaledObject>(objects, "ScaledObject").find(
    (s) => s.spec.scaleTargetRef.name === "emote-worker",
  );
  const out: string[] = [];
  if ((worker.spec.replicas ?? 1) > partitions)
    out.push(`emote-worker replicas ${worker.spec.replicas} > ${partitions} partitions`);
  if (!scaled) return [...out, "no ScaledObject for emote-worker"];
  const max = scaled.spec.maxReplicaCount ?? 100;
  if (max > partitions) out.push(`KEDA maxReplicaCount ${max} > ${partitions} partitions of ${TOPICS.raw}`);
  const kafka = scaled.spec.triggers.find((t) => t.type === "kafka");
  const group = configValue(objects, "WORKER_GROUP_ID");
  if (!kafka) out.push("the ScaledObject has no kafka trigger");
  else {
    if (kafka.metadata.consumerGroup !== group)
      out.push(`KEDA reads group ${kafka.metadata.consumerGroup}, workers join ${group}`);
    if (kafka.metadata.topic !== TOPICS.raw)
      out.push(`KEDA reads the lag of ${kafka.metadata.topic}, not ${TOPICS.raw}`);
  }
  const window =
    scaled.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown?.stabilizationWindowSeconds ?? 0;
  if (window < 300) out.push(`worker scale-down stabilisation ${window} s < 300 s`);
  return out;
};

interface Hpa extends K8sObject {
  spec: {
    scaleTargetRef: { name: string };
    metrics?: { type: string; pods?: { metric: { name: string } } }[];
    behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
  };
}

/** The metric the web server exposes for its open sockets (docs/operations.md). */
export const CONNECTIONS_METRIC = "emote_web_websocket_connections";

/** Gateways: an HPA on connections per pod (never CPU), with a scale-down stabilisation window. */
export const gatewaysOnConnections: Policy = (objects) => {
  const hpa = ofKind<Hpa>(objects, "HorizontalPodAutoscaler").find(
    (h) => h.spec.scaleTargetRef.name === "emote-web",
  );
  if (!hpa) return ["no HorizontalPodAutoscaler for emote-web"];
  const out: string[] = [];
  const metrics = hpa.spec.metrics ?? [];
  if (
    metrics.length !== 1 ||
    metrics[0]?.type !== "Pods" ||
    metrics[0].pods?.metric.name !== CONNECTIONS_METRIC
  )
    out.push(`emote-web's HPA must scale on the Pods metric ${CONNECTIONS_METRIC} alone`);
  const window = hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? 0;
  if (window < 300) out.push(`gateway scale-down stabilisation ${window} s < 300 s`);
  return out;
};

interface Pdb extends K8sObject {
  spec: { selector: { matchLabels: Record<string, string> } };
}

/** Every Deployment is covered by a PodDisruptionBudget. */
export const disruptionBudgets: Policy = (objects) => {
  const pdbs = ofKind<Pdb>(objects, "PodDisruptionBudget");
  return ofKind<Workload & { spec: { selector: { matchLabels: Record<string, string> } } }>(
    objects,
    "Deployment",
  )
    .filter((d) => d.metadata.name !== "emote-generator")
    .filter(
      (d) =>
        !pdbs.some(
          (p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(d.spec.selector.matchLabels),
        ),
    )
    .map((d) => `${idOf(d)} has no PodDisruptionBudget`);
};

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: { port: number }[] }[];
    egress?: { to?: Peer[]; ports?: { port: number }[] }[];
  };
}

const APP_PODS = ["emote-web", "emote-worker", "emote-trending", "emote-generator", "emote-migrate"];
/** Who may reach an app pod from outside the namespace: the gateway the ingress controller, all of them Prometheus. */
const INGRESS_FROM: Record<string, string[]> = {
  "emote-web": ["ingress-nginx", "monitoring"],
  "emote-worker": ["monitoring"],
  "emote-trending": ["monitoring"],
  "emote-generator": ["monitoring"],
  "emote-migrate": [],
};
const namespaceOf = (p: Peer) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];

/** Where an app pod may connect: Kafka's brokers, PostgreSQL, and DNS to find them. */
function egressTarget(peer: Peer, port: number): boolean {
  const pod = peer.podSelector?.matchLabels ?? {};
  if (peer.namespaceSelector === undefined && pod["strimzi.io/cluster"] && port === 9092) return true;
  if (peer.namespaceSelector === undefined && pod["cnpg.io/cluster"] && port === 5432) return true;
  return namespaceOf(peer) === "kube-system" && pod["k8s-app"] === "kube-dns" && port === 53;
}

/**
 * Ingress is denied by default; only the gateway takes traffic from outside (the ingress
 * controller), the others only Prometheus's scrape; app pods reach only Kafka and PostgreSQL.
 */
export const networkPolicies: Policy = (objects) => {
  const policies = ofKind<NetworkPolicy>(objects, "NetworkPolicy");
  const out: string[] = [];
  const denyAll = policies.some(
    (p) =>
      Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
      (p.spec.policyTypes ?? []).includes("Ingress") &&
      (p.spec.ingress ?? []).length === 0,
  );
  if (!denyAll) out.push("no default-deny ingress policy for the namespace");
  const deployed = workloads(objects).map((w) => w.metadata.name);
  for (const app of APP_PODS.filter((a) => deployed.includes(a))) {
    const own = policies.filter((p) => p.spec.podSelector.matchLabels?.["app.kubernetes.io/name"] === app);
    if (!own.some((p) => p.spec.policyTypes?.includes("Egress"))) out.push(`${app}: no egress policy`);
    for (const p of own) {
      for (const rule of p.spec.ingress ?? []) {
        for (const peer of rule.from ?? [{}]) {
          const ns = namespaceOf(peer);
          if (!ns || !INGRESS_FROM[app]?.includes(ns))
            out.push(`${idOf(p)}: ${app} takes traffic from ${ns ?? "anywhere"}`);
        }
      }
      for (const rule of p.spec.egress ?? []) {
        const ports = (rule.ports ?? []).map((x) => x.port);
        if (ports.length === 0 || !rule.to) out.push(`${idOf(p)}: egress to any port or anywhere`);
        for (const peer of rule.to ?? [])
          for (const port of ports)
            if (!egressTarget(peer, port)) out.push(`${idOf(p)}: egress to ${JSON.stringify(peer)}:${port}`);
      }
    }
  }
  return out;
};

interface Ingress extends K8sObject {
  metadata: K8sObject["metadata"] & { annotations?: Record<string, string> };
}

/** The WebSocket route: nginx must not close an upgraded connection after its 60 s default. */
export const websocketTimeouts: Policy = (objects) => {
  const ingresses = ofKind<Ingress>(objects, "Ingress");
  if (ingresses.length === 0) return ["no Ingress for the gateway"];
  return ingresses.flatMap((i) =>
    ["proxy-read-timeout", "proxy-send-timeout"]
      .filter((a) => Number(i.metadata.annotations?.[`nginx.ingress.kubernetes.io/${a}`] ?? 0) < 3600)
      .map((a) => `${idOf(i)}: nginx ${a} under 3600 s cuts long-lived WebSockets`),
  );
};

/**
 * Migrations before traffic: the migrate Job exists, and every web and worker pod runs the same
 * migrate as an init container, so no pod of a new version is Ready before its schema.
 */
export const migrationsBeforeTraffic: Policy = (objects) => {
  const migrate = (c: Container & { command?: string[] }) =>
    (c.command ?? []).includes("packages/db/src/migrate-cli.ts");
  const out: string[] = [];
  const job = ofKind<Workload>(objects, "Job").find((j) => j.spec.template.spec.containers.some(migrate));
  if (!job) out.push("no Job runs the migrations");
  for (const name of ["emote-web", "emote-worker"]) {
    const d = named<Workload>(objects, "Deployment", name);
    if (!(d.spec.template.spec.initContainers ?? []).some(migrate))
      out.push(`${name}: no migrate init container`);
  }
  return out;
};

export const POLICIES: Record<string, Policy> = {
  "every container has probes and resources": probesAndResources,
  "every container runs non-root, read-only, unprivileged": lockedDown,
  "no image is latest or untagged": pinnedImages,
  "AUTH_SECRET is referenced from a Secret, never inlined": secretReferenced,
  "the KafkaTopics are the topics of the code, with its configs": topicsMatchCode,
  "workers never outnumber partitions; KEDA on the worker group's lag": workersWithinPartitions,
  "gateways scale on connections per pod with scale-down stabilisation": gatewaysOnConnections,
  "every Deployment has a PodDisruptionBudget": disruptionBudgets,
  "network policies: only the gateway takes outside traffic; apps reach only Kafka and PostgreSQL":
    networkPolicies,
  "the Ingress keeps WebSockets open": websocketTimeouts,
  "migrations run before a new version takes traffic": migrationsBeforeTraffic,
  "every variable set is one its app reads, and parses with the app's schema": appConfigProblems,
  "termination grace outlasts each program's own stop": gracefulTermination,
};
