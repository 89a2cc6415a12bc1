// The loop's last hop on kpack's own controller: which Builds kpack makes for the stack's Image, why
// (the `image.kpack.io/reason` annotation kpack writes, pkg/apis/build/v1alpha2 image_builds.go), and at
// which revision. Every Build the Image gets is recorded, so the run can list them all at the end.
import { Checks } from "./checks";
import { BuilderSetup, builderSetup, ClusterBuilderObject, installBuilder, KpackController, startKpackController } from "./controllers/kpack-controller";
import { KpackRegistry, startKpackRegistry } from "./controllers/kpack-registry";
import { BuildObject, completeBuildPod, PodObject } from "./controllers/kubelet-stand-in";
import { getJson, Kube, list } from "./controllers/kube";
import { waitFor } from "./processes";

const REASON = "image.kpack.io/reason";
const IMAGE_LABEL = "image.kpack.io/image";
/** kpack's rebase pod runs its `rebase` container (build_pod.go RebaseContainerName) instead of the build steps. */
const REBASE_CONTAINER = "rebase";

export interface KpackOptions {
  controllerBin: string;
  registryBin: string;
  /** `<tools>/share/kpack-controller`. */
  shareDir: string;
  server: string;
  caFile: string;
  logDir: string;
}

interface SourceResolverObject {
  status?: { source?: { git?: { url: string; revision: string; type: string } } };
}

export const reasonOf = (b: BuildObject): string => b.metadata.annotations?.[REASON] ?? "";
export const revisionOf = (b: BuildObject): string => b.spec.source.git?.revision ?? "";
const succeeded = (b: BuildObject | undefined) => !!b?.status?.conditions?.some((c) => c.type === "Succeeded" && c.status === "True");

/** kpack's controller, the e2e's registry and the builder, for one Image's Builds. */
export class KpackBuilds {
  /** Every Build the Image got, in the order seen: what the run reports. */
  readonly made: BuildObject[] = [];
  setup?: BuilderSetup;

  private constructor(
    private readonly k: Kube,
    private readonly c: Checks,
    private readonly namespace: string,
    readonly registry: KpackRegistry,
    readonly controller: KpackController,
    private readonly o: KpackOptions,
  ) {}

  static async start(k: Kube, c: Checks, namespace: string, o: KpackOptions): Promise<KpackBuilds> {
    const registry = await startKpackRegistry(o.registryBin, o.logDir);
    try {
      const controller = await startKpackController(k, { bin: o.controllerBin, shareDir: o.shareDir, server: o.server, caFile: o.caFile, logDir: o.logDir });
      return new KpackBuilds(k, c, namespace, registry, controller, o);
    } catch (err) {
      await registry.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.registry.stop();
  }

  /** The ClusterStack, ClusterStore, ClusterLifecycle and the ClusterBuilder `builder`, Ready. */
  async installBuilder(builder: string): Promise<ClusterBuilderObject> {
    this.setup = builderSetup(this.o.shareDir, this.registry.images, builder);
    return installBuilder(this.k, this.setup, this.controller.daemon.log);
  }

  async builds(image: string): Promise<BuildObject[]> {
    return (await list<BuildObject>(this.k, "builds.kpack.io", this.namespace)).filter((b) => b.metadata.labels?.[IMAGE_LABEL] === image);
  }

  async sourceResolver(image: string): Promise<SourceResolverObject | undefined> {
    return getJson<SourceResolverObject>(this.k, "sourceresolvers.kpack.io", `${image}-source`, this.namespace);
  }

  /** Waits for a Build of the Image that has not been seen yet; records it. */
  async next(image: string, what: string, timeoutMs = 180_000): Promise<BuildObject | undefined> {
    const seen = new Set(this.made.map((b) => b.metadata.uid));
    let found: BuildObject | undefined;
    await waitFor(`kpack's Build for ${what}`, async () => {
      found = (await this.builds(image)).find((b) => !seen.has(b.metadata.uid));
      return !!found;
    }, timeoutMs).catch(() => undefined);
    if (found) {
      this.made.push(found);
      process.stdout.write(`  kpack made Build ${found.metadata.name}: reason ${reasonOf(found)}, revision ${revisionOf(found)}\n`);
    }
    return found;
  }

  /** The Build's pod as kpack created it; waits for it, since kpack creates it right after the Build. */
  async pod(build: BuildObject): Promise<PodObject | undefined> {
    let pod: PodObject | undefined;
    await waitFor(`the pod of Build ${build.metadata.name}`, async () => {
      pod = await getJson<PodObject>(this.k, "pods", `${build.metadata.name}-build-pod`, this.namespace);
      return !!pod;
    }, 60_000, this.controller.daemon.log).catch(() => undefined);
    return pod;
  }

  /** Checks a Build's reason, revision and pod (Pending: nothing runs it), then has the kubelet stand-in finish it. */
  async expectBuild(label: string, build: BuildObject | undefined, want: { reason: string; revision: string; rebase?: boolean }): Promise<boolean> {
    const c = this.c;
    if (!c.expect(`loop: kpack makes a Build ${label}`, !!build, `no new Build; kpack's log: ${this.controller.daemon.log}`) || !build) return false;
    c.equal(`loop: ${label}: the Build's reason`, reasonOf(build), want.reason);
    c.equal(`loop: ${label}: the Build's revision`, revisionOf(build), want.revision);
    const pod = await this.pod(build);
    const level = (await getJson<{ metadata: { labels?: Record<string, string> } }>(this.k, "namespaces", this.namespace))?.metadata.labels?.["pod-security.kubernetes.io/enforce"];
    c.expect(`loop: ${label}: kpack created its pod, Pending until the kubelet stand-in finishes it (namespace ${this.namespace}, Pod Security enforce: ${level ?? "not set"})`, pod?.status?.phase === "Pending", JSON.stringify(pod?.status ?? "no pod"));
    const rebase = !!pod?.spec.initContainers?.some((ic) => ic.name === REBASE_CONTAINER);
    c.equal(`loop: ${label}: the pod ${want.rebase ? "is a rebase pod" : "builds (not a rebase)"}`, rebase, !!want.rebase);
    if (!pod) return false;
    const done = await completeBuildPod(this.k, { ...build, status: { ...build.status, podName: pod.metadata.name } }).catch((err: Error) => err);
    if (!c.expect(`loop: ${label}: the kubelet stand-in marks its pod finished`, !(done instanceof Error), done instanceof Error ? done.message : "")) return false;
    let latest: BuildObject | undefined;
    const ok = await waitFor(`Build ${build.metadata.name} Succeeded`, async () => {
      latest = await getJson<BuildObject>(this.k, "builds.kpack.io", build.metadata.name, this.namespace);
      return succeeded(latest);
    }, 60_000).then(() => true, () => false);
    return c.expect(`loop: ${label}: kpack reads the pod's completion and marks the Build Succeeded`, ok, JSON.stringify(latest?.status?.conditions ?? []));
  }

  /** The Builds, one line each, for the run's report. */
  summary(): string[] {
    return this.made.map((b) => `${b.metadata.name}: reason ${reasonOf(b)}, revision ${revisionOf(b)}`);
  }
}
