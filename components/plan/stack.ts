import { opsFolderApplication, Application } from "../argocd/application";
import { AppSettings, StackSettings } from "../config/settings";
import { isBuiltInNamespace, namespace, Namespace } from "../kubernetes/namespace";
import { secret } from "../kubernetes/secret";
import { basicAuthFiles } from "../tekton/git-clone";
import { KubernetesObject, Secret, ServiceAccount } from "../kubernetes/types";
import { AppProject, appProject, groupKindsOf } from "../argocd/app-project";
import { ListenerRbac, listenerRbac, pipelineServiceAccount } from "../tekton/triggers";
import { appWebhookSecret, buildNamespaces, GIT_CREDENTIALS_SECRET, GITHUB_TOKEN_SECRET, objectNames, ObjectNames, WEBHOOK_SECRET_KEY } from "./names";
import { CredentialsPlan, CredentialValues, planCredentials, readTokenOf } from "./private-access";
import { cloneUrl, kubernetesObjectsIn, opsLayout, opsRepositoryFiles, RepoFile } from "./ops-repository";

/** The secret values a plan is made with: Pulumi secret Outputs to deploy, markers to render. */
export interface SecretValues<S> extends CredentialValues<S> {
  githubToken: S;
  /** What the write-back pushes the ops repositories with; githubToken serves when not given. */
  writeBackToken?: S;
  /** The root each app's webhook secret is derived from (appWebhookSecret); never in the cluster itself. */
  webhookSecret: S;
  /** A secret computed from a secret, itself secret: `apply` on an Output; render keeps the marker. */
  derive(secret: S, compute: (plain: string) => string): S;
}

/** Secret values held as plain strings: whatever is derived from one is computed at once. */
export function plainSecretValues(values: Omit<SecretValues<string>, "derive">): SecretValues<string> {
  return { ...values, derive: (secret, compute) => compute(secret) };
}

/** What lands in one build namespace, shared by every app there. */
export interface NamespacePlan<S> {
  name: string;
  /** Undefined for namespaces every cluster has. */
  namespace?: Namespace;
  githubToken: Secret<S>;
  /** The clone Task's basic-auth files, derived from the read token. */
  gitCredentials: Secret<S>;
}

export interface WebhookPlan<S> {
  owner: string;
  repository: string;
  url: string;
  secret: S;
  events: ["push"];
}

/**
 * What an app's objects may do, applied by Pulumi and never committed: whoever writes the ops repository
 * can grant no rights. Each object here is one resource of the component.
 */
export interface AppAccess {
  /** Undefined when the stack brings its own project (argocdProject). */
  project?: AppProject;
  pipelineServiceAccount: ServiceAccount;
  listener: ListenerRbac;
}

export interface AppPlan<S> {
  app: AppSettings;
  names: ObjectNames;
  /** Files committed to the app's ops repository; Argo CD applies them. */
  repoFiles: RepoFile[];
  /** Applied to the cluster by Pulumi, before the Applications. */
  access: AppAccess;
  /** The app's own webhook secret, which its EventListener checks each push's signature with. */
  webhookSecret: Secret<S>;
  /** Applied to the cluster by Pulumi. */
  applications: [Application, Application];
  webhook?: WebhookPlan<S>;
}

export interface StackPlan<S> {
  namespaces: NamespacePlan<S>[];
  apps: AppPlan<S>[];
  /** Applied to the cluster by Pulumi, never committed: Argo CD's and kpack's credentials. */
  credentials: CredentialsPlan<S>;
}

function planApplications(stack: StackSettings, app: AppSettings, names: ObjectNames): [Application, Application] {
  const common = {
    app: app.name,
    argocdNamespace: stack.argocd.namespace,
    project: stack.argocd.project ?? names.appProject,
    repoURL: cloneUrl(stack, app.opsRepository),
    targetRevision: app.opsBranch,
    destinationServer: stack.argocd.destinationServer,
    destinationNamespace: app.namespace,
    prune: stack.argocd.prune,
    selfHeal: stack.argocd.selfHeal,
  };
  return [
    opsFolderApplication({ ...common, name: names.imageApplication, path: opsLayout(app.opsPath).kpack }),
    opsFolderApplication({ ...common, name: names.tektonApplication, path: opsLayout(app.opsPath).tekton }),
  ];
}

/** A build namespace's Secrets, shared by every app there; the Namespace itself unless it is a built-in one. */
export function planNamespace<S>(
  stack: Pick<StackSettings, "gitHost">,
  name: string,
  secrets: Pick<SecretValues<S>, "githubToken" | "writeBackToken" | "readToken" | "derive">,
): NamespacePlan<S> {
  const readToken = readTokenOf(secrets);
  return {
    name,
    namespace: isBuiltInNamespace(name) ? undefined : namespace(name),
    githubToken: secret({
      name: GITHUB_TOKEN_SECRET.name,
      namespace: name,
      type: "Opaque",
      stringData: { [GITHUB_TOKEN_SECRET.key]: secrets.writeBackToken ?? secrets.githubToken, [GITHUB_TOKEN_SECRET.readKey]: readToken },
    }),
    gitCredentials: secret({
      name: GIT_CREDENTIALS_SECRET.name,
      namespace: name,
      type: "Opaque",
      stringData: { ...basicAuthFiles(stack.gitHost, readToken, secrets.derive) },
    }),
  };
}

/** The app's project, accounts and RBAC: the project allows exactly the kinds `repoFiles` hold. */
function planAccess(stack: StackSettings, app: AppSettings, names: ObjectNames, repoFiles: RepoFile[]): AppAccess {
  const ref = { namespace: app.namespace, app: app.name };
  return {
    project:
      stack.argocd.project === undefined
        ? appProject({
            name: names.appProject,
            app: app.name,
            argocdNamespace: stack.argocd.namespace,
            repoURL: cloneUrl(stack, app.opsRepository),
            destinationServer: stack.argocd.destinationServer,
            destinationNamespace: app.namespace,
            kinds: groupKindsOf(kubernetesObjectsIn(repoFiles)),
          })
        : undefined,
    pipelineServiceAccount: pipelineServiceAccount({ ...ref, name: names.pipelineServiceAccount }),
    listener: listenerRbac({ ...ref, serviceAccount: names.triggersServiceAccount, role: names.triggersRole, clusterRole: names.triggersClusterRole }),
  };
}

/** The access objects in the order they are applied: the accounts before what binds them. */
export function accessObjects(access: AppAccess): KubernetesObject[] {
  const { project, pipelineServiceAccount, listener } = access;
  return [...(project ? [project] : []), pipelineServiceAccount, listener.serviceAccount, listener.role, listener.roleBinding, listener.clusterRole, listener.clusterRoleBinding];
}

/** One app's ops files, Applications and webhook; `webhookSecret`, the app's own, signs its pushes. */
export function planApp<S>(stack: StackSettings, app: AppSettings, webhookSecret: S): AppPlan<S> {
  const names = objectNames(app);
  const repoFiles = opsRepositoryFiles(stack, app, names);
  return {
    app,
    names,
    repoFiles,
    access: planAccess(stack, app, names, repoFiles),
    webhookSecret: secret({ name: names.webhookSecret, namespace: app.namespace, type: "Opaque", stringData: { [WEBHOOK_SECRET_KEY]: webhookSecret } }),
    applications: planApplications(stack, app, names),
    webhook: app.webhookUrl
      ? { owner: stack.githubOwner, repository: app.repo, url: app.webhookUrl, secret: webhookSecret, events: ["push"] }
      : undefined,
  };
}

/**
 * Everything a stack deploys, as plain typed objects: the single code path behind both `pulumi up`
 * and `npm run render` (the components plan each namespace and app with planNamespace and planApp).
 * Pure: same settings and secrets in, same plan out.
 */
export function planStack<S>(stack: StackSettings, secrets: SecretValues<S>): StackPlan<S> {
  return {
    namespaces: buildNamespaces(stack).map((name) => planNamespace(stack, name, secrets)),
    apps: stack.apps.map((app) => planApp(stack, app, secrets.derive(secrets.webhookSecret, (root) => appWebhookSecret(root, app)))),
    credentials: planCredentials(stack, secrets),
  };
}
