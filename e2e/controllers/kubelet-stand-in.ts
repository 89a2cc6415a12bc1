// The kubelet stand-in: the one stand-in of the loop. No kubelet runs pods here, so the build pods kpack's
// controller creates stay Pending; this marks one finished the way kpack v0.17.2 reads a finished build
// pod, and nothing more. kpack's build reconciler (pkg/reconciler/build/build.go) takes a pod in phase
// Succeeded and decodes its `completion` container's termination message: base64 of gzipped JSON
// (pkg/cnb/build_metadata.go CompressBuildMetadata), with the buildpacks, the image, the stack's id and
// run image and the lifecycle version of the build. The image reconciler compares those with the builder's
// (pkg/reconciler/image/build_required.go): a run image or lifecycle version other than the builder's would
// make kpack rebuild at once. So the stand-in reports what the builder image the Build names carries (its
// labels, read from the registry, as the lifecycle in the pod would find them) and the Build's run image.
// The image it reports was never built: its digest is made from the Build's uid, and nothing pulls it.
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import { getJson, Kube, kubectl } from "./kube";
import { imageLabels } from "./kpack-registry";

export interface BuildObject {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec: {
    tags: string[];
    builder: { image: string };
    runImage: { image: string };
    source: { git?: { url: string; revision: string } };
  };
  status?: { podName?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface Container {
  name: string;
  image: string;
}

export interface PodObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { initContainers?: Container[]; containers: Container[] };
  status?: { phase?: string };
}

/** kpack's BuildMetadata (pkg/cnb/build_metadata.go), as the completion container reports it. */
export interface BuildMetadata {
  buildpackMetadata: { id: string; version: string; homepage?: string }[];
  latestCacheImage: string;
  latestImage: string;
  stackID: string;
  stackRunImage: string;
  lifecycleVersion: string;
}

/** The termination message kpack decodes: base64 of gzipped JSON. */
export function terminationMessage(metadata: BuildMetadata): string {
  const encoded = gzipSync(Buffer.from(JSON.stringify(metadata))).toString("base64");
  // kpack's own completion refuses a message over the kubelet's 4096 bytes (CompressBuildMetadata).
  if (encoded.length > 4096) throw new Error(`e2e: kubelet stand-in: build metadata of ${encoded.length} bytes is over a termination message's 4096`);
  return encoded;
}

/** What the lifecycle in the pod would report for this Build: the builder image's labels and the Build's run image. */
export async function buildMetadataFor(build: BuildObject): Promise<BuildMetadata> {
  const labels = await imageLabels(build.spec.builder.image);
  const builder = JSON.parse(labels["io.buildpacks.builder.metadata"] ?? "null") as { buildpacks?: { id: string; version: string; homepage?: string }[] } | null;
  const stackID = labels["io.buildpacks.stack.id"];
  const lifecycleVersion = labels["io.buildpacks.lifecycle.version"];
  if (!builder?.buildpacks || !stackID || !lifecycleVersion) {
    throw new Error(`e2e: kubelet stand-in: builder image ${build.spec.builder.image} lacks io.buildpacks.builder.metadata buildpacks, io.buildpacks.stack.id or io.buildpacks.lifecycle.version`);
  }
  const digest = createHash("sha256").update(build.metadata.uid).digest("hex");
  return {
    buildpackMetadata: builder.buildpacks.map((b) => ({ id: b.id, version: b.version, ...(b.homepage ? { homepage: b.homepage } : {}) })),
    latestCacheImage: "",
    latestImage: `${build.spec.tags[0]}@sha256:${digest}`,
    stackID,
    stackRunImage: build.spec.runImage.image,
    lifecycleVersion,
  };
}

const terminated = (message?: string) => ({ terminated: { exitCode: 0, reason: "Completed", ...(message ? { message } : {}) } });

/**
 * Marks the Build's pod Succeeded as a kubelet would once its containers exited 0: every init container
 * (the build steps, or the rebase) and the `completion` container terminated, the latter with the build
 * metadata as its termination message. Says on the e2e's output what it did.
 */
export async function completeBuildPod(k: Kube, build: BuildObject): Promise<{ pod: string; metadata: BuildMetadata }> {
  const podName = build.status?.podName ?? `${build.metadata.name}-build-pod`;
  const pod = await getJson<PodObject>(k, "pods", podName, build.metadata.namespace);
  if (!pod) throw new Error(`e2e: kubelet stand-in: Build ${build.metadata.name} has no pod ${podName}`);
  const metadata = await buildMetadataFor(build);
  const message = terminationMessage(metadata);
  const status = {
    phase: "Succeeded",
    initContainerStatuses: (pod.spec.initContainers ?? []).map((c) => ({ name: c.name, image: c.image, imageID: "", ready: false, restartCount: 0, state: terminated() })),
    containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image, imageID: "", ready: false, restartCount: 0, state: terminated(c.name === "completion" ? message : undefined) })),
  };
  if (!pod.spec.containers.some((c) => c.name === "completion")) throw new Error(`e2e: kubelet stand-in: pod ${podName} has no completion container`);
  await kubectl(k, ["patch", "pod", podName, "-n", build.metadata.namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
  const bps = metadata.buildpackMetadata.map((b) => `${b.id}@${b.version}`).join(", ");
  process.stdout.write(`  kubelet stand-in (no kubelet runs pods here): marked pod ${podName} Succeeded, completion's message: buildpacks ${bps}, run image ${metadata.stackRunImage}, lifecycle ${metadata.lifecycleVersion}\n`);
  return { pod: podName, metadata };
}
