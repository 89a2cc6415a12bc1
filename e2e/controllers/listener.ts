// An EventListener's sink, run as the Deployment Triggers' controller makes for it would run it
// (tektoncd/triggers v0.37.0 pkg/reconciler/eventlistener/resources: container.go MakeContainer's args
// and env, deployment.go's SYSTEM_NAMESPACE and METRICS_PROMETHEUS_PORT), and as that pod's identity:
// a token of the EventListener's own service account, so what it creates is allowed by the RBAC the
// ops repository grants it, and nothing more.
import * as path from "path";
import { Daemon, freePort, httpOk, startDaemon, waitFor } from "../processes";
import { getJson, Kube, serviceAccountKubeconfig } from "./kube";

interface EventListenerObject {
  metadata: { name: string; namespace: string };
  spec: { serviceAccountName: string; namespaceSelector?: { matchNames?: string[] } };
}

export interface Sink {
  /** Where the sink listens (plain http on loopback; the e2e puts TLS in front, as an ingress would). */
  port: number;
  serviceAccount: string;
  daemon: Daemon;
  stop(): Promise<void>;
}

/** The sink's defaults, from resources/config.go (the controller's flags default to the same values). */
const SINK_TIMEOUTS = {
  readtimeout: 5,
  writetimeout: 40,
  idletimeout: 30,
  timeouthandler: 5,
  "httpclient-readtimeout": 30,
  "httpclient-keep-alive": 30,
  "httpclient-tlshandshaketimeout": 10,
  "httpclient-responseheadertimeout": 10,
  "httpclient-expectcontinuetimeout": 1,
};

export async function startSink(k: Kube, o: { bin: string; server: string; namespace: string; name: string; port?: number; logDir: string }): Promise<Sink> {
  const listener = await getJson<EventListenerObject>(k, "eventlisteners.triggers.tekton.dev", o.name, o.namespace);
  if (!listener) throw new Error(`e2e: no EventListener ${o.namespace}/${o.name} in the cluster to run a sink for`);
  const account = listener.spec.serviceAccountName;
  const config = path.join(o.logDir, `sink-${o.name}.kubeconfig`);
  await serviceAccountKubeconfig(k, o.server, o.namespace, account, config);
  const port = o.port ?? (await freePort());
  const isMultiNs = (listener.spec.namespaceSelector?.matchNames?.length ?? 0) > 0;
  const args = [
    `--el-name=${o.name}`,
    `--el-namespace=${o.namespace}`,
    `--port=${port}`,
    ...Object.entries(SINK_TIMEOUTS).map(([flag, value]) => `--${flag}=${value}`),
    `--is-multi-ns=${isMultiNs}`,
    "--payload-validation=true",
    "--cloudevent-uri=",
  ];
  const daemon = startDaemon(`eventlistenersink-${o.name}`, o.bin, args, o.logDir, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KUBECONFIG: config,
    NAMESPACE: o.namespace,
    NAME: o.name,
    EL_EVENT: "disable",
    K_SINK_TIMEOUT: String(SINK_TIMEOUTS.timeouthandler),
    SYSTEM_NAMESPACE: o.namespace,
    METRICS_PROMETHEUS_PORT: String(await freePort()),
  });
  await waitFor(`the EventListener sink for ${o.name}`, async () => {
    return httpOk(`http://127.0.0.1:${port}/live`);
  }, 90_000, daemon.log);
  return { port, serviceAccount: `system:serviceaccount:${o.namespace}:${account}`, daemon, stop: () => daemon.stop() };
}
