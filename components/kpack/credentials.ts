import { DOCKER_CONFIG_JSON_KEY, secret } from "../kubernetes/secret";
import { appObjectMeta, LocalObjectReference, Secret, ServiceAccount } from "../kubernetes/types";

/**
 * kpack reads git credentials from the basic-auth Secrets its Image's service account lists, choosing one
 * by the `kpack.io/git` annotation (buildpacks-community/kpack docs/secrets.md). The annotation must be
 * the clone URL's host, bare or as `https://<host>` (pkg/git/k8s_git_keychain.go, gitUrlMatch compares
 * it with the URL's host, port included), so it is written as the git host's origin.
 */
export const KPACK_GIT_ANNOTATION = "kpack.io/git";

export interface GitCredentialsArgs<V> {
  name: string;
  namespace: string;
  /** Base URL of the repositories, e.g. https://github.com; only its origin is matched. */
  gitHost: string;
  username: string;
  password: V;
}

/** A `kubernetes.io/basic-auth` Secret (keys `username`, `password`) kpack clones with. */
export function gitCredentials<V>(a: GitCredentialsArgs<V>): Secret<V> {
  return secret({
    name: a.name,
    namespace: a.namespace,
    annotations: { [KPACK_GIT_ANNOTATION]: new URL(a.gitHost).origin },
    type: "kubernetes.io/basic-auth",
    stringData: { username: a.username, password: a.password },
  });
}

/**
 * Registry credentials as a `kubernetes.io/dockerconfigjson` Secret. kpack takes these for any registry
 * named in them, without an annotation (docs/secrets.md, "Docker Config Json").
 */
export function registryCredentials<V>(a: { name: string; namespace: string; dockerConfigJson: V }): Secret<V> {
  return secret({ name: a.name, namespace: a.namespace, type: "kubernetes.io/dockerconfigjson", stringData: { [DOCKER_CONFIG_JSON_KEY]: a.dockerConfigJson } });
}

const refs = (names: readonly string[]): LocalObjectReference[] => names.map((name) => ({ name }));

/**
 * The service account an app's Image builds with, owned by this program. kpack's build pod reads the
 * Secrets under `secrets`; the registry Secret is also an image pull secret, as kpack's own tutorial
 * lists it, so keychains that read only `imagePullSecrets` (go-containerregistry's k8schain) find it too.
 */
export function imageServiceAccount(a: { name: string; namespace: string; app: string; secrets: string[]; registrySecrets: string[] }): ServiceAccount {
  // kpack's controller reads the account's Secrets itself, and its build pods call no API
  // (pkg/buildpod/generator.go fetchBuildSecrets; cmd/build-init, completion: k8schain.NewNoClient).
  const account: ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: appObjectMeta(a, "image-builder"),
    automountServiceAccountToken: false,
    secrets: refs(a.secrets),
  };
  if (a.registrySecrets.length > 0) account.imagePullSecrets = refs(a.registrySecrets);
  return account;
}

/**
 * What this program adds to a service account the stack names but does not own: `secrets` entries only.
 * Applied server-side, `secrets` is a list keyed by `name` (core/v1 ServiceAccount: patchMergeKey name),
 * so the patch adds its entries and leaves the account's own. `imagePullSecrets` is an atomic list: a
 * patch would replace it whole, so it is never touched here.
 */
export function serviceAccountSecretsPatch(a: { name: string; namespace: string; secrets: string[] }): ServiceAccount {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: a.name, namespace: a.namespace }, secrets: refs(a.secrets) };
}
