import { appLabels, appObjectMeta, AppObjectRef, ClusterRoleBinding, RoleBinding, ServiceAccount } from "../kubernetes/types";
import { GIT_CLONE_USER } from "./git-clone";
import { CREDENTIALS_WORKSPACE, RUN_WORKSPACE } from "./pipeline";
import { EventListener, TriggerBinding, TriggerTemplate, VolumeClaimTemplate } from "./types";

/** What a GitHub push payload gives the pipeline: the clone URL and the pushed commit. */
export function pushTriggerBinding(a: AppObjectRef): TriggerBinding {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "TriggerBinding",
    metadata: appObjectMeta(a, "trigger"),
    spec: {
      params: [
        { name: "REPO_URL", value: "$(body.repository.clone_url)" },
        // `after` is the branch's new head: the commit the pipeline lints, tests and records.
        { name: "REVISION", value: "$(body.after)" },
      ],
    },
  };
}

export interface TriggerTemplateArgs {
  name: string;
  namespace: string;
  app: string;
  pipeline: string;
  /** The PipelineRuns' generateName. */
  runPrefix: string;
  serviceAccount: string;
  tokenSecret: { name: string; key: string };
  /** The Secret holding git-clone's basic-auth files. */
  credentialsSecret: string;
  workspaceSize: string;
}

/**
 * Deletes a run's claims when the run ends, in Tekton's default `coschedule: workspaces` mode (Tekton
 * Pipelines 1.11 and later, tektoncd/pipeline pkg/reconciler/pipelinerun/affinity_assistant.go: only
 * the exact value "true"). Older versions ignore it: claims then stay until the PipelineRun is deleted.
 */
export const AUTO_CLEANUP_PVC = { "tekton.dev/auto-cleanup-pvc": "true" } as const;

/** A fresh volume per run: no run sees another's files. */
function freshVolume(size: string): VolumeClaimTemplate {
  return { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } };
}

export function buildTriggerTemplate(a: TriggerTemplateArgs): TriggerTemplate {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "TriggerTemplate",
    metadata: appObjectMeta(a, "trigger"),
    spec: {
      params: [
        { name: "REPO_URL", description: "Clone URL of the pushed repository." },
        { name: "REVISION", description: "The pushed commit." },
      ],
      resourcetemplates: [
        {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          metadata: { generateName: a.runPrefix, labels: appLabels(a.app, "pipeline-run"), annotations: { ...AUTO_CLEANUP_PVC } },
          spec: {
            pipelineRef: { name: a.pipeline },
            params: [
              { name: "repo-url", value: "$(tt.params.REPO_URL)" },
              { name: "revision", value: "$(tt.params.REVISION)" },
              { name: "github-token-secret", value: a.tokenSecret.name },
              { name: "github-token-secret-key", value: a.tokenSecret.key },
            ],
            taskRunTemplate: {
              serviceAccountName: a.serviceAccount,
              // Fresh volumes are root's on most storage classes; git-clone runs as 65532 and could not
              // write them (tektoncd/catalog#1154). The kubelet gives the volume to this group.
              podTemplate: { securityContext: { fsGroup: GIT_CLONE_USER } },
            },
            workspaces: [
              { name: RUN_WORKSPACE, volumeClaimTemplate: freshVolume(a.workspaceSize) },
              { name: CREDENTIALS_WORKSPACE, secret: { secretName: a.credentialsSecret } },
            ],
          },
        },
      ],
    },
  };
}

export interface EventListenerArgs {
  name: string;
  namespace: string;
  app: string;
  serviceAccount: string;
  binding: string;
  template: string;
  webhookSecret: { name: string; key: string };
  /** `owner/repo`: pushes from any other repository are ignored, though they share the secret. */
  repositoryFullName: string;
  branch: string;
}

/** CEL string literal: single-quoted, with quotes and backslashes escaped. */
function celString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** What CEL's `lowerAscii()` makes of a string: ASCII letters lower-cased, every other character kept. */
function lowerAscii(value: string): string {
  return value.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * GitHub names are case-insensitive: the payload's `full_name` is spelt as GitHub stores it, which
 * need not be how the stack's config spells it, so both sides are compared lower-cased. `lowerAscii()`
 * is in the cel ClusterInterceptor's environment: tektoncd/triggers v0.37.0
 * pkg/interceptors/cel/cel.go, makeCelEnv adds cel-go's `ext.Strings()` (ext/strings.go, lowerAscii).
 */
function sameRepository(fullName: string): string {
  return `body.repository.full_name.lowerAscii() == ${celString(lowerAscii(fullName))}`;
}

/** Accepts signed push events for this repository's branch, and nothing else. */
export function pushEventListener(a: EventListenerArgs): EventListener {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "EventListener",
    metadata: appObjectMeta(a, "trigger"),
    spec: {
      serviceAccountName: a.serviceAccount,
      triggers: [
        {
          name: "github-push",
          interceptors: [
            {
              ref: { name: "github", kind: "ClusterInterceptor" },
              params: [
                { name: "secretRef", value: { secretName: a.webhookSecret.name, secretKey: a.webhookSecret.key } },
                { name: "eventTypes", value: ["push"] },
              ],
            },
            {
              ref: { name: "cel", kind: "ClusterInterceptor" },
              params: [
                {
                  name: "filter",
                  value:
                    `body.ref == ${celString(`refs/heads/${a.branch}`)}` +
                    ` && ${sameRepository(a.repositoryFullName)}` +
                    " && !body.deleted",
                },
              ],
            },
          ],
          bindings: [{ ref: a.binding, kind: "TriggerBinding" }],
          template: { ref: a.template },
        },
      ],
    },
  };
}

export interface ListenerRbacArgs {
  namespace: string;
  app: string;
  serviceAccount: string;
  roleBinding: string;
  clusterRoleBinding: string;
}

/** The EventListener's identity, bound to the roles Tekton Triggers ships for it. */
export function listenerRbac(a: ListenerRbacArgs): [ServiceAccount, RoleBinding, ClusterRoleBinding] {
  const labels = appLabels(a.app, "trigger");
  const subjects = [{ kind: "ServiceAccount" as const, name: a.serviceAccount, namespace: a.namespace }];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: a.serviceAccount, namespace: a.namespace, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: a.roleBinding, namespace: a.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tekton-triggers-eventlistener-roles" },
      subjects,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: a.clusterRoleBinding, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "tekton-triggers-eventlistener-clusterroles" },
      subjects,
    },
  ];
}

/** The identity pipeline runs use. It needs no rights of its own: the token comes from a Secret. */
export function pipelineServiceAccount(a: AppObjectRef): ServiceAccount {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: appObjectMeta(a, "pipeline") };
}
