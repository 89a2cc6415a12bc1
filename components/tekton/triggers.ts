import { appLabels, appObjectMeta, AppObjectRef, ClusterRole, ClusterRoleBinding, PolicyRule, restrictedPodSecurityContext, Role, RoleBinding, ServiceAccount } from "../kubernetes/types";
import { CREDENTIALS_WORKSPACE, RUN_WORKSPACE } from "./pipeline";
import { PullRequestScope } from "../config/settings";
import { pullRequestInterceptors } from "./pull-request";
import { EventListener, Param, PipelineRun, TriggerBinding, TriggerTemplate, VolumeClaimTemplate } from "./types";

/** A TriggerBinding: what of a payload becomes the template's params. */
export function triggerBinding(a: AppObjectRef, component: string, params: Param[]): TriggerBinding {
  return { apiVersion: "triggers.tekton.dev/v1beta1", kind: "TriggerBinding", metadata: appObjectMeta(a, component), spec: { params } };
}

/** What a GitHub push payload gives the pipeline: the clone URL and the pushed commit. */
export function pushTriggerBinding(a: AppObjectRef): TriggerBinding {
  return triggerBinding(a, "trigger", [
    { name: "REPO_URL", value: "$(body.repository.clone_url)" },
    // `after` is the branch's new head: the commit the pipeline lints, tests and records.
    { name: "REVISION", value: "$(body.after)" },
  ]);
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
  /** The janitor's pipeline task and account, when it runs. */
  janitor?: { task: string; serviceAccount: string };
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

/** The label telling a push run from a pull request's: the janitor cancels and keeps runs per kind. */
export const RUN_KIND_LABEL = "deliberate-image-builds/run-kind";
export type RunKind = "push" | "pull-request";

/** What every PipelineRun of an app shares: its Pipeline, account, fresh volume and clone credentials. */
export function freshRunSpec(
  a: Pick<TriggerTemplateArgs, "pipeline" | "serviceAccount" | "credentialsSecret" | "workspaceSize" | "janitor">,
  params: Param[],
): PipelineRun["spec"] {
  return {
    pipelineRef: { name: a.pipeline },
    params,
    taskRunTemplate: {
      serviceAccountName: a.serviceAccount,
      // `restricted` for every container of every TaskRun's pod, Tekton's init containers too
      // (with its set-security-context flag: README, Security model). Fresh volumes are root's
      // on most storage classes; the steps run as 65532, and the kubelet gives the volume to
      // fsGroup 65532 (tektoncd/catalog#1154).
      podTemplate: { securityContext: restrictedPodSecurityContext() },
    },
    // The janitor alone runs as the account allowed to cancel and delete the app's runs.
    ...(a.janitor ? { taskRunSpecs: [{ pipelineTaskName: a.janitor.task, serviceAccountName: a.janitor.serviceAccount }] } : {}),
    workspaces: [
      { name: RUN_WORKSPACE, volumeClaimTemplate: freshVolume(a.workspaceSize) },
      { name: CREDENTIALS_WORKSPACE, secret: { secretName: a.credentialsSecret } },
    ],
  };
}

/** A TriggerTemplate of one PipelineRun of `kind`, its params from the template's (`$(tt.params.*)`). */
export function runTemplate(
  a: Omit<TriggerTemplateArgs, "tokenSecret">,
  component: string,
  kind: RunKind,
  templateParams: { name: string; description: string }[],
  runParams: Param[],
): TriggerTemplate {
  return {
    apiVersion: "triggers.tekton.dev/v1beta1",
    kind: "TriggerTemplate",
    metadata: appObjectMeta(a, component),
    spec: {
      params: templateParams,
      resourcetemplates: [
        {
          apiVersion: "tekton.dev/v1",
          kind: "PipelineRun",
          metadata: { generateName: a.runPrefix, labels: { ...appLabels(a.app, "pipeline-run"), [RUN_KIND_LABEL]: kind }, annotations: { ...AUTO_CLEANUP_PVC } },
          spec: freshRunSpec(a, runParams),
        },
      ],
    },
  };
}

export function buildTriggerTemplate(a: TriggerTemplateArgs): TriggerTemplate {
  return runTemplate(
    a,
    "trigger",
    "push",
    [
      { name: "REPO_URL", description: "Clone URL of the pushed repository." },
      { name: "REVISION", description: "The pushed commit." },
    ],
    [
      { name: "repo-url", value: "$(tt.params.REPO_URL)" },
      { name: "revision", value: "$(tt.params.REVISION)" },
      { name: "github-token-secret", value: a.tokenSecret.name },
      { name: "github-token-secret-key", value: a.tokenSecret.key },
    ],
  );
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
  /** The pull-request trigger's binding, template and scope; none: pull requests start nothing. */
  pullRequests?: { binding: string; template: string; scope: Exclude<PullRequestScope, "off"> };
}

/** CEL string literal: single-quoted, with quotes and backslashes escaped. */
export function celString(value: string): string {
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
export function sameRepository(fullName: string): string {
  return `body.repository.full_name.lowerAscii() == ${celString(lowerAscii(fullName))}`;
}

/** Accepts signed push events for this repository's branch, and the pull requests `pullRequests` lets in; nothing else. */
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
        ...(a.pullRequests
          ? [
              {
                name: "github-pull-request",
                interceptors: pullRequestInterceptors({ ...a, scope: a.pullRequests.scope }),
                bindings: [{ ref: a.pullRequests.binding, kind: "TriggerBinding" as const }],
                template: { ref: a.pullRequests.template },
              },
            ]
          : []),
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

/** An account and a Role of its namespace bound to it: what the listener and the run janitor each have. */
export function accountWithRole(a: { namespace: string; account: string; role: string; labels: Record<string, string>; rules: PolicyRule[] }): { serviceAccount: ServiceAccount; role: Role; roleBinding: RoleBinding } {
  const rbac = "rbac.authorization.k8s.io" as const;
  const meta = (name: string) => ({ name, namespace: a.namespace, labels: a.labels });
  return {
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(a.account) },
    role: { apiVersion: `${rbac}/v1`, kind: "Role", metadata: meta(a.role), rules: a.rules },
    roleBinding: {
      apiVersion: `${rbac}/v1`,
      kind: "RoleBinding",
      metadata: meta(a.role),
      roleRef: { apiGroup: rbac, kind: "Role", name: a.role },
      subjects: [{ kind: "ServiceAccount", name: a.account, namespace: a.namespace }],
    },
  };
}

export function listenerRbac(a: ListenerRbacArgs): ListenerRbac {
  const labels = appLabels(a.app, "trigger");
  const rbac = "rbac.authorization.k8s.io" as const;
  const own = accountWithRole({ namespace: a.namespace, account: a.serviceAccount, role: a.role, labels, rules: LISTENER_NAMESPACE_RULES });
  return {
    ...own,
    clusterRole: { apiVersion: `${rbac}/v1`, kind: "ClusterRole", metadata: { name: a.clusterRole, labels }, rules: LISTENER_CLUSTER_RULES },
    clusterRoleBinding: {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: a.clusterRole, labels },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: a.clusterRole },
      subjects: own.roleBinding.subjects,
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
