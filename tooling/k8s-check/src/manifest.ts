import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";
import { K8S_DIR, type Overlay } from "./paths.ts";

/** One object of a built overlay, as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export const typeOf = (o: Pick<K8sObject, "apiVersion" | "kind">): string => `${o.apiVersion}/${o.kind}`;
export const idOf = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;

function isK8sObject(value: unknown): value is K8sObject {
  const o = value as Partial<K8sObject> | null;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.apiVersion === "string" &&
    typeof o.kind === "string" &&
    typeof o.metadata?.name === "string"
  );
}

/** The objects of a multi-document YAML stream; anything that is not an object fails. */
export function parseObjects(yamlText: string, source: string): K8sObject[] {
  return parseAllDocuments(yamlText).flatMap((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${source}, document ${i + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJSON();
    if (value === null) return [];
    if (!isK8sObject(value)) throw new Error(`${source}, document ${i + 1} has no apiVersion, kind or name`);
    return [value];
  });
}

/** `kubectl kustomize deploy/k8s/overlays/<overlay>`, parsed. */
export function buildOverlay(overlay: Overlay): K8sObject[] {
  const dir = `${K8S_DIR}/overlays/${overlay}`;
  let out: string;
  try {
    out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    throw new Error(
      `kubectl kustomize ${dir} failed: ${(err as Error).message}\n` +
        "kubectl (1.27+) must be installed: its kustomize builds the overlays offline.",
    );
  }
  return parseObjects(out, `overlay ${overlay}`);
}
