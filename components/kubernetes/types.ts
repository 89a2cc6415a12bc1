/**
 * The slice of the Kubernetes core API this program writes, as plain typed objects.
 * Only the fields we set are modelled; the compiler rejects anything else.
 */
import type { SecretContent } from "./secret";

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** Every object we emit: a typed `apiVersion`/`kind` pair plus metadata. */
export interface KubernetesObject<ApiVersion extends string = string, Kind extends string = string> {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: ObjectMeta;
}

export interface SecretKeySelector {
  name: string;
  key: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: SecretKeySelector & { optional?: boolean } };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop: string[] };
  seccompProfile?: { type: "RuntimeDefault" };
}

/** A user no image names: the one every step the project owns runs as (distroless's `nonroot`, 65532). */
export const NON_ROOT_USER = 65532;

/** The pod-level half of `restricted`: what a pod's securityContext sets for every container in it. */
export interface PodSecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  /** The group the kubelet gives the pod's volumes to, so a fresh claim is writable by the steps' user. */
  fsGroup?: number;
  seccompProfile?: { type: "RuntimeDefault" };
}

/**
 * The pod-level settings of `restricted` with the project's fixed user: runAsNonRoot and seccomp for
 * every container the pod holds, Tekton's own init containers too (check_runAsNonRoot.go and
 * check_seccompProfile_restricted.go accept a pod-level value for each container that sets none), and
 * the volumes' group. allowPrivilegeEscalation and capabilities exist only per container.
 */
export function restrictedPodSecurityContext(): PodSecurityContext {
  const { runAsNonRoot, runAsUser, runAsGroup, seccompProfile } = restrictedSecurityContext();
  return { runAsNonRoot, runAsUser, runAsGroup, fsGroup: NON_ROOT_USER, seccompProfile };
}

/** A volume of a pod's own: only emptyDir is written here, which `restricted` allows. */
export interface Volume {
  name: string;
  emptyDir: Record<string, never>;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
}

/**
 * What the `restricted` Pod Security Standard asks of a container, with a fixed non-root user
 * (k8s.io/pod-security-admission policy/: check_runAsNonRoot.go, check_allowPrivilegeEscalation.go,
 * check_capabilities_restricted.go, check_seccompProfile_restricted.go).
 */
export function restrictedSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_USER,
    runAsGroup: NON_ROOT_USER,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * A Secret whose values are of type `V`: a Pulumi secret Output when deployed, a redaction marker when
 * rendered. Keeping the value type open is what lets one builder serve both without a value leaking.
 */
export interface Secret<V = string> extends KubernetesObject<"v1", "Secret"> {
  type: SecretType;
  /** Values of type `V` are secret; plain strings beside them (a URL, a username) are not. */
  stringData: Record<string, V | string>;
}

/** The Secret types this program writes: those the one builder pairs with the keys each requires. */
export type SecretType = SecretContent<unknown>["type"];

export interface LocalObjectReference {
  name: string;
}

export interface ServiceAccount extends KubernetesObject<"v1", "ServiceAccount"> {
  /** Named, never generated: pods and other objects refer to an account by its name. */
  metadata: ObjectMeta & { name: string };
  /** false for an account whose pods never call the API: no token is mounted into them. */
  automountServiceAccountToken?: boolean;
  secrets?: LocalObjectReference[];
  imagePullSecrets?: LocalObjectReference[];
}

export interface RoleRef {
  apiGroup: "rbac.authorization.k8s.io";
  kind: "ClusterRole" | "Role";
  name: string;
}

export interface Subject {
  kind: "ServiceAccount";
  name: string;
  namespace: string;
}

/** One rule of a Role or ClusterRole: no wildcards are written anywhere in this program. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: ("get" | "list" | "watch" | "create")[];
}

export interface Role extends KubernetesObject<"rbac.authorization.k8s.io/v1", "Role"> {
  metadata: ObjectMeta & { name: string; namespace: string };
  rules: PolicyRule[];
}

export interface ClusterRole extends KubernetesObject<"rbac.authorization.k8s.io/v1", "ClusterRole"> {
  metadata: ObjectMeta & { name: string };
  rules: PolicyRule[];
}

export interface RoleBinding extends KubernetesObject<"rbac.authorization.k8s.io/v1", "RoleBinding"> {
  roleRef: RoleRef;
  subjects: Subject[];
}

export interface ClusterRoleBinding extends KubernetesObject<"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"> {
  roleRef: RoleRef;
  subjects: Subject[];
}

/** The recommended label naming the application an object is a piece of. */
export const PART_OF_LABEL = "app.kubernetes.io/part-of";

/**
 * What every object this program writes says it is part of. It is a cluster-side name, kept apart from
 * the Pulumi project's: renaming the project must not relabel what is deployed.
 */
export const PART_OF = "deliberate-image-builds";

/** The label every object this program writes carries, so `kubectl get -l` finds all of them. */
export function partOfLabels(): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF };
}

/** Labels every object of an app carries, so `kubectl get -l` finds one app's pieces. */
export function appLabels(app: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/component": component,
    ...partOfLabels(),
  };
}

/** What every namespaced object of an app is identified by. */
export interface AppObjectRef {
  name: string;
  namespace: string;
  app: string;
}

/** Metadata of a namespaced object belonging to an app, labelled with its role in the flow. */
export function appObjectMeta(ref: AppObjectRef, component: string): ObjectMeta & { name: string; namespace: string } {
  return { name: ref.name, namespace: ref.namespace, labels: appLabels(ref.app, component) };
}
