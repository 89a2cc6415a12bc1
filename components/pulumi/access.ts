import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppAccess } from "../plan/stack";

/** A part of the app's planned access objects: at once, or once the app's Inputs resolve. */
export type PlannedAccess = <T>(pick: (access: AppAccess) => T) => pulumi.Input<T>;

/**
 * The app's AppProject, its three accounts, the listener's Role and ClusterRole and the run janitor's
 * Role with their bindings, as Kubernetes resources: applied by Pulumi, never committed, so nothing in git grants
 * rights. `shape` says which there are (a stack's own argocdProject means no AppProject); `planned`
 * gives their values. Resource names follow each object's role, so moving the app renames nothing;
 * the bindings wait for what they bind.
 */
export function registerAccess(name: string, shape: AppAccess, planned: PlannedAccess, opts: pulumi.CustomResourceOptions): pulumi.CustomResource[] {
  const listener = <T>(pick: (l: AppAccess["listener"]) => T) => planned((a) => pick(a.listener));
  const janitor = <T>(pick: (j: AppAccess["janitor"]) => T) => planned((a) => pick(a.janitor));
  const accounts = [
    new k8s.core.v1.ServiceAccount(
      `${name}-pipeline-account`,
      { metadata: planned((a) => a.pipelineServiceAccount.metadata), automountServiceAccountToken: planned((a) => a.pipelineServiceAccount.automountServiceAccountToken) },
      opts,
    ),
    new k8s.core.v1.ServiceAccount(`${name}-listener-account`, { metadata: listener((l) => l.serviceAccount.metadata) }, opts),
    new k8s.core.v1.ServiceAccount(`${name}-janitor-account`, { metadata: janitor((j) => j.serviceAccount.metadata) }, opts),
  ];
  const roles = [
    new k8s.rbac.v1.Role(`${name}-listener-role`, { metadata: listener((l) => l.role.metadata), rules: listener((l) => l.role.rules) }, opts),
    new k8s.rbac.v1.ClusterRole(`${name}-listener-cluster-role`, { metadata: listener((l) => l.clusterRole.metadata), rules: listener((l) => l.clusterRole.rules) }, opts),
    new k8s.rbac.v1.Role(`${name}-janitor-role`, { metadata: janitor((j) => j.role.metadata), rules: janitor((j) => j.role.rules) }, opts),
  ];
  const bindingOpts = { ...opts, dependsOn: [...((opts.dependsOn as pulumi.Resource[] | undefined) ?? []), ...accounts, ...roles] };
  const bindings = [
    new k8s.rbac.v1.RoleBinding(
      `${name}-listener-role-binding`,
      { metadata: listener((l) => l.roleBinding.metadata), roleRef: listener((l) => l.roleBinding.roleRef), subjects: listener((l) => l.roleBinding.subjects) },
      bindingOpts,
    ),
    new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-listener-cluster-role-binding`,
      { metadata: listener((l) => l.clusterRoleBinding.metadata), roleRef: listener((l) => l.clusterRoleBinding.roleRef), subjects: listener((l) => l.clusterRoleBinding.subjects) },
      bindingOpts,
    ),
    new k8s.rbac.v1.RoleBinding(
      `${name}-janitor-role-binding`,
      { metadata: janitor((j) => j.roleBinding.metadata), roleRef: janitor((j) => j.roleBinding.roleRef), subjects: janitor((j) => j.roleBinding.subjects) },
      bindingOpts,
    ),
  ];
  const project = shape.project
    ? [
        new k8s.apiextensions.CustomResource(
          `${name}-project`,
          { apiVersion: shape.project.apiVersion, kind: shape.project.kind, metadata: planned((a) => projectOf(a).metadata), spec: planned((a) => projectOf(a).spec) },
          opts,
        ),
      ]
    : [];
  return [...project, ...accounts, ...roles, ...bindings];
}

/** The planned AppProject; the shape had one, and argocdProject, a plain arg, decides both alike. */
function projectOf(access: AppAccess): NonNullable<AppAccess["project"]> {
  if (!access.project) throw new Error("the planned access has no AppProject, though its shape had one");
  return access.project;
}
