import { KubernetesObject, partOfLabels } from "./types";

export interface Namespace extends KubernetesObject<"v1", "Namespace"> {}

/** Namespaces that every cluster has; the program never claims them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public"];

export function isBuiltInNamespace(name: string): boolean {
  return BUILT_IN_NAMESPACES.includes(name);
}

/**
 * Pod Security Admission's label: the API server refuses any pod of the namespace that fails the
 * `restricted` standard (k8s.io/pod-security-admission). Every pod of a build namespace passes it: the
 * pipeline's (each Task's stepTemplate and the PipelineRun's pod template, Tekton's own init containers
 * with its set-security-context flag), the EventListener's (Tekton Triggers sets its securityContext,
 * -el-security-context=true by default: pkg/reconciler/eventlistener/resources/deployment.go) and
 * kpack's builds (pivotal/kpack v0.17.2 pkg/apis/build/v1alpha2/build_pod.go).
 */
export const POD_SECURITY_ENFORCE = { "pod-security.kubernetes.io/enforce": "restricted" } as const;

/** A build namespace as the program labels it: part of the project, and `restricted` enforced. */
export function namespace(name: string): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...partOfLabels(), ...POD_SECURITY_ENFORCE } } };
}
