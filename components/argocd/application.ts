import { appLabels, KubernetesObject } from "../kubernetes/types";

/** Argo CD `argoproj.io/v1alpha1` Application, the fields we set. */
export interface Application extends KubernetesObject<"argoproj.io/v1alpha1", "Application"> {
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { server: string; namespace: string };
    syncPolicy: {
      automated: { enabled: true; prune: boolean; selfHeal: boolean };
      syncOptions: string[];
      retry: { limit: number; refresh: true };
    };
  };
}

export interface ApplicationArgs {
  name: string;
  app: string;
  argocdNamespace: string;
  project: string;
  repoURL: string;
  targetRevision: string;
  path: string;
  destinationServer: string;
  destinationNamespace: string;
  prune: boolean;
  selfHeal: boolean;
}

/**
 * Deleting an Application deletes what it applied: Argo CD's resources finalizer, in its background
 * form (Argo CD v3.6 controller/appcontroller.go finalizeApplicationDeletion: background propagation for
 * `/background`, foreground for the plain name). Foreground keeps a kpack Image, marked for deletion,
 * in place until the garbage collector has deleted its Builds; meanwhile each Build deletion wakes kpack's
 * image reconciler (pkg/reconciler/image/image.go: only the Image's own events are filtered on
 * deletionTimestamp, a Build's enqueue its owner), which finds the Image and makes the Build again, so
 * the deletion can outlast `pulumi destroy`'s wait. In the background form the Image is gone at once and
 * the collector deletes its Builds after it, with no Image left to remake them.
 */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io/background";

/** An Application that applies one folder of the ops repository, syncing on its own. */
export function opsFolderApplication(a: ApplicationArgs): Application {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: a.name,
      namespace: a.argocdNamespace,
      labels: appLabels(a.app, "gitops"),
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: a.project,
      source: { repoURL: a.repoURL, targetRevision: a.targetRevision, path: a.path },
      destination: { server: a.destinationServer, namespace: a.destinationNamespace },
      // No CreateNamespace: the program makes the namespace, and the project allows no cluster-scoped kind.
      // A failed automated sync is retried (5 times, Argo CD's default, backing off from 5 s); `refresh`
      // makes each retry take the branch's newest commit, so a commit that fixes a refused one (or a
      // newer tested revision) lands at the next retry instead of after the failed one's retries run
      // out (argo-cd v3.6 controller/appcontroller.go: Retry.Refresh clears the operation's revision).
      syncPolicy: {
        automated: { enabled: true, prune: a.prune, selfHeal: a.selfHeal },
        syncOptions: [],
        retry: { limit: 5, refresh: true },
      },
    },
  };
}
