import { partOfLabels, Secret } from "./types";

/** The key a `kubernetes.io/dockerconfigjson` Secret must hold: a docker `config.json`. */
export const DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson";

/**
 * A Secret's type with the keys Kubernetes requires of it (core/v1 Secret types): the compiler then
 * refuses a basic-auth Secret without `password`, or a docker config Secret under another key.
 * Values of type `V` are secret; plain strings beside them (a URL, a username) are not.
 */
export type SecretContent<V> =
  | { type: "Opaque"; stringData: Record<string, V | string> }
  | { type: "kubernetes.io/basic-auth"; stringData: { username: V | string; password: V | string } }
  | { type: "kubernetes.io/dockerconfigjson"; stringData: { [DOCKER_CONFIG_JSON_KEY]: V | string } };

export type SecretArgs<V> = SecretContent<V> & {
  name: string;
  namespace: string;
  /** Labels beside the part-of label every Secret carries, e.g. the one Argo CD finds its credentials by. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

/**
 * Every Secret this program writes, built in one place so each carries the part-of label and a type
 * with the keys that type requires, whether its values are Pulumi secret Outputs or render's markers.
 */
export function secret<V>(a: SecretArgs<V>): Secret<V> {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: a.name,
      namespace: a.namespace,
      labels: { ...a.labels, ...partOfLabels() },
      ...(a.annotations === undefined ? {} : { annotations: a.annotations }),
    },
    type: a.type,
    stringData: a.stringData,
  };
}
