// kubectl as the controllers' e2e uses it: asynchronously (the GitHub double answers in this process),
// with the run's admin kubeconfig, and with errors that say what was asked.
import * as fs from "fs";
import { stringify } from "yaml";
import { kubeconfig } from "../control-plane";
import { runProcess, waitFor } from "../processes";
import { ManifestObject } from "./releases";

export interface Kube {
  kubectl: string;
  kubeconfig: string;
}

/** Runs kubectl; a non-zero exit is an error carrying its stderr. */
export async function kubectl(k: Kube, args: string[], input?: string): Promise<string> {
  const r = await runProcess(k.kubectl, ["--kubeconfig", k.kubeconfig, ...args], { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Server-side apply of objects, as the e2e's own field manager. */
export async function apply(k: Kube, objects: ManifestObject[]): Promise<void> {
  if (objects.length === 0) return;
  const yaml = objects.map((o) => stringify(o)).join("---\n");
  await kubectl(k, ["apply", "--server-side", "--force-conflicts", "--field-manager", "e2e-install", "-f", "-"], yaml);
}

/** An object as JSON, or undefined when the API server has none of that name. */
export async function getJson<T>(k: Kube, resource: string, name: string, namespace?: string): Promise<T | undefined> {
  const r = await runProcess(k.kubectl, ["--kubeconfig", k.kubeconfig, "get", resource, name, ...(namespace ? ["-n", namespace] : []), "-o", "json"]);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${resource} ${name}: ${r.stderr.trim()}`);
  }
  return JSON.parse(r.stdout) as T;
}

/** The items of a list, e.g. `kubectl get pipelineruns -n ns -o json`. */
export async function list<T>(k: Kube, resource: string, namespace?: string): Promise<T[]> {
  const out = await kubectl(k, ["get", resource, ...(namespace ? ["-n", namespace] : ["-A"]), "-o", "json"]);
  return (JSON.parse(out) as { items: T[] }).items;
}

/** Polls until each CRD is Established: `kubectl wait` fails on a CRD whose status has no conditions yet. */
export async function waitForEstablished(k: Kube, crds: string[], timeoutMs = 60_000): Promise<void> {
  for (const crd of crds) {
    await waitFor(`CRD ${crd} established`, async () => {
      const live = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(k, "crd", crd);
      return !!live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    }, timeoutMs);
  }
}

/** A kubeconfig for one service account: a token from the TokenRequest API, as a pod is given one. */
export async function serviceAccountKubeconfig(k: Kube, server: string, namespace: string, account: string, file: string): Promise<void> {
  const token = (await kubectl(k, ["create", "token", account, "-n", namespace, "--duration", "2h"])).trim();
  fs.writeFileSync(file, kubeconfig(server, account, token, namespace), { mode: 0o600 });
}
