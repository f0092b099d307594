import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { Validate } from "./strict-validate.ts";

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

/**
 * The schema of every kind the overlays may hold, from the npm packages that carry them
 * (Kubernetes 1.3x built-ins, KEDA, CloudNativePG, Prometheus operator). A kind missing here
 * fails the check: add its model, never skip it. Strimzi's kinds are checked against its CRDs.
 */
const MODELS: ModelClass[] = [
  Namespace,
  ConfigMap,
  Service,
  Deployment,
  Job,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  NetworkPolicy,
  Ingress,
  ScaledObject,
  Cluster,
  PodMonitor,
  PrometheusRule,
];

const BY_TYPE = new Map(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** The model's validator for `apiVersion/kind`, or undefined when no package has it. */
export function modelValidator(type: string): Validate | undefined {
  const model = BY_TYPE.get(type);
  return model && ((data) => model.prototype.validate.call(data));
}
