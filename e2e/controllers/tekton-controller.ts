// Tekton Pipelines' controller (v1.15.0's cmd/controller), run as its release runs it: installed from the
// module's own config/ (its service account, ClusterRoles, Roles and bindings, its leader-election
// ConfigMap, the feature-flags ConfigMap; no Deployment), started with the args and env that Deployment
// gives its container, and acting as the `tekton-pipelines-controller` service account with a token of its
// own. It reconciles the PipelineRuns the EventListener sink creates: it makes their TaskRuns, and each
// TaskRun's Pod, which the API server admits or refuses (PodSecurity). No kubelet runs those Pods.
import { Daemon, freePort, waitFor } from "../processes";
import { getJson, Kube } from "./kube";
import { startReleaseController } from "./release-controller";
import { deploymentArgs, fillConfigMaps, ManifestObject, readRelease } from "./releases";

export const TEKTON_NAMESPACE = "tekton-pipelines";
const DEPLOYMENT = "tekton-pipelines-controller";
/** The service account the release's Deployment runs the controller as (config/200-serviceaccount.yaml). */
const SERVICE_ACCOUNT = "tekton-pipelines-controller";

/** The controller's part of the release; the CRDs, config-defaults and the rest are the webhook's (admission.ts). */
const FILES = [
  "config/200-serviceaccount.yaml", "config/200-clusterrole.yaml", "config/200-role.yaml", "config/201-clusterrolebinding.yaml",
  "config/201-rolebinding.yaml", "config/config-leader-election-controller.yaml", "config/config-feature-flags.yaml", "config/controller.yaml",
];

/**
 * What an install must set for Tekton's own containers to pass the `restricted` Pod Security Standard:
 * `set-security-context` gives the init containers it adds (prepare, place-scripts, working-dir-initializer),
 * the results sidecar and the affinity assistant's container allowPrivilegeEscalation false, capabilities
 * drop ALL, runAsNonRoot and the RuntimeDefault seccomp profile (pkg/pod/security_context_config.go
 * LinuxSecurityContext; pod.go entrypointInitContainer, script.go convertScripts, workingdir_init.go,
 * pipelinerun/affinity_assistant.go affinityAssistantStatefulSet). Left "false", as the release ships it,
 * those containers carry no security context and the API server refuses every TaskRun's Pod in a
 * restricted namespace. Everything else stays as released: `coschedule: workspaces` makes an affinity
 * assistant per volumeClaimTemplate workspace, whose container gets the same security context.
 */
export const RESTRICTED_FEATURE_FLAGS: Record<string, string> = { "set-security-context": "true" };

/**
 * The images the controller puts into pods, as its Deployment's args name them. The release leaves the
 * ones it builds itself as `ko://` references for `ko resolve` to replace; no registry or kubelet exists
 * here, so each gets a name that says what it is (a pod with a `ko://` image is invalid). The shell
 * images the release pins by digest stay as they are.
 */
export const KO_IMAGES: Record<string, string> = {
  "ko://github.com/tektoncd/pipeline/cmd/entrypoint": "tekton.e2e.invalid/entrypoint",
  "ko://github.com/tektoncd/pipeline/cmd/nop": "tekton.e2e.invalid/nop",
  "ko://github.com/tektoncd/pipeline/cmd/sidecarlogresults": "tekton.e2e.invalid/sidecarlogresults",
  "ko://github.com/tektoncd/pipeline/cmd/workingdirinit": "tekton.e2e.invalid/workingdirinit",
};

/** The controller's objects as applied here, the feature flags for `restricted` set. */
export function tektonControllerRelease(shareDir: string): ManifestObject[] {
  const objects = readRelease({ root: shareDir, files: FILES });
  return fillConfigMaps(objects, Object.entries(RESTRICTED_FEATURE_FLAGS).map(([key, value]) => ({ namespace: TEKTON_NAMESPACE, name: "feature-flags", key, value })));
}

/** The Deployment's args with each `ko://` image named; an unknown `ko://` reference is an error naming it. */
export function controllerArgs(objects: ManifestObject[]): string[] {
  return deploymentArgs(objects, DEPLOYMENT).map((arg) => {
    if (!arg.startsWith("ko://")) return arg;
    const image = KO_IMAGES[arg];
    if (!image) throw new Error(`e2e: Deployment ${DEPLOYMENT}: no image name for ${arg} (known: ${Object.keys(KO_IMAGES).join(", ")})`);
    return image;
  });
}

export interface TektonController {
  daemon: Daemon;
  /** The images the controller was told to put into pods, by flag (`-entrypoint-image` → its name). */
  images: Record<string, string>;
  stop(): Promise<void>;
}

export interface TektonControllerOptions {
  bin: string;
  /** `<tools>/share/tekton-pipeline-webhook`, holding the module's `config`. */
  shareDir: string;
  /** The API server's URL, for the controller's own kubeconfig. */
  server: string;
  logDir: string;
}

interface Lease {
  spec?: { holderIdentity?: string };
}

/** Installs the controller's part of the release and starts it; resolves once it leads its reconcilers. */
export async function startTektonController(k: Kube, o: TektonControllerOptions): Promise<TektonController> {
  const objects = tektonControllerRelease(o.shareDir);
  const args = controllerArgs(objects);
  const images: Record<string, string> = {};
  for (let i = 0; i + 1 < args.length; i++) if (/^-[a-z-]+-image(-win)?$/.test(args[i])) images[args[i]] = args[i + 1];
  const daemon = await startReleaseController(k, {
    name: "tekton-pipelines-controller", bin: o.bin, objects, deployment: DEPLOYMENT, namespace: TEKTON_NAMESPACE,
    serviceAccount: SERVICE_ACCOUNT, server: o.server, logDir: o.logDir, args,
    // cmd/controller main.go serves its probes on PROBES_PORT, 8080 unless set. knative's sharedmain
    // also tries a probe server on the fixed 8080 (injection.HealthCheckDefaultPort), as in the release's
    // pod, where main.go's holds 8080 first: it fails (logged as "Error while running server … address
    // already in use" when the process stops) and the reconcilers, on the signal's context, run on.
    env: { PROBES_PORT: String(await freePort()) },
  });
  try {
    // knative's leader election: one Lease per reconciler bucket, held by this process once it runs them.
    await waitFor("Tekton's controller leading its PipelineRun reconciler", async () => {
      const lease = await getJson<Lease>(k, "leases.coordination.k8s.io", "tekton-pipelines-controller.github.com.tektoncd.pipeline.pkg.reconciler.pipelinerun.reconciler.00-of-01", TEKTON_NAMESPACE);
      return !!lease?.spec?.holderIdentity;
    }, 120_000, daemon.log);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { daemon, images, stop: () => daemon.stop() };
}
