import { createHash, createHmac } from "crypto";
import { AppSettings } from "../config/settings";
import { dnsLabel } from "../config/validators";
import { eventListenerService } from "../kubernetes/ingress";

/** The names one app's objects get. Derived once, so every builder agrees on them. */
export interface ObjectNames {
  /** The write-back Task (update-image-revision). */
  task: string;
  /** The clone, lint and test Tasks. */
  cloneTask: string;
  lintTask: string;
  testTask: string;
  pipeline: string;
  /** The PipelineRuns' `generateName`: Kubernetes appends 5 random characters. */
  pipelineRunPrefix: string;
  triggerBinding: string;
  triggerTemplate: string;
  eventListener: string;
  /** The Service Tekton Triggers creates for the EventListener: what GitHub's webhook must reach. */
  eventListenerService: string;
  /** The EventListener's account; applied by Pulumi, like its Role and ClusterRole. */
  triggersServiceAccount: string;
  /** The listener's Role and RoleBinding. */
  triggersRole: string;
  /** The listener's ClusterRole and ClusterRoleBinding: cluster-scoped, so it carries the namespace too. */
  triggersClusterRole: string;
  pipelineServiceAccount: string;
  /** The Argo CD AppProject of the app's two Applications, in Argo CD's namespace: it carries the namespace too. */
  appProject: string;
  /** The Secret holding the app's webhook secret, which its EventListener checks pushes with. */
  webhookSecret: string;
  /** After the app and its image tag: kpack never lets an Image's tag change, so a new tag is a new Image. */
  kpackImage: string;
  imageApplication: string;
  tektonApplication: string;
  /** The commit-status Task. */
  statusTask: string;
  /** The run-janitor Task, and its account, Role and RoleBinding (applied by Pulumi). */
  janitorTask: string;
  janitorServiceAccount: string;
  /** The pull-request Pipeline, its runs' generateName, its TriggerBinding and TriggerTemplate. */
  pullRequestPipeline: string;
  pullRequestRunPrefix: string;
  pullRequestBinding: string;
  pullRequestTemplate: string;
}

/**
 * Secrets live once per namespace; every app there shares them. `github-token` holds the write-back's
 * two tokens: `key` writes the ops repositories, `readKey` reads the app repositories.
 */
export const GITHUB_TOKEN_SECRET = { name: "github-token", key: "GITHUB_TOKEN", readKey: "READ_TOKEN" } as const;
/**
 * The status token, once per namespace, in a Secret of its own: a pull request's run references this
 * one and git-clone's, never `github-token`, which holds the ops write token.
 */
export const COMMIT_STATUS_SECRET = { name: "commit-status-token", key: "STATUS_TOKEN" } as const;
/** The key of each app's webhook Secret (`<app>-webhook`): one secret per app, never shared. */
export const WEBHOOK_SECRET_KEY = "secretToken";

/**
 * An app's webhook secret when none is given: HMAC-SHA256 of the app's namespace and name under the
 * stack's webhookSecret, 32 bytes as hex. Each app signs with its own, and no app's secret tells another's
 * or the root; a new root rotates them all. Pure, so every `pulumi up` derives the same.
 */
export function appWebhookSecret(root: string, app: { namespace: string; name: string }): string {
  return createHmac("sha256", root).update(`deliberate-image-builds/webhook/${app.namespace}/${app.name}`).digest("hex");
}
/** git-clone's basic-auth files, derived from the token, for cloning private repositories. */
export const GIT_CREDENTIALS_SECRET = { name: "github-git-credentials" } as const;

/** Characters Kubernetes appends to a `generateName` (apiserver names.SimpleNameGenerator). */
export const GENERATED_SUFFIX_LENGTH = 5;

/** Characters of the suffix that tells an app's Images apart by their tag. */
export const IMAGE_SUFFIX_LENGTH = 5;

/**
 * A short, fixed-length digest of `text` in characters every Kubernetes name may hold (lowercase
 * base 36 of SHA-256): 5 characters tell about 60 million values apart.
 */
export function nameDigest(text: string, length: number): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return BigInt(`0x${hex.slice(0, 16)}`).toString(36).padStart(length, "0").slice(-length);
}

/**
 * Every name starts with the app's name and depends on nothing else of the stack, so adding or removing
 * another app never renames this one's objects (and never moves its listener's Service, which GitHub
 * posts to). Names are unique in a namespace because app names are unique in a stack; the one
 * cluster-scoped name joins namespace and app with a `.`, which neither may hold, so no two apps of any
 * namespaces share it.
 */
export function objectNames(app: Pick<AppSettings, "name" | "namespace" | "imageTag">): ObjectNames {
  const n = app.name;
  return {
    task: `${n}-write-back`,
    cloneTask: `${n}-clone`,
    lintTask: `${n}-lint`,
    testTask: `${n}-test`,
    pipeline: `${n}-build`,
    pipelineRunPrefix: `${n}-build-`,
    triggerBinding: `${n}-push`,
    triggerTemplate: `${n}-build-run`,
    eventListener: `${n}-listener`,
    eventListenerService: eventListenerService(`${n}-listener`),
    // Names of their own, apart from those Argo CD applied from the ops repository before these left
    // it: Argo CD prunes those, and must never prune what Pulumi applies now.
    triggersServiceAccount: `${n}-event-listener`,
    triggersRole: `${n}-event-listener`,
    // An RBAC name is a path segment (k8s.io/kubernetes pkg/apis/rbac/validation ValidateRBACName), so
    // it may hold the `.` a namespace and an app name (DNS labels) cannot.
    triggersClusterRole: `${app.namespace}.${n}-event-listener`,
    pipelineServiceAccount: `${n}-pipeline`,
    appProject: `${app.namespace}.${n}`,
    webhookSecret: `${n}-webhook`,
    // kpack refuses any change of an Image's spec.tag (pkg/apis/build/v1alpha2/image_validation.go
    // validateTag: "Immutable field changed"): another tag is another Image, and Argo CD prunes the old.
    kpackImage: `${n}-image-${nameDigest(app.imageTag, IMAGE_SUFFIX_LENGTH)}`,
    imageApplication: `${n}-image`,
    tektonApplication: `${n}-tekton`,
    statusTask: `${n}-status`,
    janitorTask: `${n}-janitor`,
    janitorServiceAccount: `${n}-run-janitor`,
    pullRequestPipeline: `${n}-pr`,
    pullRequestRunPrefix: `${n}-pr-`,
    pullRequestBinding: `${n}-pr`,
    pullRequestTemplate: `${n}-pr-run`,
  };
}

/**
 * How long each derived name may be, and whose rule that is. The EventListener comes first: its limit
 * binds (60 less `-listener` leaves an app 51 characters), and where others bind as tightly, the first
 * is the one an error names.
 */
type NameLimit = { max: number; rule: string };
// tektoncd/pipeline pkg/apis/validate/metadata.go: a DNS-1123 label's 63 for Tasks, Pipelines, PipelineRuns.
const TASK: NameLimit = { max: 63, rule: "Tekton's limit for a Task name" };
const PIPELINE: NameLimit = { max: 63, rule: "Tekton's limit for a Pipeline name" };
const PIPELINE_RUN_PREFIX: NameLimit = {
  max: 63 - GENERATED_SUFFIX_LENGTH,
  rule: `Tekton's limit for a PipelineRun name, 63, less the ${GENERATED_SUFFIX_LENGTH} characters Kubernetes appends`,
};
// tektoncd/triggers pkg/apis/triggers/v1beta1/trigger_binding_validation.go and trigger_template_validation.go:
// validate.ObjectMetadata, 63 (found by npm run validate:upstream when a binding's name outgrew it).
const TRIGGER_BINDING: NameLimit = { max: 63, rule: "Tekton Triggers' limit for a TriggerBinding name" };
const TRIGGER_TEMPLATE: NameLimit = { max: 63, rule: "Tekton Triggers' limit for a TriggerTemplate name" };
// Argo CD can track resources by the label app.kubernetes.io/instance=<Application>.
const APPLICATION: NameLimit = { max: 63, rule: "Argo CD's limit for an Application name tracked by label" };
const SERVICE_ACCOUNT: NameLimit = { max: 253, rule: "Kubernetes' limit for a ServiceAccount name" };

const NAME_LIMITS: Record<keyof ObjectNames, NameLimit> = {
  // tektoncd/triggers pkg/apis/triggers/v1beta1/event_listener_validation.go: 60, for the `el-` Service.
  eventListener: { max: 60, rule: "Tekton Triggers' limit for an EventListener name" },
  task: TASK,
  cloneTask: TASK,
  lintTask: TASK,
  testTask: TASK,
  pipeline: PIPELINE,
  pipelineRunPrefix: PIPELINE_RUN_PREFIX,
  eventListenerService: { max: 63, rule: "Kubernetes' limit for a Service name" },
  // kpack's image_validation.go validateName: a label value (its builds carry image.kpack.io/image=<name>).
  kpackImage: { max: 63, rule: "kpack's limit for an Image name (a label value on its builds)" },
  imageApplication: APPLICATION,
  tektonApplication: APPLICATION,
  triggerBinding: TRIGGER_BINDING,
  triggerTemplate: TRIGGER_TEMPLATE,
  triggersServiceAccount: SERVICE_ACCOUNT,
  triggersRole: { max: 253, rule: "Kubernetes' limit for a Role name" },
  triggersClusterRole: { max: 253, rule: "Kubernetes' limit for a ClusterRole name" },
  pipelineServiceAccount: SERVICE_ACCOUNT,
  appProject: { max: 253, rule: "Kubernetes' limit for an object name" },
  webhookSecret: { max: 253, rule: "Kubernetes' limit for a Secret name" },
  statusTask: TASK,
  janitorTask: TASK,
  pullRequestPipeline: PIPELINE,
  pullRequestRunPrefix: PIPELINE_RUN_PREFIX,
  janitorServiceAccount: SERVICE_ACCOUNT,
  pullRequestBinding: TRIGGER_BINDING,
  pullRequestTemplate: TRIGGER_TEMPLATE,
};

/** The longest an app's name may be, and the derived name that sets that limit. */
export interface AppNameLimit {
  max: number;
  object: keyof ObjectNames;
  /** That object's name for the app name asked about. */
  derived: string;
  /** Whose limit it is, and the limit on the object's name. */
  rule: string;
  limit: number;
}

/**
 * The longest app name whose derived names all fit in this namespace: the tightest limit of all, so
 * the first error states the real one.
 */
export function appNameLimit(app: Pick<AppSettings, "name" | "namespace">): AppNameLimit {
  // The tag only picks the Image's fixed-length suffix: no length depends on it.
  const names = objectNames({ ...app, imageTag: "" });
  const limits = (Object.keys(NAME_LIMITS) as (keyof ObjectNames)[]).map((object) => {
    const { max: limit, rule } = NAME_LIMITS[object];
    // Each derived name is the app's name with a fixed affix around it.
    return { max: limit - (names[object].length - app.name.length), object, derived: names[object], rule, limit };
  });
  return limits.reduce((tightest, next) => (next.max < tightest.max ? next : tightest));
}

/**
 * What is wrong with an app name, or undefined: too long for a derived name (the longest an app may
 * have here, and the object that would be too long), or not a DNS-1123 label.
 */
export function appNameProblem(app: Pick<AppSettings, "name" | "namespace">): string | undefined {
  const { max, object, derived, rule, limit } = appNameLimit(app);
  if (app.name.length > max) return `expected at most ${max} characters: ${object} "${derived}" would be ${derived.length}, over ${rule} (${limit})`;
  return dnsLabel(app.name, max);
}

/** The build namespaces of a stack, each once, in the order its apps name them. */
export function buildNamespaces(stack: { apps: readonly Pick<AppSettings, "namespace">[] }): string[] {
  return [...new Set(stack.apps.map((app) => app.namespace))];
}
