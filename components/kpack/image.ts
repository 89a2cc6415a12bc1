import { appObjectMeta, KubernetesObject, ObjectMeta } from "../kubernetes/types";
import { BuilderKind } from "../config/settings";

/** kpack `kpack.io/v1alpha2` Image: what to build, with which builder, and where to push. */
export interface Image extends KubernetesObject<"kpack.io/v1alpha2", "Image"> {
  spec: {
    tag: string;
    builder: { kind: BuilderKind; name: string };
    serviceAccountName: string;
    source: { git: { url: string; revision?: string } };
  };
}

/** kpack's API group, which kustomize selects the Image by. */
export const KPACK_GROUP = "kpack.io";

/**
 * The pipeline's part of the Image: only the tested revision. Applied over image.yaml by kustomize, to
 * the Image the kustomization's patch target names: its own name and namespace are what the Image was
 * called when the file was created, and kustomize ignores them (below, imageKustomization).
 */
export interface ImageRevisionPatch extends KubernetesObject<"kpack.io/v1alpha2", "Image"> {
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: { source: { git: { revision: string } } };
}

export interface KpackImageArgs {
  name: string;
  namespace: string;
  app: string;
  tag: string;
  builder: { kind: BuilderKind; name: string };
  serviceAccountName: string;
  gitUrl: string;
}

/**
 * Pulumi's part of the Image: everything but the revision. The revision belongs to the pipeline
 * (revision.yaml), so no `pulumi up` can put back an untested commit.
 */
export function kpackImage(a: KpackImageArgs): Image {
  return {
    apiVersion: "kpack.io/v1alpha2",
    kind: "Image",
    metadata: appObjectMeta(a, "image"),
    spec: {
      tag: a.tag,
      builder: a.builder,
      serviceAccountName: a.serviceAccountName,
      source: { git: { url: a.gitUrl } },
    },
  };
}

export function imageRevisionPatch(a: { name: string; namespace: string; testedRevision: string }): ImageRevisionPatch {
  return {
    apiVersion: "kpack.io/v1alpha2",
    kind: "Image",
    metadata: { name: a.name, namespace: a.namespace },
    spec: { source: { git: { revision: a.testedRevision } } },
  };
}

/** Which resources a kustomize patch applies to. */
export interface PatchTarget {
  group: string;
  kind: string;
  name: string;
}

/** kustomize's Kustomization file: the Image plus the pipeline's revision patch. */
export interface Kustomization {
  apiVersion: "kustomize.config.k8s.io/v1beta1";
  kind: "Kustomization";
  resources: string[];
  patches: { path: string; target: PatchTarget }[];
}

/**
 * The Image plus the revision patch, aimed at the Image by group, kind and name. revision.yaml is the
 * pipeline's and kept byte for byte, so its own metadata names the Image as it was when the file was
 * created (another namespace, another name). Without a target kustomize looks the patch up by its own
 * id and fails ("no resource matches strategic merge patch"); with one it applies the patch to the
 * selected Image and keeps that Image's name and namespace (kustomize api v0.18.0, kubectl 1.32's:
 * internal/builtins/PatchTransformer.go transformStrategicMerge, resource/resource.go ApplySmPatch).
 */
export function imageKustomization(imageFile: string, revisionFile: string, image: string): Kustomization {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [imageFile],
    patches: [{ path: revisionFile, target: { group: KPACK_GROUP, kind: "Image", name: image } }],
  };
}
