// The `push` webhook event (docs.github.com webhooks: "Webhook events and payloads", push; the OpenAPI
// description's `webhook-push` schema) for one ref a push moved, read from the bare repository after
// the push: what GitHub's payload says of the ref, its commits and the repository.
import { fullRepository, JsonObject, ownerUser, PushedRef, pushCommitBody, pushEventBody, pushEventRepository, StoredRepository, Urls } from "./bodies";
import { BareRepository, GitRef, NO_COMMIT, Person } from "./git-store";
import { RefUpdate } from "./post-receive";

/** The most commits a push event lists (the `webhook-push` schema's `commits`). */
const MAX_PUSH_COMMITS = 2048;

/** What a push event tells besides the repository's refs and commits. */
export interface PushContext {
  urls: Urls;
  git: BareRepository;
  repository: StoredRepository;
  ownerId: number;
  /** Who pushed, as the payload's `pusher` names them; the `sender` is the owner's account (the one user here). */
  pusher: { name: string; email: string };
  /** The repository's `pushed_at`. */
  pushedAt: string;
  /** The login of a commit's author or committer, when the person is a known account. */
  loginOf(p: Person): string | undefined;
}

/** The `push` event for `update`, one of the ref updates (`all`) a push (or a contents API commit) made. */
export async function pushEvent(ctx: PushContext, update: RefUpdate, all: RefUpdate[]): Promise<JsonObject> {
  const { urls, git } = ctx;
  const repo = ctx.repository.name;
  const defaultBranch = await git.defaultBranch();
  const refs = await git.refs();
  const moved = new Set(all.map((u) => u.ref));
  // The refs as they were before the push: those it moved at their old values.
  const previous: Pick<GitRef, "name" | "sha">[] = [
    ...refs.filter((r) => !moved.has(r.name)),
    ...all.filter((u) => u.before !== NO_COMMIT).map((u) => ({ name: u.ref, sha: u.before })),
  ];
  const created = update.before === NO_COMMIT;
  const deleted = update.after === NO_COMMIT;
  const isBranch = update.ref.startsWith("refs/heads/");
  const head = deleted ? undefined : await git.peel(update.after);
  // A branch lists its commits since its old head (a new branch: since the default branch's); a tag lists none.
  let shas: string[] = [];
  if (isBranch && head) {
    const base = created ? previous.filter((r) => r.name === `refs/heads/${defaultBranch}`).map((r) => r.sha) : [update.before];
    shas = await git.commitsSince(head, base, MAX_PUSH_COMMITS);
  }
  // `distinct`: new to the repository, reachable from none of the refs it had.
  const fresh = new Set(head ? await git.commitsSince(head, previous.map((r) => r.sha), MAX_PUSH_COMMITS) : []);
  const commits: JsonObject[] = [];
  for (const c of await git.commits(head ? [...shas, ...(shas.includes(head) ? [] : [head])] : [])) {
    commits.push(pushCommitBody(urls, repo, c, await git.changes(c), fresh.has(c.sha), ctx.loginOf));
  }
  const headCommit = commits.find((c) => c.id === head) ?? null;
  const branchesAtHead = refs.filter((r) => r.name.startsWith("refs/heads/") && r.commit === head).map((r) => r.name);
  const pushedRef: PushedRef = {
    ref: update.ref,
    before: update.before,
    after: update.after,
    created,
    deleted,
    forced: !created && !deleted && !(await git.isAncestor(update.before, update.after)),
    // A tag's base_ref: the branch whose head it points at, the default branch first.
    baseRef: !isBranch && head ? (branchesAtHead.find((b) => b === `refs/heads/${defaultBranch}`) ?? branchesAtHead[0] ?? null) : null,
    hadBranches: previous.some((r) => r.name.startsWith("refs/heads/")),
    commits: commits.filter((c) => shas.includes(String(c.id))),
    headCommit,
  };
  const repository = pushEventRepository(fullRepository(urls, ctx.repository, ctx.ownerId, defaultBranch, ctx.pushedAt), ctx.pusher.email);
  return pushEventBody(urls, repo, pushedRef, repository, ctx.pusher, ownerUser(urls, ctx.ownerId));
}
