import { describe, expect, it } from "vitest";
import { ConfigError, describeDatabaseUrl, kafkaBrokers, kafkaEnvSchema, parseEnv } from "./index.ts";

describe("kafkaBrokers", () => {
  it("uses the local broker on KAFKA_PORT when KAFKA_BROKERS is unset", () => {
    const env = parseEnv(kafkaEnvSchema, { KAFKA_PORT: "19092" });
    expect(kafkaBrokers(env)).toEqual(["127.0.0.1:19092"]);
  });

  it("splits and trims a configured cluster", () => {
    const env = parseEnv(kafkaEnvSchema, { KAFKA_BROKERS: " a:9092, b:9093 ,," });
    expect(kafkaBrokers(env)).toEqual(["a:9092", "b:9093"]);
  });
});

describe("parseEnv", () => {
  it("treats an empty variable as unset", () => {
    expect(parseEnv(kafkaEnvSchema, { KAFKA_BROKERS: "", KAFKA_PORT: "" })).toMatchObject({
      KAFKA_PORT: 9092,
    });
    expect(parseEnv(kafkaEnvSchema, { KAFKA_BROKERS: "" }).KAFKA_BROKERS).toBeUndefined();
  });

  it("names every bad variable in one readable error", () => {
    expect(() => parseEnv(kafkaEnvSchema, { KAFKA_PORT: "abc", KAFKA_PARTITIONS: "0" })).toThrowError(
      new ConfigError(
        "Invalid configuration:\n  KAFKA_PORT: Invalid input: expected number, received NaN\n  KAFKA_PARTITIONS: Too small: expected number to be >=1",
      ),
    );
  });
});

describe("describeDatabaseUrl", () => {
  it("names host, port and database without the password", () => {
    expect(describeDatabaseUrl("postgres://u:secret@db.example:6543/emote")).toBe("db.example:6543/emote");
    expect(describeDatabaseUrl("postgres://u@localhost/emote")).toBe("localhost:5432/emote");
  });
});
