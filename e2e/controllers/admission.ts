// Tekton's, Triggers' and kpack's admission webhooks, and Triggers' core interceptors, as processes
// serving the e2e's API server: installed from their releases' own manifests (see releases.ts for the
// one change, loopback) and started with the environment their release Deployments give them.
import * as path from "path";
import { Controller } from "../binaries";
import { Daemon, freePort, startDaemon, waitFor } from "../processes";
import { apply, getJson, Kube, kubectl, waitForEstablished } from "./kube";
import { deploymentEnv, forLoopback, LoopbackService, ManifestObject, readRelease } from "./releases";

/** One process of a release: a binary built by `npm run e2e:tools`, run as the named Deployment would run it. */
interface ReleaseProcess {
  bin: Controller;
  deployment: string;
  service: { namespace: string; name: string };
  /** The env var the process takes its port from; a port fixed in the code instead is given here. */
  port: { env: string } | { fixed: number };
  /** Set on top of the Deployment's env, each with the reason. */
  env?: Record<string, string>;
  /** Started once the releases' custom resources are applied (and admitted), not before. */
  afterCustomResources?: boolean;
}

export interface Release {
  /** The tool whose `<share>/<tool>` folder holds the release's `config`. */
  tool: Controller;
  files: string[];
  processes: ReleaseProcess[];
}

const TEKTON_NAMESPACE = "tekton-pipelines";
/** Triggers' interceptors server listens on 8443, a constant of cmd/interceptors/main.go (HTTPSPort). */
const INTERCEPTORS_PORT = 8443;

/** What is installed and run here, per release. */
export const RELEASES: Release[] = [
  {
    tool: "tekton-pipeline-webhook",
    files: ["config/100-namespace", "config/300-crds", "config/config-defaults.yaml", "config/config-events.yaml", "config/config-feature-flags.yaml",
      "config/config-info.yaml", "config/config-leader-election-webhook.yaml", "config/config-logging.yaml", "config/config-observability.yaml",
      "config/config-registry-cert.yaml", "config/config-spire.yaml", "config/config-tracing.yaml", "config/config-wait-exponential-backoff.yaml",
      "config/500-webhooks.yaml", "config/webhook.yaml"],
    processes: [{ bin: "tekton-pipeline-webhook", deployment: "tekton-pipelines-webhook", service: { namespace: TEKTON_NAMESPACE, name: "tekton-pipelines-webhook" }, port: { env: "WEBHOOK_PORT" } }],
  },
  {
    tool: "tekton-triggers-webhook",
    files: ["config/200-clusterrole.yaml", "config/300-clusterinterceptor.yaml", "config/300-clustertriggerbinding.yaml", "config/300-eventlistener.yaml",
      "config/300-interceptor.yaml", "config/300-trigger.yaml", "config/300-triggerbinding.yaml", "config/300-triggertemplate.yaml",
      "config/config-defaults-triggers.yaml", "config/config-feature-flags.yaml", "config/config-info.yaml", "config/config-leader-election-webhook.yaml",
      "config/config-logging.yaml", "config/config-observability.yaml", "config/500-webhooks.yaml", "config/webhook.yaml", "config/webhook-service.yaml",
      "config/interceptors"],
    processes: [
      { bin: "tekton-triggers-webhook", deployment: "tekton-triggers-webhook", service: { namespace: TEKTON_NAMESPACE, name: "tekton-triggers-webhook" }, port: { env: "WEBHOOK_PORT" } },
      {
        bin: "tekton-triggers-interceptors",
        deployment: "tekton-triggers-core-interceptors",
        service: { namespace: TEKTON_NAMESPACE, name: "tekton-triggers-core-interceptors" },
        port: { fixed: INTERCEPTORS_PORT },
        // The sink verifies the interceptors' certificate against its URL's host, with only the
        // ClusterInterceptor's caBundle as roots (pkg/adapter getHTTPClient), and that host is localhost
        // here; the server names its certificate after this Service name (server.createCerts).
        env: { INTERCEPTOR_TLS_SVC_NAME: "localhost" },
        // It writes its CA into the ClusterInterceptors it finds at start, then once a minute
        // (server.CreateAndValidateCerts, UpdateCACertToClusterInterceptorCRD): they must exist first.
        afterCustomResources: true,
      },
    ],
  },
  {
    tool: "kpack-webhook",
    files: ["config/100-namespace.yaml", "config/build.yaml", "config/builder.yaml", "config/buildpack.yaml", "config/clusterbuilder.yaml",
      "config/clusterbuildpack.yaml", "config/clusterlifecycle.yaml", "config/clusterstack.yaml", "config/clusterstore.yaml", "config/image.yaml",
      "config/sourceresolver.yaml", "config/config-logging.yaml", "config/webhook.yaml", "config/service.yaml"],
    processes: [{ bin: "kpack-webhook", deployment: "kpack-webhook", service: { namespace: "kpack", name: "kpack-webhook" }, port: { env: "WEBHOOK_PORT" } }],
  },
];

const WEBHOOK_KINDS = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);
const FIRST_KINDS = new Set(["Namespace", "CustomResourceDefinition"]);
/** Kinds served by the API server itself: applied before the processes start, as their config. */
const CORE_GROUPS = new Set(["v1", "rbac.authorization.k8s.io/v1"]);

export interface Admission {
  daemons: Daemon[];
  stop(): Promise<void>;
}

interface WebhookConfiguration {
  webhooks?: { clientConfig: { caBundle?: string } }[];
}

/**
 * Installs the releases and starts their processes; resolves once every webhook configuration carries
 * its process's CA bundle and every ClusterInterceptor its interceptors' bundle, so that whatever is
 * applied afterwards is admitted or refused by upstream code.
 */
export async function startAdmission(k: Kube, shareDir: string, bin: (tool: Controller) => string, logDir: string): Promise<Admission> {
  const planned: { release: Release; process: ReleaseProcess; port: number }[] = [];
  for (const release of RELEASES) {
    for (const p of release.processes) planned.push({ release, process: p, port: "fixed" in p.port ? p.port.fixed : await freePort() });
  }
  const services: LoopbackService[] = planned.map((p) => ({ ...p.process.service, port: p.port }));
  const releases = RELEASES.map((r) => ({ release: r, objects: readRelease({ root: path.join(shareDir, r.tool), files: r.files }) }));
  const all = releases.flatMap((r) => forLoopback(r.objects, services));

  await apply(k, all.filter((o) => FIRST_KINDS.has(o.kind)));
  await waitForEstablished(k, all.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name));
  await apply(k, all.filter((o) => CORE_GROUPS.has(o.apiVersion) && !FIRST_KINDS.has(o.kind)));

  const daemons: Daemon[] = [];
  const logOf = new Map<string, string>();
  const start = async ({ release, process: p, port }: (typeof planned)[number]) => {
    const objects = releases.find((r) => r.release === release)?.objects ?? [];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: k.kubeconfig,
      ...deploymentEnv(objects, p.deployment),
      // Each process probes and exports metrics on ports of its own: on one host they would collide.
      PROBES_PORT: String(await freePort()),
      METRICS_PROMETHEUS_PORT: String(await freePort()),
      ...("env" in p.port ? { [p.port.env]: String(port) } : {}),
      ...p.env,
    };
    const daemon = startDaemon(p.bin, bin(p.bin), [], logDir, env);
    daemons.push(daemon);
    logOf.set(p.service.name, daemon.log);
  };
  for (const p of planned.filter((p) => !p.process.afterCustomResources)) await start(p);

  const webhooks = all.filter((o) => WEBHOOK_KINDS.has(o.kind));
  const rest = all.filter((o) => !FIRST_KINDS.has(o.kind) && !CORE_GROUPS.has(o.apiVersion) && !WEBHOOK_KINDS.has(o.kind));
  await apply(k, webhooks);
  const stop = async () => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  try {
    for (const w of webhooks) {
      const resource = w.kind === "ValidatingWebhookConfiguration" ? "validatingwebhookconfigurations" : "mutatingwebhookconfigurations";
      const service = (w.webhooks as { clientConfig: { service?: { name: string } } }[])[0]?.clientConfig.service?.name ?? "";
      const log = logOf.get(service);
      await waitFor(`${w.kind} ${w.metadata.name} with its CA bundle`, async () => {
        const live = await getJson<WebhookConfiguration>(k, resource, w.metadata.name);
        return !!live?.webhooks?.length && live.webhooks.every((h) => !!h.clientConfig.caBundle);
      }, 120_000, log);
    }
    // Now admitted by Triggers' webhook: the ClusterInterceptors; then their bundles from the interceptors.
    await applyWhenAdmitted(k, rest);
    for (const p of planned.filter((p) => p.process.afterCustomResources)) await start(p);
    const interceptors = rest.filter((o) => o.kind === "ClusterInterceptor");
    const log = logOf.get("tekton-triggers-core-interceptors");
    for (const ci of interceptors) {
      await waitFor(`ClusterInterceptor ${ci.metadata.name} with its CA bundle`, async () => {
        const live = await getJson<{ spec: { clientConfig: { caBundle?: string } } }>(k, "clusterinterceptors.triggers.tekton.dev", ci.metadata.name);
        return !!live?.spec.clientConfig.caBundle;
      }, 120_000, log);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { daemons, stop };
}

/** A webhook answers once its informers have synced: until then an apply may be refused as unavailable. */
async function applyWhenAdmitted(k: Kube, objects: ManifestObject[]): Promise<void> {
  let last = "";
  await waitFor("the releases' custom resources admitted", async () => {
    try {
      await apply(k, objects);
      return true;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      return false;
    }
  }, 60_000).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${last}`);
  });
}

/** An object each webhook must refuse, and what its refusal says (from the admission try on v1.15.0, v0.37.0, v0.17.2). */
export const REFUSED: { what: string; yaml: string; message: RegExp }[] = [
  {
    what: "Tekton's webhook refuses a Task step with both script and command",
    yaml: "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: refused, namespace: default}\nspec:\n  steps:\n    - {name: s, image: alpine, script: echo, command: [sh]}\n",
    message: /admission webhook "validation\.webhook\.pipeline\.tekton\.dev" denied the request: validation failed: script cannot be used with command/,
  },
  {
    what: "Triggers' webhook refuses a TriggerTemplate without resource templates",
    yaml: "apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata: {name: refused, namespace: default}\nspec:\n  resourcetemplates: []\n",
    message: /admission webhook "validation\.webhook\.triggers\.tekton\.dev" denied the request: validation failed: missing field\(s\): .*spec\.resourcetemplates/,
  },
  {
    what: "kpack's webhook refuses an Image without a tag, a builder or a source",
    yaml: "apiVersion: kpack.io/v1alpha2\nkind: Image\nmetadata: {name: refused, namespace: default}\nspec:\n  tag: ''\n",
    message: /admission webhook "validation\.webhook\.kpack\.io" denied the request: validation failed: expected exactly one, got neither: spec\.source\.blob, spec\.source\.git, spec\.source\.registry/,
  },
];

/** Each of REFUSED sent to the API server (dry run): the refusal, as kubectl prints it. */
export async function refusals(k: Kube): Promise<{ what: string; ok: boolean; detail: string }[]> {
  const out = [];
  for (const r of REFUSED) {
    const detail = await kubectl(k, ["apply", "--dry-run=server", "-f", "-"], r.yaml).then((stdout) => `accepted: ${stdout}`, (err: Error) => err.message);
    out.push({ what: r.what, ok: r.message.test(detail), detail });
  }
  return out;
}
