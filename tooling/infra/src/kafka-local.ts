import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import { repoRoot } from "./repo-root.ts";

/**
 * A single-node Apache Kafka (KRaft, broker + controller) run from the jars Maven fetches
 * into `.cache/kafka`, for machines without Docker. Started detached so it outlives the
 * command that started it; `down` stops it by the pid it recorded. The three-node cluster
 * (kafka-cluster.ts) runs the same jars with the same helpers, one directory per node.
 */
export interface LocalKafkaPaths {
  root: string;
  lib: string;
  data: string;
  serverProperties: string;
  log4j: string;
  pidFile: string;
  logDir: string;
  lockDir: string;
  pom: string;
}

export const KAFKA_CACHE_DIR = join(repoRoot, ".cache", "kafka");

export function localKafkaPaths(root = KAFKA_CACHE_DIR, lib = join(root, "lib")): LocalKafkaPaths {
  return {
    root,
    lib,
    data: join(root, "data"),
    serverProperties: join(root, "server.properties"),
    log4j: join(root, "log4j2.properties"),
    pidFile: join(root, "kafka.pid"),
    logDir: join(root, "logs"),
    lockDir: join(root, ".lock"),
    pom: join(repoRoot, "tooling", "infra", "kafka", "pom.xml"),
  };
}

export type Log = (line: string) => void;

export interface LocalKafkaState {
  running: boolean;
  pid?: number;
  port: number;
  logFile: string;
  /** true when something else (not started by us) answers on the port as a Kafka broker */
  foreign?: boolean;
}

export const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

/** One KRaft node's place: its id, client port, controller port, and the quorum it is in. */
export interface KafkaNodeConfig {
  id: number;
  port: number;
  controllerPort: number;
  /** `id@host:port` of every controller of the cluster. */
  voters: string;
  /** Nodes in the cluster: internal topics and new topics are replicated that many times (at most 3). */
  clusterSize: number;
}

export function singleNode(port: number): KafkaNodeConfig {
  return { id: 1, port, controllerPort: port + 1, voters: `1@127.0.0.1:${port + 1}`, clusterSize: 1 };
}

export async function localKafkaStatus(port: number, paths = localKafkaPaths()): Promise<LocalKafkaState> {
  const logFile = join(paths.logDir, "server.log");
  const pid = ownBrokerPid(paths);
  if (pid !== undefined) return { running: true, pid, port, logFile };
  if (await answersMetadata(port, 3_000)) return { running: true, port, logFile, foreign: true };
  return { running: false, port, logFile };
}

/** Starts the broker unless one already answers; safe to call concurrently and repeatedly. */
export async function upLocalKafka(
  port: number,
  log: Log,
  paths = localKafkaPaths(),
): Promise<LocalKafkaState> {
  mkdirSync(paths.root, { recursive: true });
  return withLock(paths, log, async () => {
    const state = await localKafkaStatus(port, paths);
    if (state.running) {
      if (state.foreign)
        log(`A Kafka broker not started by infra:up already answers on 127.0.0.1:${port}; using it.`);
      else log(`Kafka is already running (pid ${state.pid}) on 127.0.0.1:${port}; log: ${state.logFile}`);
      await waitUntilReady(port, START_TIMEOUT_MS, state.pid);
      return state;
    }
    if (await portInUse(port)) {
      throw new Error(`Port ${port} is taken by a program that is not Kafka. Set KAFKA_PORT to a free port.`);
    }
    fetchJars(paths, log);
    writeConfig(paths, singleNode(port));
    formatStorage(paths, log, randomClusterId());
    const pid = startBroker(paths);
    log(`Started Kafka (pid ${pid}) on 127.0.0.1:${port}; waiting for it to answer…`);
    await waitUntilReady(port, START_TIMEOUT_MS, pid);
    const logFile = join(paths.logDir, "server.log");
    log(`Kafka is ready on 127.0.0.1:${port}. Log: ${logFile}`);
    return { running: true, pid, port, logFile };
  });
}

export async function downLocalKafka(log: Log, paths = localKafkaPaths()): Promise<void> {
  if (ownBrokerPid(paths) === undefined) {
    rmSync(paths.pidFile, { force: true });
    log("Kafka is not running (nothing started by infra:up).");
    return;
  }
  await stopBroker(paths, log, "Kafka");
}

/** Stops the node whose pid `paths` records (SIGTERM, then SIGKILL after 30 s). */
export async function stopBroker(paths: LocalKafkaPaths, log: Log, name: string): Promise<void> {
  const pid = ownBrokerPid(paths);
  if (pid === undefined) {
    rmSync(paths.pidFile, { force: true });
    return;
  }
  log(`Stopping ${name} (pid ${pid})…`);
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    log(`Kafka did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it.`);
    process.kill(pid, "SIGKILL");
    while (isAlive(pid)) await sleep(100);
  }
  rmSync(paths.pidFile, { force: true });
  log(`${name} stopped.`);
}

export function fetchJars(paths: LocalKafkaPaths, log: Log): void {
  const marker = join(paths.lib, ".complete");
  const pom = readFileSync(paths.pom, "utf8");
  if (existsSync(marker) && readFileSync(marker, "utf8") === pom) return;
  log(`Fetching the Apache Kafka jars with Maven into ${paths.lib} (first run only)…`);
  rmSync(paths.lib, { recursive: true, force: true });
  const mvn = spawnSync(
    "mvn",
    [
      "-B",
      "-q",
      "-Dstyle.color=never",
      "-f",
      paths.pom,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      `-DoutputDirectory=${paths.lib}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (mvn.error) throw new Error(`Could not run Maven (${mvn.error.message}). Install Maven and Java 17+.`);
  if (mvn.status !== 0) throw new Error(`Maven could not fetch the Kafka jars (exit ${mvn.status}).`);
  writeFileSync(marker, pom);
}

export function writeConfig(paths: LocalKafkaPaths, node: KafkaNodeConfig): void {
  mkdirSync(paths.logDir, { recursive: true });
  const { port, controllerPort } = node;
  // Internal topics must not ask for more replicas than there are nodes, else consumer
  // groups wait forever for a coordinator. A cluster gets the seed's durability settings:
  // three replicas, two in sync for an acknowledged write, no unclean leader election.
  const replicas = Math.min(3, node.clusterSize);
  const minIsr = Math.min(2, replicas);
  const props = [
    "process.roles=broker,controller",
    `node.id=${node.id}`,
    `controller.quorum.voters=${node.voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${paths.data}`,
    "num.partitions=6",
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minIsr}`,
    "unclean.leader.election.enable=false",
    `offsets.topic.replication.factor=${replicas}`,
    "offsets.topic.num.partitions=12",
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    "group.initial.rebalance.delay.ms=0",
    // A killed node is fenced (out of the in-sync replicas, its partitions led elsewhere)
    // after 4 s without a heartbeat instead of Kafka's 9 s: writes with acks=all wait that long.
    "broker.heartbeat.interval.ms=1000",
    "broker.session.timeout.ms=4000",
    "log.retention.hours=24",
    "",
  ].join("\n");
  writeFileSync(paths.serverProperties, props);
  const log4j = [
    "status = warn",
    "appender.file.type = RollingFile",
    "appender.file.name = file",
    `appender.file.fileName = ${join(paths.logDir, "server.log")}`,
    `appender.file.filePattern = ${join(paths.logDir, "server.log.%i")}`,
    "appender.file.layout.type = PatternLayout",
    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
    "appender.file.policies.type = Policies",
    "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
    "appender.file.policies.size.size = 20MB",
    "appender.file.strategy.type = DefaultRolloverStrategy",
    "appender.file.strategy.max = 3",
    "rootLogger.level = INFO",
    "rootLogger.appenderRef.file.ref = file",
    "logger.kafka.name = kafka",
    "logger.kafka.level = INFO",
    "",
  ].join("\n");
  writeFileSync(paths.log4j, log4j);
}

function javaArgs(paths: LocalKafkaPaths, mainClass: string, args: string[], heap = "1g"): string[] {
  return [
    "-Xms256m",
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    `-Dlog4j2.configurationFile=${paths.log4j}`,
    `-Dkafka.logs.dir=${paths.logDir}`,
    "-cp",
    join(paths.lib, "*"),
    mainClass,
    ...args,
  ];
}

export function formatStorage(paths: LocalKafkaPaths, log: Log, clusterId: string): void {
  if (existsSync(join(paths.data, "meta.properties"))) return;
  log(`Formatting KRaft storage in ${paths.data}…`);
  // `=`: an id read from an older cache may start with "-", which the tool would take for an option.
  const format = ["format", `--cluster-id=${clusterId}`, "-c", paths.serverProperties];
  const result = spawnSync("java", javaArgs(paths, "kafka.tools.StorageTool", format), { encoding: "utf8" });
  if (result.error) throw new Error(`Could not run java (${result.error.message}). Install Java 17+.`);
  if (result.status !== 0)
    throw new Error(`Formatting Kafka storage failed:\n${result.stdout}${result.stderr}`);
}

/**
 * Kafka cluster ids are 16 random bytes in URL-safe base64 without padding; like Kafka's own
 * ids, never one starting with "-" (one in 64 would, and command lines read it as an option).
 */
export function randomClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Starts the node detached and records its pid; `heap` is its -Xmx. */
export function startBroker(paths: LocalKafkaPaths, heap = "1g"): number {
  const out = openSync(join(paths.logDir, "stdout.log"), "a");
  const child = spawn("java", javaArgs(paths, "kafka.Kafka", [paths.serverProperties], heap), {
    detached: true,
    stdio: ["ignore", out, out],
  });
  if (child.pid === undefined) throw new Error("Could not start java. Install Java 17+.");
  child.unref();
  writeFileSync(paths.pidFile, String(child.pid));
  return child.pid;
}

export async function waitUntilReady(
  port: number,
  timeoutMs: number,
  pid: number | undefined,
  logDir = join(KAFKA_CACHE_DIR, "logs"),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(`Kafka exited during start-up; see ${logDir}/server.log and stdout.log.`);
    }
    if (await answersMetadata(port, 5_000, true)) return;
    await sleep(500);
  }
  throw new Error(`Kafka did not answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s.`);
}

/**
 * True when a broker on the port answers a metadata request; with `coordinator`, also when
 * its group coordinator is up (the first consumer group otherwise waits for it).
 */
export async function answersMetadata(
  port: number,
  timeoutMs: number,
  coordinator = false,
): Promise<boolean> {
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: "emote-infra-probe",
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    if (coordinator) await admin.describeGroups(["emote-infra-probe"]);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function ownBrokerPid(paths: LocalKafkaPaths): number | undefined {
  if (!existsSync(paths.pidFile)) return undefined;
  const pid = Number(readFileSync(paths.pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // The pid may have been reused by an unrelated process after a reboot.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes("kafka.Kafka")) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A stopped broker whose parent has not reaped it is a zombie: treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A directory lock, so parallel `infra:up`/test runs start one broker, not several. */
export async function withLock<T>(paths: LocalKafkaPaths, log: Log, fn: () => Promise<T>): Promise<T> {
  const staleMs = START_TIMEOUT_MS + 60_000;
  let waited = false;
  for (;;) {
    try {
      mkdirSync(paths.lockDir);
      break;
    } catch {
      try {
        if (Date.now() - statSync(paths.lockDir).mtimeMs > staleMs) {
          rmSync(paths.lockDir, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (!waited) log("Another process is starting Kafka; waiting for it…");
      waited = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lockDir, { recursive: true, force: true });
  }
}
