import { ownerUrlPrefix, repositoryCredentials } from "../argocd/repository-credentials";
import { AppSettings, StackSettings } from "../config/settings";
import { gitCredentials, imageServiceAccount, registryCredentials, serviceAccountSecretsPatch } from "../kpack/credentials";
import { Secret, ServiceAccount } from "../kubernetes/types";
import { GIT_TOKEN_USERNAME } from "../tekton/git-clone";
import { buildNamespaces } from "./names";


/** Secrets kpack reads in each build namespace; every app's image service account there lists them. */
export const KPACK_GIT_SECRET = "kpack-git-credentials";
export const KPACK_REGISTRY_SECRET = "kpack-registry-credentials";

/** The secret values the credentials are made of: Pulumi secret Outputs to deploy, markers to render. */
export interface CredentialValues<S> {
  githubToken: S;
  /** Read-only: what clones, kpack and Argo CD read with when given; githubToken serves when not. */
  readToken?: S;
  argocdToken?: S;
  registryCredentials?: S;
}

/** The token that reads the repositories: readToken where the stack gives one, else githubToken. */
export function readTokenOf<S>(values: Pick<CredentialValues<S>, "githubToken" | "readToken">): S {
  return values.readToken ?? values.githubToken;
}

/** What kpack needs in one build namespace. */
export interface NamespaceCredentials<S> {
  namespace: string;
  /** Absent when the repositories are public. */
  git?: Secret<S>;
  /** Absent when the stack gives no registryCredentials. */
  registry?: Secret<S>;
  /** Service accounts the program owns: one per app that names none. */
  ownedServiceAccounts: ServiceAccount[];
  /** Entries added to accounts the stack names and owns itself: one patch per account. */
  serviceAccountPatches: ServiceAccount[];
}

/** Everything cluster-side that lets Argo CD and kpack read private repositories and push images. */
export interface CredentialsPlan<S> {
  /** Argo CD's credentials for every repository of the owner; absent when the repositories are public. */
  argocd?: Secret<S>;
  namespaces: NamespaceCredentials<S>[];
}

/** What the credentials are planned from: a stack's settings, or BuildCredentials' args. */
export type CredentialSettings = Pick<StackSettings, "githubOwner" | "gitHost" | "privateRepositories" | "argocdToken" | "readToken" | "registryCredentials"> & {
  argocd: Pick<StackSettings["argocd"], "namespace">;
  apps: readonly Pick<AppSettings, "name" | "namespace" | "imageServiceAccount">[];
  /** Argo CD's repo-creds with privateRepositories; false for a program that brings its own. @default true */
  argocdRepositoryCredentials?: boolean;
};

/** `repo-creds-<owner>`, the owner lowercased to what a Secret name may hold. */
export function argocdCredentialsName(owner: string): string {
  return `repo-creds-${owner.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")}`;
}

function required<S>(value: S | undefined, key: string): S {
  if (value === undefined) throw new Error(`the stack sets ${key} but no value for it reached the plan`);
  return value;
}

/** Pure: the same settings and values give the same Secrets, service accounts and patches. */
export function planCredentials<S>(stack: CredentialSettings, values: CredentialValues<S>): CredentialsPlan<S> {
  const readPassword = stack.readToken ? required(values.readToken, "readToken") : values.githubToken;
  const argocdPassword = stack.argocdToken === "argocdToken" ? required(values.argocdToken, "argocdToken") : readPassword;
  const registryValue = stack.registryCredentials ? required(values.registryCredentials, "registryCredentials") : undefined;
  const namespaces = buildNamespaces(stack).map((namespace): NamespaceCredentials<S> => {
    const git = stack.privateRepositories
      ? gitCredentials({ name: KPACK_GIT_SECRET, namespace, gitHost: stack.gitHost, username: GIT_TOKEN_USERNAME, password: readPassword })
      : undefined;
    const registry = registryValue === undefined ? undefined : registryCredentials({ name: KPACK_REGISTRY_SECRET, namespace, dockerConfigJson: registryValue });
    const secrets = [git, registry].filter((s): s is Secret<S> => s !== undefined).map((s) => s.metadata.name ?? "");
    const apps = stack.apps.filter((a) => a.namespace === namespace);
    const named = [...new Set(apps.filter((a) => !a.imageServiceAccount.owned).map((a) => a.imageServiceAccount.name))];
    return {
      namespace,
      git,
      registry,
      ownedServiceAccounts: apps
        .filter((a) => a.imageServiceAccount.owned)
        .map((a) => imageServiceAccount({ name: a.imageServiceAccount.name, namespace, app: a.name, secrets, registrySecrets: registry ? [KPACK_REGISTRY_SECRET] : [] })),
      // Nothing to add, nothing to patch: an account the stack names is then left exactly as it is.
      serviceAccountPatches: secrets.length === 0 ? [] : named.map((name) => serviceAccountSecretsPatch({ name, namespace, secrets })),
    };
  });
  const argocd = stack.privateRepositories && stack.argocdRepositoryCredentials !== false
    ? repositoryCredentials({
        name: argocdCredentialsName(stack.githubOwner),
        argocdNamespace: stack.argocd.namespace,
        urlPrefix: ownerUrlPrefix(stack.gitHost, stack.githubOwner),
        username: GIT_TOKEN_USERNAME,
        password: argocdPassword,
      })
    : undefined;
  return { argocd, namespaces };
}
