/**
 * Which folder of its ops repository holds an app's files. One folder per app: several apps may share a
 * repository and branch (one `platform-ops` repository for every app), never a folder.
 */

/** The folder of an app alone on its ops repository and branch: where every install before opsPath wrote. */
export const OWN_OPS_PATH = "cicd";

/** The folder of an app that shares its ops repository and branch with other apps of the stack. */
export function sharedOpsPath(app: string): string {
  return `apps/${app}`;
}

/** Where an app's folder is: repository (under githubOwner), branch and folder. */
export interface OpsFolder {
  repository: string;
  branch: string;
  path: string;
}

/**
 * Two folders fight when they are one, or one holds the other (Argo CD's Application for
 * `<outer>/kpack` would then apply nothing of the inner app, but the write-back and pulumi up would
 * write files into each other's tree).
 */
export function foldersOverlap(a: OpsFolder, b: OpsFolder): boolean {
  if (a.repository !== b.repository || a.branch !== b.branch) return false;
  const [x, y] = [`${a.path}/`, `${b.path}/`];
  return x.startsWith(y) || y.startsWith(x);
}

export function describeFolder(f: OpsFolder): string {
  return `${f.repository}@${f.branch}:${f.path}`;
}

/**
 * The folder of each app of a stack without its own opsPath: `cicd` when no other app of the stack
 * names the same opsRepo and opsBranch, so an app alone keeps the folder it always had; `apps/<name>`
 * when several share them. Adding a second app to an ops repository thus moves the first app to
 * `apps/<name>` unless its opsPath says `cicd` (pulumi up carries its tested revision over).
 */
export function defaultOpsPaths<A extends { name: string; opsRepository: string; opsBranch: string; opsPath?: string }>(apps: readonly A[]): (A & { opsPath: string })[] {
  const key = (a: A) => `${a.opsRepository}@${a.opsBranch}`;
  const count = new Map<string, number>();
  for (const a of apps) count.set(key(a), (count.get(key(a)) ?? 0) + 1);
  return apps.map((a) => ({ ...a, opsPath: a.opsPath || (count.get(key(a))! > 1 ? sharedOpsPath(a.name) : OWN_OPS_PATH) }));
}
