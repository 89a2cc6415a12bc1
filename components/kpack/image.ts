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

/** The pipeline's part of the Image: only the tested revision. Applied over image.yaml by kustomize. */
export interface ImageRevisionPatch extends KubernetesObject<"kpack.io/v1alpha2", "Image"> {
  /** The Image it patches: kustomize matches a patch to its target by name and namespace. */
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

/** kustomize's Kustomization file: the Image plus the pipeline's revision patch. */
export interface Kustomization {
  apiVersion: "kustomize.config.k8s.io/v1beta1";
  kind: "Kustomization";
  resources: string[];
  patches: { path: string }[];
}

export function imageKustomization(imageFile: string, revisionFile: string): Kustomization {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [imageFile],
    patches: [{ path: revisionFile }],
  };
}
