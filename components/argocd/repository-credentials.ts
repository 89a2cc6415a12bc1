import { secret } from "../kubernetes/secret";
import { Secret } from "../kubernetes/types";

/**
 * Argo CD finds repository credentials in Secrets of its own namespace by this label
 * (argoproj/argo-cd docs/operator-manual/declarative-setup.md, "Repository Credentials").
 * `repo-creds` is a template: its `url` is a prefix, used for every repository under it.
 */
export const ARGOCD_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

export interface RepositoryCredentialsArgs<V> {
  name: string;
  argocdNamespace: string;
  /** Every repository URL starting with this gets these credentials, e.g. `https://github.com/example-org/`. */
  urlPrefix: string;
  username: string;
  password: V;
}

/**
 * A `repo-creds` Secret, in the keys Argo CD reads (util/db/repository_secrets.go, secretToRepoCred:
 * `url`, `username`, `password`, `type`). Argo CD picks the credential whose normalized `url` is the
 * longest prefix of the normalized repository URL (getRepositoryCredentialIndex; NormalizeGitURL
 * lowercases and drops `.git`), so the prefix ends in `/`: `.../example-org/` never matches
 * `.../example-org-other/...`.
 */
export function repositoryCredentials<V>(a: RepositoryCredentialsArgs<V>): Secret<V> {
  return secret({
    name: a.name,
    namespace: a.argocdNamespace,
    labels: { [ARGOCD_SECRET_TYPE_LABEL]: "repo-creds" },
    type: "Opaque",
    stringData: { type: "git", url: a.urlPrefix, username: a.username, password: a.password },
  });
}

/** The prefix covering every repository of one owner: `<gitHost>/<owner>/`. */
export function ownerUrlPrefix(gitHost: string, owner: string): string {
  return `${gitHost.replace(/\/+$/, "")}/${owner}/`;
}
