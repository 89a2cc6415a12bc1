import { appLabels, KubernetesObject } from "../kubernetes/types";

/** A kind of object, by API group ("" for the core group) and kind: how an AppProject lists kinds. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** Argo CD `argoproj.io/v1alpha1` AppProject, the fields we set. */
export interface AppProject extends KubernetesObject<"argoproj.io/v1alpha1", "AppProject"> {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    description: string;
    sourceRepos: string[];
    destinations: { server: string; namespace: string }[];
    /** Empty: no cluster-scoped object (Argo CD allows cluster-scoped kinds by allow list only). */
    clusterResourceWhitelist: GroupKind[];
    namespaceResourceWhitelist: GroupKind[];
  };
}

export interface AppProjectArgs {
  name: string;
  app: string;
  argocdNamespace: string;
  /** The one repository the Applications may read. */
  repoURL: string;
  destinationServer: string;
  destinationNamespace: string;
  /** The kinds the ops files hold, and nothing else. */
  kinds: GroupKind[];
}

/** The group of an `apiVersion`: `tekton.dev/v1` → `tekton.dev`; `v1` → "" (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Each group and kind of `objects` once, in the order first met. */
export function groupKindsOf(objects: readonly KubernetesObject[]): GroupKind[] {
  const seen = new Map<string, GroupKind>();
  for (const o of objects) seen.set(`${groupOf(o.apiVersion)}/${o.kind}`, { group: groupOf(o.apiVersion), kind: o.kind });
  return [...seen.values()];
}

/**
 * The project an app's two Applications sync in: only its ops repository, only its build namespace on
 * the destination server, no cluster-scoped object, and only the kinds its ops files hold. Whoever can
 * write the ops repository can then change those objects, and nothing else: a RoleBinding, a
 * ClusterRoleBinding, a Secret or an object in another namespace committed there is refused by Argo CD
 * ("resource :Secret is not permitted in project ..."; argo-cd controller/sync.go validateSyncPermissions),
 * and the sync that holds it applies nothing.
 */
export function appProject(a: AppProjectArgs): AppProject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: a.name, namespace: a.argocdNamespace, labels: appLabels(a.app, "gitops") },
    spec: {
      description: `deliberate-image-builds: what the ops repository may put in ${a.destinationNamespace} for ${a.app}`,
      sourceRepos: [a.repoURL],
      destinations: [{ server: a.destinationServer, namespace: a.destinationNamespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: a.kinds,
    },
  };
}
