import { KubernetesObject, partOfLabels, Secret } from "./types";

export interface Namespace extends KubernetesObject<"v1", "Namespace"> {}

/** Namespaces that every cluster has; the program never claims them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public"];

export function isBuiltInNamespace(name: string): boolean {
  return BUILT_IN_NAMESPACES.includes(name);
}

export function namespace(name: string): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: partOfLabels() } };
}

export function opaqueSecret<V>(a: { name: string; namespace: string; key: string; value: V }): Secret<V> {
  return opaqueSecretOf({ name: a.name, namespace: a.namespace, stringData: { [a.key]: a.value } });
}

/** An Opaque Secret with several keys. */
export function opaqueSecretOf<V>(a: { name: string; namespace: string; stringData: Record<string, V> }): Secret<V> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: a.name, namespace: a.namespace, labels: partOfLabels() },
    type: "Opaque",
    stringData: a.stringData,
  };
}
