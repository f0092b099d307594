import { spawn } from "node:child_process";
import { join } from "node:path";
import { fetchJars, localKafkaPaths, repoRoot } from "@emote/infra";

/** Kafka's compression.type values a producer may use. */
export type KafkaCompression = "none" | "gzip" | "snappy" | "lz4" | "zstd";

export interface JavaRecord {
  topic: string;
  compression: KafkaCompression;
  key: string;
  /** One line of text (JSON as JSON.stringify writes it has no raw tab or newline). */
  value: string;
}

const PRODUCER_SOURCE = join(repoRoot, "tooling", "testkit", "fixtures", "JavaProducer.java");

/**
 * Produces `records` with the official Java client (kafka-clients from the jars infra:up
 * fetches, fetched here too if missing), so tests read batches as a non-kafkajs producer
 * writes them. The JVM is killed if it has not finished within `timeoutMs`.
 */
export async function produceWithJavaClient(
  brokers: string[],
  records: JavaRecord[],
  timeoutMs = 120_000,
): Promise<void> {
  const lines = records.map((r) => {
    const fields = [r.topic, r.compression, r.key, r.value];
    if (fields.some((f) => /[\t\r\n]/.test(f))) throw new Error("a Java record field has a tab or a newline");
    return fields.join("\t");
  });
  const paths = localKafkaPaths();
  fetchJars(paths, (line) => process.stderr.write(`${line}\n`));
  const child = spawn("java", ["-cp", join(paths.lib, "*"), PRODUCER_SOURCE, brokers.join(",")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    child.stdin.end(`${lines.join("\n")}\n`);
    const code = await exited;
    if (code !== 0 || !output.includes(`sent ${records.length}`)) {
      throw new Error(`the Java producer failed (exit ${code}): ${output.slice(-2_000)}`);
    }
  } finally {
    clearTimeout(timer);
    child.kill("SIGKILL");
  }
}
