// Argo CD's part in deleting an Application, for an e2e cluster where no Argo CD runs.
import { kubectl } from "./controllers/kube";

/**
 * What Argo CD does for an Application being deleted, once it has deleted what the Application applied
 * (nothing here: no controller runs): it removes its resources finalizer (components/argocd/application.ts RESOURCES_FINALIZER). Without this,
 * destroy waits out the Applications' delete timeout, which the README's "Tearing down" describes.
 */
export function argoCdFinalizerStandIn(kubectlBin: string, kubeconfig: string): { stop(): void } {
  let stopped = false;
  // A failed call is tried again on the next round, as a controller's would be.
  const kubectlAsync = (...args: string[]) => kubectl({ kubectl: kubectlBin, kubeconfig }, args).catch(() => "");
  const loop = async () => {
    while (!stopped) {
      const list = JSON.parse((await kubectlAsync("get", "applications.argoproj.io", "-n", "argocd", "-o", "json")) || '{"items":[]}') as {
        items: { metadata: { name: string; deletionTimestamp?: string; finalizers?: string[] } }[];
      };
      for (const app of list.items.filter((a) => a.metadata.deletionTimestamp && a.metadata.finalizers?.length)) {
        await kubectlAsync("patch", "applications.argoproj.io", app.metadata.name, "-n", "argocd", "--type", "merge", "-p", '{"metadata":{"finalizers":null}}');
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void loop();
  return { stop: () => (stopped = true) };
}

