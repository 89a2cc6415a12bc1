// The JSON bodies the double answers with, shaped as GitHub Enterprise Server's REST API answers
// (the schemas named below are those of GitHub's OpenAPI description; the tests validate against them).
import { ChangedFile, CommitObject, Person, TreeEntry } from "./git-store";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The GHES release whose REST API this double imitates (and whose OpenAPI document the tests use). */
export const GHES_VERSION = "3.19";
const DOCS = `https://docs.github.com/enterprise-server@${GHES_VERSION}/rest`;

/** GitHub's error body (`basic-error`): what go-github turns into an ErrorResponse. */
export function errorBody(status: number, message: string, docsPath = ""): JsonObject {
  return { message, documentation_url: `${DOCS}${docsPath}`, status: String(status) };
}

export interface StoredRepository {
  id: number;
  name: string;
  private: boolean;
  createdAt: string;
  /** What a create or an edit set of REPOSITORY_SETTINGS; the rest answer GitHub's defaults. */
  settings?: JsonObject;
}

/** The fields of full-repository that POST /user/repos and PATCH /repos/{o}/{r} set and GitHub echoes. */
export const REPOSITORY_SETTINGS = [
  "description",
  "homepage",
  "has_issues",
  "has_projects",
  "has_wiki",
  "has_downloads",
  "has_discussions",
  "is_template",
  "archived",
  "allow_merge_commit",
  "allow_squash_merge",
  "allow_rebase_merge",
  "allow_auto_merge",
  "allow_update_branch",
  "allow_forking",
  "delete_branch_on_merge",
  "web_commit_signoff_required",
  "merge_commit_title",
  "merge_commit_message",
  "squash_merge_commit_title",
  "squash_merge_commit_message",
] as const;

export interface StoredHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url: string; content_type: string; insecure_ssl: string; secret?: string };
  createdAt: string;
  updatedAt: string;
}

/** GitHub's base64 for file contents: line breaks every 60 characters, and one at the end. */
function githubBase64(content: Buffer): string {
  const flat = content.toString("base64");
  return flat.length === 0 ? "" : `${flat.match(/.{1,60}/g)?.join("\n")}\n`;
}

/** Opaque, stable node IDs in GitHub's manner: base64 of the object's kind and number. */
function nodeId(kind: string, id: string | number): string {
  return Buffer.from(`${kind}${id}`).toString("base64");
}

/** Every URL GitHub puts in its bodies, for one server address and owner. */
export class Urls {
  readonly api: string;

  constructor(
    readonly web: string,
    readonly owner: string,
  ) {
    // GitHub Enterprise serves REST under /api/v3 of the web host.
    this.api = `${web}/api/v3`;
  }

  repo(repo: string): string {
    return `${this.api}/repos/${this.owner}/${repo}`;
  }

  repoWeb(repo: string): string {
    return `${this.web}/${this.owner}/${repo}`;
  }
}

/** Path segments escaped, slashes kept: how GitHub writes file paths into URLs. */
function escapePath(filePath: string): string {
  return filePath.split("/").map(encodeURIComponent).join("/");
}

export function ownerUser(urls: Urls, id: number): JsonObject {
  const u = `${urls.api}/users/${urls.owner}`;
  return {
    login: urls.owner,
    id,
    node_id: nodeId("User", id),
    avatar_url: `${urls.web}/avatars/u/${id}`,
    gravatar_id: "",
    url: u,
    html_url: `${urls.web}/${urls.owner}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: "User",
    user_view_type: "public",
    site_admin: false,
  };
}

/** `private-user`: GET /user, the token's own account. */
export function authenticatedUser(urls: Urls, id: number, createdAt: string, ownedPrivateRepos: number, publicRepos: number): JsonObject {
  return {
    ...ownerUser(urls, id),
    user_view_type: "private",
    name: urls.owner,
    company: null,
    blog: "",
    location: null,
    email: null,
    notification_email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: createdAt,
    updated_at: createdAt,
    private_gists: 0,
    total_private_repos: ownedPrivateRepos,
    owned_private_repos: ownedPrivateRepos,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
  };
}

/** `full-repository`: GET /repos/{owner}/{repo}. */
export function fullRepository(urls: Urls, repo: StoredRepository, ownerId: number, defaultBranch: string, pushedAt: string | null): JsonObject {
  const r = urls.repo(repo.name);
  const web = urls.repoWeb(repo.name);
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: `${urls.owner}/${repo.name}`,
    owner: ownerUser(urls, ownerId),
    private: repo.private,
    html_url: web,
    description: null,
    fork: false,
    url: r,
    archive_url: `${r}/{archive_format}{/ref}`,
    assignees_url: `${r}/assignees{/user}`,
    blobs_url: `${r}/git/blobs{/sha}`,
    branches_url: `${r}/branches{/branch}`,
    collaborators_url: `${r}/collaborators{/collaborator}`,
    comments_url: `${r}/comments{/number}`,
    commits_url: `${r}/commits{/sha}`,
    compare_url: `${r}/compare/{base}...{head}`,
    contents_url: `${r}/contents/{+path}`,
    contributors_url: `${r}/contributors`,
    deployments_url: `${r}/deployments`,
    downloads_url: `${r}/downloads`,
    events_url: `${r}/events`,
    forks_url: `${r}/forks`,
    git_commits_url: `${r}/git/commits{/sha}`,
    git_refs_url: `${r}/git/refs{/sha}`,
    git_tags_url: `${r}/git/tags{/sha}`,
    git_url: `${web.replace(/^https?:/, "git:")}.git`,
    issue_comment_url: `${r}/issues/comments{/number}`,
    issue_events_url: `${r}/issues/events{/number}`,
    issues_url: `${r}/issues{/number}`,
    keys_url: `${r}/keys{/key_id}`,
    labels_url: `${r}/labels{/name}`,
    languages_url: `${r}/languages`,
    merges_url: `${r}/merges`,
    milestones_url: `${r}/milestones{/number}`,
    notifications_url: `${r}/notifications{?since,all,participating}`,
    pulls_url: `${r}/pulls{/number}`,
    releases_url: `${r}/releases{/id}`,
    ssh_url: `git@${new URL(urls.web).hostname}:${urls.owner}/${repo.name}.git`,
    stargazers_url: `${r}/stargazers`,
    statuses_url: `${r}/statuses/{sha}`,
    subscribers_url: `${r}/subscribers`,
    subscription_url: `${r}/subscription`,
    tags_url: `${r}/tags`,
    teams_url: `${r}/teams`,
    trees_url: `${r}/git/trees{/sha}`,
    clone_url: `${web}.git`,
    mirror_url: null,
    hooks_url: `${r}/hooks`,
    svn_url: web,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: defaultBranch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: pushedAt,
    created_at: repo.createdAt,
    updated_at: pushedAt ?? repo.createdAt,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    allow_merge_commit: true,
    allow_update_branch: false,
    allow_forking: true,
    web_commit_signoff_required: false,
    subscribers_count: 1,
    network_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    ...repo.settings,
  };
}

function gitPerson(p: Person): JsonObject {
  return { name: p.name, email: p.email, date: p.date };
}

/** Unsigned, as every commit the double makes or receives is treated. */
const UNSIGNED: JsonObject = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/** `commit`: an entry of GET /repos/{o}/{r}/commits, or (with files and stats) GET .../commits/{ref}. */
export function commitBody(urls: Urls, repo: string, c: CommitObject, accountFor: (p: Person) => JsonObject | null, files?: ChangedFile[]): JsonObject {
  const r = urls.repo(repo);
  const body: JsonObject = {
    url: `${r}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId("Commit", c.sha),
    html_url: `${urls.repoWeb(repo)}/commit/${c.sha}`,
    comments_url: `${r}/commits/${c.sha}/comments`,
    commit: {
      url: `${r}/git/commits/${c.sha}`,
      author: gitPerson(c.author),
      committer: gitPerson(c.committer),
      message: c.message.replace(/\n$/, ""),
      comment_count: 0,
      tree: { sha: c.tree, url: `${r}/git/trees/${c.tree}` },
      verification: UNSIGNED,
    },
    author: accountFor(c.author),
    committer: accountFor(c.committer),
    parents: c.parents.map((p) => ({ sha: p, url: `${r}/commits/${p}`, html_url: `${urls.repoWeb(repo)}/commit/${p}` })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    body.stats = { total: additions + deletions, additions, deletions };
    body.files = files.map((f) => ({
      sha: f.sha,
      filename: f.path,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${urls.repoWeb(repo)}/blob/${c.sha}/${escapePath(f.path)}`,
      raw_url: `${urls.repoWeb(repo)}/raw/${c.sha}/${escapePath(f.path)}`,
      contents_url: `${r}/contents/${escapePath(f.path)}?ref=${c.sha}`,
    }));
  }
  return body;
}

/** `branch-with-protection`: GET /repos/{o}/{r}/branches/{branch}; branches here are never protected. */
export function branchBody(urls: Urls, repo: string, name: string, head: JsonObject): JsonObject {
  const self = `${urls.repo(repo)}/branches/${encodeURIComponent(name)}`;
  return {
    name,
    commit: head,
    _links: { self, html: `${urls.repoWeb(repo)}/tree/${escapePath(name)}` },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
    protection_url: `${self}/protection`,
  };
}

/** `git-ref`: GET .../git/ref/{ref}, what the github_branch data source reads (Git.GetRef). */
export function refBody(urls: Urls, repo: string, ref: string, commitSha: string): JsonObject {
  const r = urls.repo(repo);
  return {
    ref,
    node_id: nodeId("Ref", `${repo}:${ref}`),
    url: `${r}/git/${escapePath(ref)}`,
    object: { sha: commitSha, type: "commit", url: `${r}/git/commits/${commitSha}` },
  };
}

/** `content-file` (with its content) or a `content-directory` entry (without): GET .../contents/{path}. */
export function contentBody(urls: Urls, repo: string, ref: string, entry: TreeEntry, content?: Buffer): JsonObject {
  const r = urls.repo(repo);
  const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : entry.mode === "120000" ? "symlink" : "file";
  const self = `${r}/contents/${escapePath(entry.path)}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = entry.type === "commit" ? null : `${r}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`;
  const htmlUrl = `${urls.repoWeb(repo)}/${entry.type === "tree" ? "tree" : "blob"}/${escapePath(ref)}/${escapePath(entry.path)}`;
  const body: JsonObject = {
    type,
    name: entry.path.split("/").pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    size: entry.size,
    url: self,
    html_url: htmlUrl,
    git_url: gitUrl,
    download_url: type === "file" ? `${urls.web}/raw/${urls.owner}/${repo}/${escapePath(ref)}/${escapePath(entry.path)}` : null,
    _links: { self, git: gitUrl, html: htmlUrl },
  };
  if (content !== undefined) {
    // GitHub stops inlining contents above 1 MB and says so with the encoding "none".
    const inline = content.length <= 1024 * 1024;
    body.content = inline ? githubBase64(content) : "";
    body.encoding = inline ? "base64" : "none";
  }
  return body;
}

/** `file-commit`: the answer to PUT and DELETE .../contents/{path}. */
export function fileCommitBody(urls: Urls, repo: string, content: JsonObject | null, c: CommitObject): JsonObject {
  const r = urls.repo(repo);
  return {
    content,
    commit: {
      sha: c.sha,
      node_id: nodeId("Commit", c.sha),
      url: `${r}/git/commits/${c.sha}`,
      html_url: `${urls.repoWeb(repo)}/commit/${c.sha}`,
      author: gitPerson(c.author),
      committer: gitPerson(c.committer),
      message: c.message.replace(/\n$/, ""),
      tree: { sha: c.tree, url: `${r}/git/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p, url: `${r}/git/commits/${p}`, html_url: `${urls.repoWeb(repo)}/commit/${p}` })),
      verification: UNSIGNED,
    },
  };
}

/** `hook`: the webhook endpoints' answers; the secret is never shown, only "********" as GitHub does. */
export function hookBody(urls: Urls, repo: string, h: StoredHook): JsonObject {
  const u = `${urls.repo(repo)}/hooks/${h.id}`;
  const config: JsonObject = { url: h.config.url, content_type: h.config.content_type, insecure_ssl: h.config.insecure_ssl };
  if (h.config.secret !== undefined) config.secret = "********";
  return {
    type: "Repository",
    id: h.id,
    name: "web",
    active: h.active,
    events: h.events,
    config,
    updated_at: h.updatedAt,
    created_at: h.createdAt,
    url: u,
    test_url: `${u}/test`,
    ping_url: `${u}/pings`,
    deliveries_url: `${u}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  };
}

/** A webhook `push` event's `repository`: GitHub's push payload keeps the repository's older shape. */
export function pushEventRepository(full: JsonObject, ownerEmail: string): JsonObject {
  const { permissions: _permissions, ...repository } = full;
  const owner = full.owner as JsonObject;
  const seconds = (v: Json | undefined): Json => (typeof v === "string" ? Math.floor(Date.parse(v) / 1000) : (v ?? null));
  return {
    ...repository,
    // There `url` is the web page, `created_at` and `pushed_at` are Unix seconds, the owner has a
    // name and an email, and `stargazers` and `master_branch` are still sent (octokit/webhooks'
    // payload examples of push; the OpenAPI `webhook-push` schema allows both date forms).
    owner: { name: owner.login, email: ownerEmail, ...owner },
    url: full.html_url,
    created_at: seconds(full.created_at),
    pushed_at: seconds(full.pushed_at),
    stargazers: full.stargazers_count,
    master_branch: full.default_branch,
  };
}

/** A `push` event's entry of `commits` (and its `head_commit`): the commit with the paths it changed. */
export function pushCommitBody(urls: Urls, repo: string, c: CommitObject, files: ChangedFile[], distinct: boolean, loginOf: (p: Person) => string | undefined): JsonObject {
  const person = (p: Person): JsonObject => {
    const username = loginOf(p);
    return { name: p.name, email: p.email, ...(username === undefined ? {} : { username }) };
  };
  const paths = (...statuses: ChangedFile["status"][]) => files.filter((f) => statuses.includes(f.status)).map((f) => f.path);
  return {
    id: c.sha,
    tree_id: c.tree,
    distinct,
    message: c.message.replace(/\n$/, ""),
    timestamp: c.author.date,
    url: `${urls.repoWeb(repo)}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    added: paths("added"),
    removed: paths("removed"),
    modified: paths("modified", "changed"),
  };
}

/** What one ref update was, as a `push` event tells it. */
export interface PushedRef {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  /** For a tag: the branch whose head it points at, if any; null otherwise. */
  baseRef: string | null;
  /** Whether the repository had a branch before this push (a new ref is then compared with it). */
  hadBranches: boolean;
  commits: JsonObject[];
  headCommit: JsonObject | null;
}

/** The web page comparing a ref's old and new commit, as GitHub links it in a push event. */
function compareUrl(urls: Urls, repo: string, p: PushedRef): string {
  const web = urls.repoWeb(repo);
  const short = (sha: string) => sha.slice(0, 12);
  if (p.created && !p.hadBranches) return `${web}/commit/${p.after}`;
  if (p.created) return `${web}/compare/${escapePath(p.ref.replace(/^refs\/(heads|tags)\//, ""))}`;
  return `${web}/compare/${short(p.before)}...${short(p.after)}`;
}

/** The `push` webhook event (`webhook-push`) for one ref a push moved. */
export function pushEventBody(urls: Urls, repo: string, p: PushedRef, repository: JsonObject, pusher: { name: string; email: string }, sender: JsonObject): JsonObject {
  return {
    ref: p.ref,
    before: p.before,
    after: p.after,
    repository,
    pusher,
    sender,
    created: p.created,
    deleted: p.deleted,
    forced: p.forced,
    base_ref: p.baseRef,
    compare: compareUrl(urls, repo, p),
    commits: p.commits,
    head_commit: p.headCommit,
  };
}
