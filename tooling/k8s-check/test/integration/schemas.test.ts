import { beforeAll, describe, expect, it } from "vitest";
import { buildAll } from "../../src/overlays.ts";
import { OVERLAYS } from "../../src/paths.ts";
import { ensureStrimziCrds, STRIMZI_API_VERSION, strimziValidators } from "../../src/strimzi-crds.ts";
import type { Validate } from "../../src/strict-validate.ts";
import { validateObjects } from "../../src/validate-objects.ts";

// Every object of every overlay against its real schema: Kubernetes, KEDA, CloudNativePG and the
// Prometheus operator from their npm models, Strimzi from CRDs generated from Maven Central.
let strimzi: Map<string, Validate>;
const overlays = buildAll();

beforeAll(() => {
  strimzi = strimziValidators(ensureStrimziCrds((line) => console.error(line)));
}, 300_000);

describe.each(OVERLAYS)("overlay %s", (overlay) => {
  it("has only objects that pass their schema, with no unknown field", () => {
    const objects = overlays.get(overlay) ?? [];
    expect(objects.length).toBeGreaterThan(20);
    expect(validateObjects(objects, strimzi)).toEqual([]);
  });
});

describe("the Strimzi CRDs", () => {
  const topic = () => ({
    apiVersion: STRIMZI_API_VERSION,
    kind: "KafkaTopic",
    metadata: { name: "t", labels: { "strimzi.io/cluster": "emote" } },
    spec: { partitions: 3, replicas: 3, config: { "retention.ms": 1000 } },
  });

  it("pass a good KafkaTopic, its free-form config included", () => {
    expect(validateObjects([topic()], strimzi)).toEqual([]);
  });

  it("refuse a typo'd field and a wrong type", () => {
    const typo = topic();
    Object.assign(typo.spec, { partitons: 3 });
    expect(validateObjects([typo], strimzi)).toEqual([
      { object: "KafkaTopic/t", message: "unknown field /spec/partitons" },
    ]);
    const wrong = topic();
    Object.assign(wrong.spec, { partitions: "many" });
    expect(validateObjects([wrong], strimzi)[0]?.message).toMatch(/\/spec\/partitions must be integer/);
  });

  it("know the v1 API only: a v1beta2 Kafka has no schema here", () => {
    const old = { apiVersion: "kafka.strimzi.io/v1beta2", kind: "Kafka", metadata: { name: "k" } };
    expect(validateObjects([old], strimzi)).toEqual([
      { object: "Kafka/k", message: "no schema known for kafka.strimzi.io/v1beta2/Kafka" },
    ]);
  });
});
