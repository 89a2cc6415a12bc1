import { KubernetesObject, partOfLabels } from "./types";

export interface Namespace extends KubernetesObject<"v1", "Namespace"> {}

/** Namespaces that every cluster has; the program never claims them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public"];

export function isBuiltInNamespace(name: string): boolean {
  return BUILT_IN_NAMESPACES.includes(name);
}

export function namespace(name: string): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: partOfLabels() } };
}
