import { describe, expect, it } from "vitest";
import { modelValidator } from "./models.ts";
import { strictSchema } from "./strimzi-crds.ts";
import { validateStrictly } from "./strict-validate.ts";
import { validateObjects } from "./validate-objects.ts";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "w", labels: { "any/label": "x" }, annotations: { "free.form/key": "y" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "w" } },
    template: {
      metadata: { labels: { app: "w" } },
      spec: {
        containers: [{ name: "c", image: "i:1", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
      },
    },
  },
});

const validator = (type: string) => {
  const v = modelValidator(type);
  if (!v) throw new Error(`no model for ${type}`);
  return v;
};

describe("validateStrictly", () => {
  it("passes a correct Deployment, maps (labels, requests) included", () => {
    expect(validateStrictly(validator("apps/v1/Deployment"), deployment())).toEqual([]);
  });

  it("names a typo'd field anywhere in the object, which the model's own validate lets through", () => {
    const typo = deployment();
    Object.assign(typo.spec, { replicaz: 3 });
    Object.assign(typo.spec.template.spec.containers[0] ?? {}, { imagePullPolice: "Always" });
    expect(() => validator("apps/v1/Deployment")(typo)).not.toThrow();
    expect(validateStrictly(validator("apps/v1/Deployment"), typo)).toEqual([
      "/spec/replicaz",
      "/spec/template/spec/containers/0/imagePullPolice",
    ]);
  });

  it("rejects a wrong type through the model's schema", () => {
    const wrong = deployment();
    Object.assign(wrong.spec, { replicas: "two" });
    expect(() => validateStrictly(validator("apps/v1/Deployment"), wrong)).toThrow(/replicas/);
  });

  it("checks custom resources the same way (KEDA)", () => {
    const scaled = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: "w" },
      spec: {
        scaleTargetRef: { name: "w" },
        maxReplicaCount: 3,
        triggers: [{ type: "kafka", metadata: { topic: "t", lagThreshold: "10" } }],
        maxReplicas: 3,
      },
    };
    expect(validateStrictly(validator("keda.sh/v1alpha1/ScaledObject"), scaled)).toEqual([
      "/spec/maxReplicas",
    ]);
  });
});

describe("validateObjects", () => {
  it("reports a kind without a schema rather than passing it", () => {
    const problems = validateObjects(
      [{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } }],
      new Map(),
    );
    expect(problems).toEqual([{ object: "Widget/x", message: "no schema known for example.com/v1/Widget" }]);
  });
});

describe("strictSchema", () => {
  it("closes objects with declared properties and leaves preserve-unknown-fields and maps open", () => {
    const schema = {
      type: "object",
      properties: {
        config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        spec: { type: "object", properties: { partitions: { type: "integer" } } },
      },
    };
    expect(strictSchema(schema)).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        config: { type: "object" },
        labels: { type: "object", additionalProperties: { type: "string" } },
        spec: {
          type: "object",
          additionalProperties: false,
          properties: { partitions: { type: "integer" } },
        },
      },
    });
  });
});
