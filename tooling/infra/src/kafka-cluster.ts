import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import {
  answersMetadata,
  fetchJars,
  formatStorage,
  isAlive,
  KAFKA_CACHE_DIR,
  localKafkaPaths,
  ownBrokerPid,
  portInUse,
  randomClusterId,
  START_TIMEOUT_MS,
  startBroker,
  stopBroker,
  waitUntilReady,
  withLock,
  writeConfig,
  type KafkaNodeConfig,
  type LocalKafkaPaths,
  type Log,
} from "./kafka-local.ts";

/**
 * A local KRaft cluster of `size` nodes, each broker and controller, from the same jars as
 * the single broker: node i (1-based) listens on `basePort + i - 1` and its controller on
 * `basePort + size + i - 1`, so three nodes on 9092 take 9092–9097. Its files live in
 * `.cache/kafka/cluster-<basePort>/node-<i>` (or under `root`, for tests).
 */
export interface KafkaClusterNode extends KafkaNodeConfig {
  paths: LocalKafkaPaths;
}

export interface LocalCluster {
  basePort: number;
  nodes: KafkaClusterNode[];
  /** `127.0.0.1:<port>` of every node: what clients bootstrap from. */
  brokers: string[];
}

const NODE_HEAP = "768m";

export function clusterRoot(basePort: number): string {
  return join(KAFKA_CACHE_DIR, `cluster-${basePort}`);
}

export function localCluster(basePort: number, size: number, root = clusterRoot(basePort)): LocalCluster {
  const lib = join(KAFKA_CACHE_DIR, "lib");
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const voters = ids.map((id) => `${id}@127.0.0.1:${basePort + size + id - 1}`).join(",");
  const nodes = ids.map((id) => ({
    id,
    port: basePort + id - 1,
    controllerPort: basePort + size + id - 1,
    voters,
    clusterSize: size,
    paths: localKafkaPaths(join(root, `node-${id}`), lib),
  }));
  return { basePort, nodes, brokers: nodes.map((n) => `127.0.0.1:${n.port}`) };
}

/** The clusters `infra:up -- --brokers N` left under `.cache/kafka` (for `down` and `status`). */
export function knownClusters(): LocalCluster[] {
  if (!existsSync(KAFKA_CACHE_DIR)) return [];
  return readdirSync(KAFKA_CACHE_DIR)
    .map((name) => /^cluster-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const basePort = Number(m[1]);
      const size = readdirSync(clusterRoot(basePort)).filter((n) => /^node-\d+$/.test(n)).length;
      return localCluster(basePort, size);
    })
    .filter((c) => c.nodes.length > 0);
}

export interface ClusterNodeState {
  id: number;
  port: number;
  pid?: number;
}

export function clusterStatus(cluster: LocalCluster): ClusterNodeState[] {
  return cluster.nodes.map((n) => {
    const pid = ownBrokerPid(n.paths);
    return pid === undefined ? { id: n.id, port: n.port } : { id: n.id, port: n.port, pid };
  });
}

/**
 * Starts every node of the cluster that is not running (formatting storage with one
 * cluster id on first use) and waits until all of them are brokers of one cluster whose
 * group coordinator answers. Safe to call again on a running cluster.
 */
export async function upLocalCluster(cluster: LocalCluster, log: Log): Promise<void> {
  const root = join(cluster.nodes[0]?.paths.root ?? clusterRoot(cluster.basePort), "..");
  mkdirSync(root, { recursive: true });
  await withLock(localKafkaPaths(root), log, async () => {
    fetchJars(localKafkaPaths(KAFKA_CACHE_DIR), log);
    const idFile = join(root, "cluster.id");
    if (!existsSync(idFile)) writeFileSync(idFile, randomClusterId());
    const clusterId = readFileSync(idFile, "utf8").trim();
    for (const node of cluster.nodes) {
      if (ownBrokerPid(node.paths) !== undefined) continue;
      for (const port of [node.port, node.controllerPort]) {
        if (await portInUse(port)) {
          throw new Error(`Port ${port} (node ${node.id}) is taken. Choose another KAFKA_PORT.`);
        }
      }
      writeConfig(node.paths, node);
      formatStorage(node.paths, log, clusterId);
    }
    for (const node of cluster.nodes) {
      if (ownBrokerPid(node.paths) !== undefined) continue;
      const pid = startBroker(node.paths, NODE_HEAP);
      log(`Started Kafka node ${node.id} (pid ${pid}) on 127.0.0.1:${node.port}`);
    }
    await waitForCluster(cluster, cluster.nodes.length, START_TIMEOUT_MS);
    log(`Kafka cluster of ${cluster.nodes.length} is ready on ${cluster.brokers.join(",")}.`);
  });
}

/** Starts one stopped node again (its storage is kept) and waits until the cluster has it back. */
export async function startClusterNode(cluster: LocalCluster, id: number): Promise<number> {
  const node = nodeOf(cluster, id);
  const running = ownBrokerPid(node.paths);
  if (running !== undefined) return running;
  writeConfig(node.paths, node);
  const pid = startBroker(node.paths, NODE_HEAP);
  await waitUntilReady(node.port, START_TIMEOUT_MS, pid, node.paths.logDir);
  await waitForCluster(cluster, cluster.nodes.length, START_TIMEOUT_MS);
  return pid;
}

/** Kills one node at once (SIGKILL: a crash, nothing flushed or handed over). */
export async function killClusterNode(cluster: LocalCluster, id: number): Promise<void> {
  const node = nodeOf(cluster, id);
  const pid = ownBrokerPid(node.paths);
  if (pid === undefined) return;
  process.kill(pid, "SIGKILL");
  while (isAlive(pid)) await sleep(50);
  rmSync(node.paths.pidFile, { force: true });
}

/** Stops every node at once: one by one, the last would wait for a controller quorum that is gone. */
export async function downLocalCluster(cluster: LocalCluster, log: Log): Promise<void> {
  await Promise.all(cluster.nodes.map((node) => stopBroker(node.paths, log, `Kafka node ${node.id}`)));
}

function nodeOf(cluster: LocalCluster, id: number): KafkaClusterNode {
  const node = cluster.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`The cluster has no node ${id}`);
  return node;
}

/** Until every node answers, `expected` brokers are registered and groups have a coordinator. */
async function waitForCluster(cluster: LocalCluster, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const running = cluster.nodes.filter((n) => ownBrokerPid(n.paths) !== undefined);
  for (const node of running) {
    const pid = ownBrokerPid(node.paths);
    await waitUntilReady(node.port, Math.max(1_000, deadline - Date.now()), pid, node.paths.logDir);
  }
  const probePort = running[0]?.port ?? cluster.basePort;
  const kafka = new Kafka({
    brokers: cluster.brokers,
    clientId: "emote-infra-probe",
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  });
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      if (brokers.length >= expected && (await answersMetadata(probePort, 5_000, true))) return;
    } catch {
      // not yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(
    `The Kafka cluster on ${cluster.brokers.join(",")} did not form within ${timeoutMs / 1000} s.`,
  );
}
