import { describe, expect, it } from "vitest";
import {
  ConfigError,
  describeDatabaseUrl,
  kafkaBrokers,
  kafkaEnvSchema,
  metricsEnvSchema,
  observabilityEnvSchema,
  parseEnv,
} from "./index.ts";

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

describe("observability settings", () => {
  const schema = observabilityEnvSchema.extend(metricsEnvSchema(9464).shape);

  it("defaults the probe port and host, and leaves tracing off", () => {
    expect(parseEnv(schema, {})).toEqual({
      LOG_LEVEL: "info",
      METRICS_PORT: 9464,
      METRICS_HOST: "127.0.0.1",
    });
    expect(parseEnv(schema, { METRICS_PORT: "0" }).METRICS_PORT).toBe(0);
  });

  it("names each bad variable instead of starting", () => {
    const bad = () =>
      parseEnv(schema, {
        METRICS_PORT: "70000",
        LOG_FORMAT: "xml",
        OTEL_EXPORTER_OTLP_ENDPOINT: "not a url",
      });
    expect(bad).toThrow(ConfigError);
    for (const name of ["METRICS_PORT", "LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT"]) {
      expect(bad).toThrow(new RegExp(`\\n  ${name}: `));
    }
  });
});
