/**
 * What git-clone (tektoncd-catalog/git-clone v1.7.0, task/git-clone/git-clone.yaml) needs from us: the
 * user it runs as, and the files its `basic-auth` workspace takes for private repositories.
 */

/** git-clone's step runs as this user (securityContext.runAsUser); volumes must be writable for it. */
export const GIT_CLONE_USER = 65532;

/**
 * The user name sent with a GitHub token over HTTPS. GitHub checks only the token; this is the name its
 * docs give for app installation tokens, and update-image-revision.sh sends the same.
 */
export const GIT_TOKEN_USERNAME = "x-access-token";

/** Where the app's clone goes inside the run volume (git-clone's `subdirectory` param). */
export const APP_CLONE_DIR = "app";

/** The two files git-clone copies from its `basic-auth` workspace into the user's home before cloning. */
export interface BasicAuthFiles<S> {
  ".gitconfig": string;
  ".git-credentials": S;
}

/**
 * git's `store` credential helper, for `gitHost` only: `.gitconfig` turns it on for that host,
 * `.git-credentials` holds one line `https://x-access-token:<token>@<host>` (git-credential-store's
 * format, the token percent-encoded). git sends it only when the host asks, so public repositories
 * clone as before.
 */
export function basicAuthFiles<S>(gitHost: string, token: S, derive: (token: S, line: (plain: string) => string) => S): BasicAuthFiles<S> {
  const { origin, protocol, host } = new URL(gitHost);
  return {
    ".gitconfig": `[credential "${origin}"]\n\thelper = store\n`,
    ".git-credentials": derive(token, (plain) => `${protocol}//${GIT_TOKEN_USERNAME}:${encodeURIComponent(plain)}@${host}\n`),
  };
}
