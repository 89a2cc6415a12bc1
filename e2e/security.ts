// What the ops repository and the project's service accounts can and cannot do, asked of the real
// controllers: Argo CD refuses what the AppProject does not allow, and the API server's own
// authorizer (SubjectAccessReview, through `kubectl auth can-i --as`) answers for each account.
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ObjectNames } from "../components/plan/names";
import { gitAsync, gitTokenEnv } from "../tests/helpers/git-world";
import { ApplicationStatus, ArgoCd } from "./argocd";
import { getJson, Kube } from "./controllers/kube";
import { runProcess } from "./processes";
import { World } from "./world";

/** What someone who can write the ops repository commits into the app's Tekton folder. */
function plantedObjects(namespace: string, names: ObjectNames) {
  return {
    clusterRoleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "planted-cluster-admin" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: names.pipelineServiceAccount, namespace }],
    },
    secret: { apiVersion: "v1", kind: "Secret", metadata: { name: "planted-secret", namespace }, stringData: { token: "planted" } },
    // A kind the project allows, in a namespace it does not.
    elsewhere: {
      apiVersion: "tekton.dev/v1",
      kind: "Task",
      metadata: { name: "planted-task", namespace: "kube-system" },
      spec: { steps: [{ name: "planted", image: "docker.io/library/alpine:3.22", script: "true" }] },
    },
  };
}

/** Commits `files` (path → content, or null to remove) to the repository's main, as whoever holds write access would. */
async function commitToOps(w: World, repo: string, files: Record<string, string | null>, message: string): Promise<string> {
  const work = fs.mkdtempSync(path.join(w.dir, "ops-writer-"));
  const auth = { ...w.gitEnv, ...gitTokenEnv("ops-writer", w.token) };
  await gitAsync(w.dir, "clone", "-q", w.github.gitUrl(repo), work, auth);
  for (const [file, content] of Object.entries(files)) {
    if (content === null) await gitAsync(work, "rm", "-q", file, auth);
    else {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), content);
      await gitAsync(work, "add", file, auth);
    }
  }
  await gitAsync(work, "commit", "-q", "-m", message, auth);
  await gitAsync(work, "push", "-q", "origin", "HEAD:main", auth);
  return gitAsync(work, "rev-parse", "HEAD");
}

export interface PlantedRefusal {
  /** Argo CD's own words for the refused sync. */
  message: string;
  /** Which planted objects reached the API server: none, when the project holds. */
  reached: string[];
  /** Whether the folder synced again once the planted file was gone. */
  cleanSynced: boolean;
}

/**
 * Commits a ClusterRoleBinding to cluster-admin, a Secret and a Task in another namespace into the
 * app's Tekton folder; waits for Argo CD's sync of that commit and reads its verdict and the API
 * server; then removes the file again and waits for the folder to sync clean.
 */
export async function plantIntoOpsFolder(w: World, k: Kube, argocd: ArgoCd, o: { opsRepo: string; folder: string; application: string; namespace: string; names: ObjectNames }): Promise<PlantedRefusal> {
  const planted = plantedObjects(o.namespace, o.names);
  const file = `${o.folder}/planted.yaml`;
  const text = Object.values(planted).map((p) => stringify(p)).join("---\n");
  const head = await commitToOps(w, o.opsRepo, { [file]: text }, "A change that grants rights");
  // Refused: the sync of this commit fails (and is retried) with a message that names the project;
  // applied: a sync of this commit that succeeded.
  const refused = (s: ApplicationStatus) => s.sync?.revision === head && /not permitted in project/.test(s.operationState?.message ?? "");
  const applied = (s: ApplicationStatus) => s.sync?.revision === head && s.operationState?.phase === "Succeeded" && s.operationState.syncResult?.revision === head;
  const status = await argocd.waitForApplication(o.application, (s) => refused(s) || applied(s), 180_000).catch((err: Error) => err);
  const reached: string[] = [];
  if (await getJson(k, "clusterrolebindings", planted.clusterRoleBinding.metadata.name)) reached.push("ClusterRoleBinding");
  if (await getJson(k, "secrets", planted.secret.metadata.name, o.namespace)) reached.push("Secret");
  if (await getJson(k, "tasks.tekton.dev", planted.elsewhere.metadata.name, "kube-system")) reached.push("Task in kube-system");
  // The refused sync is being retried; each retry takes the newest commit (retry.refresh), so the
  // clean one lands at the next retry.
  const clean = await commitToOps(w, o.opsRepo, { [file]: null }, "Take the planted file out again");
  const synced = await argocd
    .waitForApplication(o.application, (s) => s.sync?.revision === clean && s.sync.status === "Synced" && s.operationState?.phase === "Succeeded", 240_000)
    .then(() => true, () => false);
  const message = status instanceof Error ? status.message : (status.operationState?.message ?? JSON.stringify(status));
  return { message, reached, cleanSynced: synced };
}

/** `kubectl auth can-i` as a service account: the API server's authorizer decides (SubjectAccessReview). */
export async function canI(k: Kube, account: { namespace: string; name: string }, verb: string, resource: string, namespace?: string): Promise<boolean> {
  const where = namespace === undefined ? ["--all-namespaces"] : ["-n", namespace];
  const r = await runProcess(k.kubectl, ["--kubeconfig", k.kubeconfig, "auth", "can-i", verb, resource, ...where, `--as=system:serviceaccount:${account.namespace}:${account.name}`]);
  if (r.code !== 0 && r.stdout.trim() !== "no") throw new Error(`kubectl auth can-i ${verb} ${resource}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim() === "yes";
}

/** What no account of the project may do: read any Secret, impersonate, or grant cluster rights. */
export const FORBIDDEN: { verb: string; resource: string; namespaces: (string | undefined)[] }[] = [
  { verb: "get", resource: "secrets", namespaces: [undefined, "default", "argocd", "kube-system"] },
  { verb: "list", resource: "secrets", namespaces: [undefined] },
  { verb: "impersonate", resource: "serviceaccounts", namespaces: [undefined] },
  { verb: "create", resource: "clusterrolebindings", namespaces: [undefined] },
  { verb: "create", resource: "rolebindings", namespaces: [undefined] },
  { verb: "create", resource: "pods", namespaces: [undefined] },
];
