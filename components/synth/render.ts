import { accessObjects, SecretValues, StackPlan } from "../plan/stack";
import { KubernetesObject } from "../kubernetes/types";
import { opsFileContent } from "./ops-file";
import { toYaml } from "./yaml";
import { PROJECT } from "../config/errors";
import { StackSettings } from "../config/settings";

/** What a rendered Secret holds instead of its value. Rendering never sees a secret's value at all. */
export function secretMarker(key: keyof SecretValues<string>): string {
  return `[secret: set with pulumi config set --secret ${PROJECT}:${key}]`;
}

export const RENDER_SECRETS: Required<SecretValues<string>> = {
  githubToken: secretMarker("githubToken"),
  writeBackToken: secretMarker("writeBackToken"),
  readToken: secretMarker("readToken"),
  statusToken: secretMarker("statusToken"),
  webhookSecret: secretMarker("webhookSecret"),
  argocdToken: secretMarker("argocdToken"),
  registryCredentials: secretMarker("registryCredentials"),
  // What is derived from a secret shows the marker of the secret it comes from.
  derive: (marker) => marker,
};

/** The markers of the secrets a stack sets: a token it leaves unset is githubToken's, and shows that marker. */
export function renderSecrets(settings: Pick<StackSettings, "writeBackToken" | "readToken" | "statusToken">): SecretValues<string> {
  const { writeBackToken, readToken, statusToken, ...always } = RENDER_SECRETS;
  return {
    ...always,
    ...(settings.writeBackToken ? { writeBackToken } : {}),
    ...(settings.readToken ? { readToken } : {}),
    ...(settings.statusToken ? { statusToken } : {}),
  };
}

/**
 * `cluster/<namespace>/<kind>-<name>.yaml`, or `cluster/<kind>-<name>.yaml` for a cluster-scoped object.
 * A namespace (a DNS label) holds no `/` and a kind (alphanumeric) no `-`, so a path is read back one
 * way and distinct objects never share one: with `<kind>-<namespace>-<name>`, account `b-x` in `a`
 * and account `x` in `a-b` did, and render refused the stack.
 */
export function clusterPath(o: Pick<KubernetesObject, "kind" | "metadata">): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : "";
  return `cluster/${ns}${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

/**
 * Every object the plan applies to the cluster and every file it commits, keyed by the path under the
 * render folder: `cluster/<namespace>/<kind>-<name>.yaml` and `repos/<owner>/<repo>/<path>`.
 * Webhooks go to `github/<owner>/<repo>/webhook-<app>.yaml`, so a change to one shows in a diff too.
 */
export function renderPlan(plan: StackPlan<string>): Map<string, string> {
  const files = new Map<string, string>();
  const add = (path: string, content: string) => {
    if (files.has(path)) throw new Error(`two objects render to ${path}; names must be unique`);
    files.set(path, content);
  };
  for (const ns of plan.namespaces) {
    for (const o of [ns.namespace, ns.githubToken, ns.gitCredentials, ns.statusToken]) if (o) add(clusterPath(o), toYaml(o));
  }
  const { argocd, namespaces } = plan.credentials;
  for (const o of [argocd, ...namespaces.flatMap((n) => [n.git, n.registry, ...n.ownedServiceAccounts, ...n.serviceAccountPatches])]) {
    if (o) add(clusterPath(o), toYaml(o));
  }
  for (const app of plan.apps) {
    for (const o of [...accessObjects(app.access), app.webhookSecret, ...app.applications]) add(clusterPath(o), toYaml(o));
    for (const f of app.repoFiles) add(`repos/${f.owner}/${f.repository}/${f.path}`, opsFileContent(f));
    if (app.webhook) add(`github/${app.webhook.owner}/${app.webhook.repository}/webhook-${app.app.name}.yaml`, toYaml(app.webhook));
  }
  return files;
}
