import { buildOverlay, type K8sObject } from "./manifest.ts";
import { OVERLAYS, type Overlay } from "./paths.ts";

/** Every overlay built once per test file (kubectl kustomize takes a fraction of a second each). */
export function buildAll(): Map<Overlay, K8sObject[]> {
  return new Map(OVERLAYS.map((o) => [o, buildOverlay(o)]));
}
