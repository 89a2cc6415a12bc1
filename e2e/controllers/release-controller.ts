// A release's controller as a process: what its Deployment would run, run on this machine.
import * as path from "path";
import { Daemon, freePort, startDaemon } from "../processes";
import { apply, Kube, serviceAccountKubeconfig } from "./kube";
import { deploymentEnv, forLoopback, ManifestObject } from "./releases";

export interface ReleaseControllerOptions {
  /** The process's name: its log and kubeconfig are named after it. */
  name: string;
  bin: string;
  /** The controller's part of the release, as read (its Deployment gives the env). */
  objects: ManifestObject[];
  deployment: string;
  /** The service account the Deployment runs as, and its namespace. */
  namespace: string;
  serviceAccount: string;
  /** The API server's URL, for the controller's own kubeconfig. */
  server: string;
  logDir: string;
  /** The Deployment's args, as this machine gives them. */
  args?: string[];
  /** Set on top of the Deployment's env. */
  env?: Record<string, string>;
}

/**
 * Applies the objects (no Deployment), writes a kubeconfig with a token of the controller's own service
 * account (from the TokenRequest API, as a pod is given one) and starts the binary with the Deployment's
 * env and `--kubeconfig` (knative's injection and kpack's main read it from the flag alone; KUBECONFIG
 * would leave them looking for an in-cluster config). knative's profiling server listens on 8008 unless
 * told (profiling.NewServer), and a port taken by another process stops the controller: profiling and
 * metrics get ports of their own.
 */
export async function startReleaseController(k: Kube, o: ReleaseControllerOptions): Promise<Daemon> {
  await apply(k, forLoopback(o.objects, []));
  const config = path.join(o.logDir, `${o.name}.kubeconfig`);
  await serviceAccountKubeconfig(k, o.server, o.namespace, o.serviceAccount, config);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...deploymentEnv(o.objects, o.deployment),
    PROFILING_PORT: String(await freePort()),
    METRICS_PROMETHEUS_PORT: String(await freePort()),
    ...o.env,
  };
  return startDaemon(o.name, o.bin, [...(o.args ?? []), "--kubeconfig", config], o.logDir, env);
}
