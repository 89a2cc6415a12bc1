// kpack's controller (v0.17.2's cmd/controller), run as its release runs it: installed from the module's
// own config/controller.yaml and config/controllerrole.yaml (its ConfigMaps, service account and RBAC;
// no Deployment), started with the env that Deployment gives its container, and acting as the
// `kpack:controller` service account with a token of its own, not as the e2e's admin. Then what an
// operator sets up for builds: a ClusterStack, a ClusterStore, the release's default ClusterLifecycle and
// the ClusterBuilder the stack's Image names, all admitted by kpack's webhook, on the images of the
// e2e's registry (kpack-registry.ts).
import * as path from "path";
import { Daemon, waitFor } from "../processes";
import { apply, getJson, Kube } from "./kube";
import { RegistryImages } from "./kpack-registry";
import { startReleaseController } from "./release-controller";
import { fillConfigMaps, ManifestObject, readRelease } from "./releases";

export const KPACK_NAMESPACE = "kpack";
const DEPLOYMENT = "kpack-controller";
/** The service account the release's Deployment runs the controller as (config/controllerrole.yaml). */
const SERVICE_ACCOUNT = "controller";

/**
 * The images a build pod's containers run (build-init, build-waiter, rebase, completion). The release
 * leaves them to its install (ytt data values in the ConfigMaps of config/controller.yaml); no kubelet
 * pulls them here, but a pod with an empty image is invalid, so each gets a name that says what it is.
 */
const POD_IMAGES: Record<string, string> = {
  "build-init-image": "kpack.e2e.invalid/build-init",
  "build-waiter-image": "kpack.e2e.invalid/build-waiter",
  "rebase-image": "kpack.e2e.invalid/rebase",
  "completion-image": "kpack.e2e.invalid/completion",
};

export interface KpackController {
  daemon: Daemon;
  stop(): Promise<void>;
}

export interface KpackControllerOptions {
  bin: string;
  /** `<tools>/share/kpack-controller`, holding the module's `config`. */
  shareDir: string;
  /** The API server's URL, for the controller's own kubeconfig. */
  server: string;
  /** The GitHub double's CA: kpack's git resolver (go-git over Go's default transport) trusts what SSL_CERT_FILE names. */
  caFile: string;
  logDir: string;
}

export function kpackControllerRelease(shareDir: string): ManifestObject[] {
  const objects = readRelease({ root: shareDir, files: ["config/controller.yaml", "config/controllerrole.yaml"] });
  return fillConfigMaps(objects, Object.entries(POD_IMAGES).map(([name, value]) => ({ namespace: KPACK_NAMESPACE, name, key: "image", value })));
}

/** Installs the controller's part of the release (kpack's namespace and CRDs are the webhook's) and starts it. */
export async function startKpackController(k: Kube, o: KpackControllerOptions): Promise<KpackController> {
  // kpack's git resolver (go-git over Go's default transport) trusts what SSL_CERT_FILE names.
  const daemon = await startReleaseController(k, {
    name: "kpack-controller", bin: o.bin, objects: kpackControllerRelease(o.shareDir), deployment: DEPLOYMENT,
    namespace: KPACK_NAMESPACE, serviceAccount: SERVICE_ACCOUNT, server: o.server, logDir: o.logDir, env: { SSL_CERT_FILE: o.caFile },
  });
  return { daemon, stop: () => daemon.stop() };
}

export interface BuilderSetup {
  /** The ClusterBuilder's name: the one the stack's Image names. */
  builder: string;
  stack: string;
  store: string;
  objects: ManifestObject[];
}

/**
 * The cluster-scoped objects kpack builds with, on the registry's images: the ClusterStack on the first
 * run image, the ClusterStore with the first buildpack version, the release's default ClusterLifecycle
 * (config/default_clusterlifecycle.yaml, its image filled in) and the ClusterBuilder, whose builder image
 * kpack writes to the registry as the service account made here (no secrets: the registry takes anonymous
 * pushes, and kpack's webhook requires a serviceAccountRef).
 */
export function builderSetup(shareDir: string, images: RegistryImages, builder: string): BuilderSetup {
  const lifecycle = readRelease({ root: shareDir, files: ["config/default_clusterlifecycle.yaml"] }).find((o) => o.kind === "ClusterLifecycle");
  if (!lifecycle) throw new Error(`e2e: no ClusterLifecycle in ${path.join(shareDir, "config/default_clusterlifecycle.yaml")}`);
  const stack = "e2e-stack";
  const store = "e2e-store";
  const account = "e2e-builder";
  const firstVersion = Object.keys(images.buildpackages).sort()[0];
  const objects: ManifestObject[] = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace: KPACK_NAMESPACE } },
    { ...lifecycle, spec: { ...(lifecycle.spec as Record<string, unknown>), image: images.lifecycleImage } },
    {
      apiVersion: "kpack.io/v1alpha2",
      kind: "ClusterStack",
      metadata: { name: stack },
      spec: { id: images.stackId, buildImage: { image: images.buildImage }, runImage: { image: images.runImages[0] } },
    },
    { apiVersion: "kpack.io/v1alpha2", kind: "ClusterStore", metadata: { name: store }, spec: { sources: [{ image: images.buildpackages[firstVersion] }] } },
    {
      apiVersion: "kpack.io/v1alpha2",
      kind: "ClusterBuilder",
      metadata: { name: builder },
      spec: {
        tag: `${images.registry}/builders/${builder}`,
        stack: { kind: "ClusterStack", name: stack },
        store: { kind: "ClusterStore", name: store },
        lifecycle: { kind: "ClusterLifecycle", name: lifecycle.metadata.name },
        serviceAccountRef: { namespace: KPACK_NAMESPACE, name: account },
        // No version: kpack takes the highest in the store (pkg/cnb buildpack_resolver.go highestVersion).
        order: [{ group: [{ id: images.buildpackId }] }],
      },
    },
  ];
  return { builder, stack, store, objects };
}

interface Condition {
  type: string;
  status: string;
  message?: string;
}

export interface ClusterBuilderObject {
  metadata: { name: string; generation?: number };
  status?: {
    conditions?: Condition[];
    latestImage?: string;
    observedGeneration?: number;
    stack?: { runImage?: string; id?: string };
    builderMetadata?: { id: string; version: string }[];
  };
}

export const isReady = (o: { status?: { conditions?: Condition[] } } | undefined): boolean => !!o?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

/** Applies the setup and waits until kpack has written the builder image and says the ClusterBuilder is Ready. */
export async function installBuilder(k: Kube, setup: BuilderSetup, log: string): Promise<ClusterBuilderObject> {
  await apply(k, setup.objects);
  let builder: ClusterBuilderObject | undefined;
  await waitFor(`ClusterBuilder ${setup.builder} Ready (kpack wrote its builder image)`, async () => {
    builder = await getJson<ClusterBuilderObject>(k, "clusterbuilders.kpack.io", setup.builder);
    return isReady(builder) && !!builder?.status?.latestImage;
  }, 180_000, log).catch(async (err: Error) => {
    const why = JSON.stringify((await getJson<ClusterBuilderObject>(k, "clusterbuilders.kpack.io", setup.builder))?.status?.conditions ?? []);
    throw new Error(`${err.message}\nClusterBuilder conditions: ${why}`);
  });
  return builder as ClusterBuilderObject;
}
