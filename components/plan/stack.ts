import { opsFolderApplication, Application } from "../argocd/application";
import { AppSettings, StackSettings } from "../config/settings";
import { BUILT_IN_NAMESPACES, namespace, Namespace, opaqueSecret, opaqueSecretOf } from "../kubernetes/namespace";
import { basicAuthFiles } from "../tekton/git-clone";
import { Secret } from "../kubernetes/types";
import { GIT_CREDENTIALS_SECRET, GITHUB_TOKEN_SECRET, objectNames, ObjectNames, WEBHOOK_SECRET } from "./names";
import { CredentialsPlan, CredentialValues, planCredentials } from "./private-access";
import { cloneUrl, KPACK_FOLDER, opsRepositoryFiles, RepoFile, TEKTON_FOLDER } from "./ops-repository";

/** The secret values a plan is made with: Pulumi secret Outputs to deploy, markers to render. */
export interface SecretValues<S> extends CredentialValues<S> {
  githubToken: S;
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
  webhookSecret: Secret<S>;
  /** git-clone's basic-auth files for both clones, derived from the token. */
  gitCredentials: Secret<S | string>;
}

export interface WebhookPlan<S> {
  owner: string;
  repository: string;
  url: string;
  secret: S;
  events: ["push"];
}

export interface AppPlan<S> {
  app: AppSettings;
  names: ObjectNames;
  /** Files committed to the app's ops repository; Argo CD applies them. */
  repoFiles: RepoFile[];
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
    project: stack.argocd.project,
    repoURL: cloneUrl(stack, app.opsRepository),
    targetRevision: app.opsBranch,
    destinationServer: stack.argocd.destinationServer,
    destinationNamespace: app.namespace,
    prune: stack.argocd.prune,
    selfHeal: stack.argocd.selfHeal,
  };
  return [
    opsFolderApplication({ ...common, name: names.imageApplication, path: KPACK_FOLDER }),
    opsFolderApplication({ ...common, name: names.tektonApplication, path: TEKTON_FOLDER }),
  ];
}

/**
 * Everything a stack deploys, as plain typed objects: the single code path behind both `pulumi up`
 * and `npm run render`. Pure: same settings and secrets in, same plan out.
 */
export function planStack<S>(stack: StackSettings, secrets: SecretValues<S>): StackPlan<S> {
  const appsPerNamespace = new Map<string, number>();
  for (const app of stack.apps) appsPerNamespace.set(app.namespace, (appsPerNamespace.get(app.namespace) ?? 0) + 1);

  const namespaces = [...appsPerNamespace.keys()].map(
    (name): NamespacePlan<S> => ({
      name,
      namespace: BUILT_IN_NAMESPACES.includes(name) ? undefined : namespace(name),
      githubToken: opaqueSecret({ ...GITHUB_TOKEN_SECRET, namespace: name, value: secrets.githubToken }),
      webhookSecret: opaqueSecret({ ...WEBHOOK_SECRET, namespace: name, value: secrets.webhookSecret }),
      gitCredentials: opaqueSecretOf<S | string>({
        ...GIT_CREDENTIALS_SECRET,
        namespace: name,
        stringData: { ...basicAuthFiles(stack.gitHost, secrets.githubToken, secrets.derive) },
      }),
    }),
  );

  const apps = stack.apps.map((app): AppPlan<S> => {
    const names = objectNames(app);
    return {
      app,
      names,
      repoFiles: opsRepositoryFiles(stack, app, names),
      applications: planApplications(stack, app, names),
      webhook: app.webhookUrl
        ? { owner: stack.githubOwner, repository: app.repo, url: app.webhookUrl, secret: secrets.webhookSecret, events: ["push"] }
        : undefined,
    };
  });
  return { namespaces, apps, credentials: planCredentials(stack, secrets) };
}
