import { appLabels, appObjectMeta, AppObjectRef, ClusterRole, ClusterRoleBinding, PolicyRule, restrictedPodSecurityContext, Role, RoleBinding, ServiceAccount } from "../kubernetes/types";
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
  /** The Secret holding the clone's basic-auth files. */
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
              // `restricted` for every container of every TaskRun's pod, Tekton's init containers too
              // (with its set-security-context flag: README, Security model). Fresh volumes are root's
              // on most storage classes; the steps run as 65532, and the kubelet gives the volume to
              // fsGroup 65532 (tektoncd/catalog#1154).
              podTemplate: { securityContext: restrictedPodSecurityContext() },
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
  /** The Role and its RoleBinding, in the namespace. */
  role: string;
  /** The ClusterRole and its ClusterRoleBinding: cluster-scoped, so their name carries the namespace. */
  clusterRole: string;
}

/** The EventListener's account and its rights, applied by Pulumi: nothing in git grants rights. */
export interface ListenerRbac {
  serviceAccount: ServiceAccount;
  role: Role;
  roleBinding: RoleBinding;
  clusterRole: ClusterRole;
  clusterRoleBinding: ClusterRoleBinding;
}

/**
 * What the EventListener sink of Tekton Triggers v0.37 asks the API server for, and nothing more. The
 * sink scopes its informers to its namespace (cmd/eventlistenersink/main.go: injection.WithNamespaceScope
 * unless the EventListener selects other namespaces, which ours never does) and waits for them to fill:
 * list and watch of the seven kinds pkg/adapter/adapter.go registers, the two cluster-scoped ones
 * cluster-wide. It reads them through listers, so no `get`. It creates what the TriggerTemplate holds
 * (pkg/resources/create.go): PipelineRuns. Not granted, unlike upstream's
 * tekton-triggers-eventlistener-roles and -clusterroles: Secrets (the github interceptor reads the
 * webhook secret in the core interceptors, under their own account), `impersonate` (only for a Trigger
 * with its own serviceAccountName, pkg/sink/sink.go), ConfigMaps (the controller passes the sink its
 * config as env), taskruns, and events (recorded only with the controller's -el-events=enable).
 */
export const LISTENER_NAMESPACE_RULES: PolicyRule[] = [
  { apiGroups: ["triggers.tekton.dev"], resources: ["eventlisteners", "triggers", "triggerbindings", "triggertemplates", "interceptors"], verbs: ["list", "watch"] },
  { apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["create"] },
];
/** The sink polls the ClusterInterceptors' CA bundles at start and fails without them (pkg/adapter/adapter.go getCertFromInterceptor). */
export const LISTENER_CLUSTER_RULES: PolicyRule[] = [
  { apiGroups: ["triggers.tekton.dev"], resources: ["clusterinterceptors", "clustertriggerbindings"], verbs: ["list", "watch"] },
];

export function listenerRbac(a: ListenerRbacArgs): ListenerRbac {
  const labels = appLabels(a.app, "trigger");
  const subjects = [{ kind: "ServiceAccount" as const, name: a.serviceAccount, namespace: a.namespace }];
  const rbac = "rbac.authorization.k8s.io" as const;
  return {
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: a.serviceAccount, namespace: a.namespace, labels } },
    role: { apiVersion: `${rbac}/v1`, kind: "Role", metadata: { name: a.role, namespace: a.namespace, labels }, rules: LISTENER_NAMESPACE_RULES },
    roleBinding: {
      apiVersion: `${rbac}/v1`,
      kind: "RoleBinding",
      metadata: { name: a.role, namespace: a.namespace, labels },
      roleRef: { apiGroup: rbac, kind: "Role", name: a.role },
      subjects,
    },
    clusterRole: { apiVersion: `${rbac}/v1`, kind: "ClusterRole", metadata: { name: a.clusterRole, labels }, rules: LISTENER_CLUSTER_RULES },
    clusterRoleBinding: {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: a.clusterRole, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: a.clusterRole },
      subjects,
    },
  };
}

/**
 * The identity pipeline runs use. It needs no rights and no API token: the Tasks' tokens come from a
 * Secret, and no step calls the API, so the code under test finds no token to call it with.
 */
export function pipelineServiceAccount(a: AppObjectRef): ServiceAccount {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: appObjectMeta(a, "pipeline"), automountServiceAccountToken: false };
}
