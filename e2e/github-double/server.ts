// A GitHub Enterprise Server double for the end-to-end test: the REST endpoints that
// terraform-provider-github (under pulumi-github 6.15.x: upstream v6.13.0 on go-github v88) calls
// for github_repository_file (resource and data source) and github_repository_webhook, plus git's
// smart HTTP for the same repositories, so a real `git push` and a real `pulumi up` meet in one place.
//
// What the provider does, from its source (github/…, v6.13.0):
// - config.go getBaseURL: any host but github.com / *.ghe.com is GHES; NewRESTClient then joins
//   "api/v3/" to the base URL (a trailing "api/v3/" given in base_url is trimmed first), so
//   `http://127.0.0.1:PORT/` and `http://127.0.0.1:PORT/api/v3/` both reach /api/v3/ here.
// - provider.go configureProviderMeta: with `owner` set, GET /orgs/{owner} (a 404 is accepted: the
//   owner is then a user, as here); without it, GET /user for the login.
// - resource_github_repository_file.go Create: GET /repos/{o}/{r}; GET .../branches/{b} when a branch
//   is set (util_repo.go checkRepositoryBranchExists); GET .../contents/{path}?ref={b} (404 = absent);
//   PUT .../contents/{path} {message, content, branch, sha?, author?, committer?}; then Read.
// - Read: GET .../contents/{path}?ref={b}, takes `ref` back from the answer's `url` query; then
//   GET .../commits/{commit_sha} if known, else util_repo.go getFileCommit: GET .../commits?sha={ref}&path={path}
//   (following Link rel="next") and GET .../commits/{sha} for each until one lists the file not "removed".
// - Update: PUT .../contents/{path} with the state's blob sha; Delete: DELETE .../contents/{path}
//   {message, sha, branch}; util_diff.go diffRepository: GET /repos/{o}/{r} when `repository` changes.
// - data_source_github_repository_file.go: GET .../contents/{path}[?ref=], then getFileCommit as above.
// - data_source_github_branch.go: Git.GetRef of refs/heads/{b}: GET .../git/ref/heads/{b}; a 404 is
//   no error there, only an empty id (so a double lacking the route would look like "no branch").
// - resource_github_repository_webhook.go: POST .../hooks {name:"web", config, events, active};
//   GET .../hooks/{id} (with If-None-Match when an etag is in state: 304 is "unchanged");
//   PATCH .../hooks/{id}; DELETE .../hooks/{id}.
// - resource_github_repository.go (a program creating its ops repository): Create: POST /user/repos
//   (the owner is a user); Update: PATCH /repos/{o}/{r} (twice on create: visibility apart); Read: GET
//   /repos/{o}/{r}; Delete: DELETE /repos/{o}/{r}. A rename, a template or a fork are not served (501).
// Any other request is answered 501, naming its method and path: the e2e fails on every 501, so an
// endpoint missing here can never pass for a 404 of GitHub's.
//
// Webhook deliveries for pushes, as GitHub makes them: see deliveries.ts (and push-event.ts for the
// payload, post-receive.ts for how a push over git is seen).
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import {
  authenticatedUser,
  branchBody,
  commitBody,
  contentBody,
  errorBody,
  fileCommitBody,
  fullRepository,
  GHES_VERSION,
  hookBody,
  Json,
  JsonObject,
  ownerUser,
  refBody,
  REPOSITORY_SETTINGS,
  StoredHook,
  StoredRepository,
  Urls,
} from "./bodies";
import { Delivery, DeliveryFilter, WebhookDeliveries } from "./deliveries";
import { gitRequestOf, serveGitRequest } from "./git-smart-http";
import { BareRepository, NO_COMMIT, Person } from "./git-store";
import { PostReceiveHook } from "./post-receive";
import { pushEvent } from "./push-event";
import { combinedStatusBody, PullRequestAction, pullRequestBody, pullRequestEventBody, statusBody, StoredPullRequest, StoredStatus } from "./pull-request-bodies";

// Kept importable from here, where GitHubDouble uses them.
export type { Delivery, DeliveryFilter, DeliveryState } from "./deliveries";

type Hook = StoredHook;

interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

interface RequestCounts {
  reads: number;
  writes: number;
  /** Keyed "METHOD /template", e.g. "PUT /api/v3/repos/{owner}/{repo}/contents/{path}". */
  byRoute: Record<string, number>;
}

export interface GitHubDouble {
  /** The provider's `baseUrl`: http://127.0.0.1:PORT/ */
  apiUrl: string;
  /** Where git clones and pushes a repository: http://127.0.0.1:PORT/<owner>/<repo>.git */
  gitUrl(repo: string): string;
  createRepository(name: string, opts?: { defaultBranch?: string; private?: boolean; initialFiles?: Record<string, string> }): Promise<void>;
  /** The repositories served, including those a previous run left under the same root. */
  repositoryNames(): string[];
  /** Whether the repository is private (a missing one is not). */
  isPrivate(repo: string): boolean;
  /** Every request answered so far, oldest first. */
  requests: RecordedRequest[];
  /**
   * Every request answered 501 since the double started (not cleared by resetCounts): each is an endpoint
   * missing here. A webhook delivery the double cannot make as GitHub would (a content type other than
   * json) is listed too, as POST to the hook's URL.
   */
  unimplemented: RecordedRequest[];
  counts(): RequestCounts;
  resetCounts(): void;
  /** The repository's webhooks as stored, secrets included (GitHub shows them masked). */
  hooks(repo: string): Hook[];
  /** The bare repository behind `repo`, to read with git directly. */
  gitDir(repo: string): string;
  /** Replaces the tokens accepted: a rotation accepts old and new for a while, then only the new. */
  acceptTokens(tokens: string[]): void;
  /** Every webhook delivery so far, those under way included, oldest first. */
  deliveries(): Delivery[];
  /**
   * Resolves with the first `count` finished deliveries matching `filter` (all deliveries if none) as
   * soon as there are that many; rejects after `timeoutMs` naming those there are. A push's deliveries
   * are listed (pending) before its `git push` returns, so awaiting after the push misses none.
   */
  awaitDeliveries(count: number, timeoutMs: number, filter?: DeliveryFilter): Promise<Delivery[]>;
  /**
   * TEST ONLY, no GitHub behaviour: sends a delivery's payload again to its hook (same GUID, as GitHub's
   * redelivery keeps it) signed with `signatureSecret` instead of the hook's secret, or unsigned if it
   * is null, so a test can see a receiver refuse it. Resolves once the receiver has answered.
   */
  testOnlyRedeliver(deliveryId: number, opts: { signatureSecret: string | null }): Promise<Delivery>;
  /** Stops serving; deliveries still under way are cut off and recorded as failed. */
  close(): Promise<void>;
}

interface GitHubDoubleOptions {
  /** Folder holding the bare repositories (`<owner>/<repo>.git`), the double's own state file and its git hooks. */
  root: string;
  /** The one token the API (as `token T` or `Bearer T`) and git (as Basic password) accept. */
  token: string;
  /** The user account that owns every repository. */
  owner: string;
  port?: number;
  /** Where clients reach it, e.g. through a TLS front; the URLs in its answers use it. Default http://127.0.0.1:PORT. */
  publicUrl?: string;
  /**
   * A CA certificate in PEM (a file's path, or its content) that webhook deliveries to https URLs trust
   * besides the public roots, as a GHES appliance trusts the CAs its administrator adds. Default: the
   * public roots alone. A hook whose config.insecure_ssl is "1" is delivered without verification.
   */
  webhookCa?: string | Buffer;
}

/** Repositories' numbers, webhooks and the owner's account, kept beside the repositories. */
interface State {
  ownerId: number;
  createdAt: string;
  nextId: number;
  repositories: Record<string, StoredRepository>;
  hooks: Record<string, StoredHook[]>;
  /** Pull requests and commit statuses by base repository; absent in a state file from before they were served. */
  pulls?: Record<string, StoredPullRequest[]>;
  statuses?: Record<string, StoredStatus[]>;
}

const STATE_FILE = "github-double.json";
const CONTENTS_DOCS = "/repos/contents";
const HOOKS_DOCS = "/repos/webhooks";
const REPOS_DOCS = "/repos/repos";
const STATUSES_DOCS = "/commits/statuses";
const PULLS_DOCS = "/pulls/pulls";
/** The states a commit status may have (POST .../statuses/{sha}, `state`). */
const STATUS_STATES = ["error", "failure", "pending", "success"] as const;
/** The post-receive hook's folder under the root: a dot, so no GitHub login (an owner's folder) is named so. */
const HOOKS_DIR = "github-double.hooks";

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A failure answered as GitHub answers it. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: JsonObject = errorBody(status, message),
  ) {
    super(message);
  }
}

function notFound(docs = ""): ApiError {
  return new ApiError(404, "Not Found", errorBody(404, "Not Found", docs));
}

/** A name GitHub takes for a repository (and the double can serve over git as `<name>.git`). */
function isRepositoryName(name: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(name) && !name.endsWith(".git");
}

/** What the double does not serve: never a 404, which the provider would read as "absent". */
function notImplemented(method: string, pathname: string): ApiError {
  const message = `The GitHub double does not implement ${method} ${pathname}`;
  return new ApiError(501, message, { message, documentation_url: "https://docs.github.com/rest" });
}

/** GitHub's 422 for a missing or malformed request field. */
function invalid(detail: string, docs = ""): ApiError {
  const message = `Invalid request.\n\n${detail}`;
  return new ApiError(422, message, errorBody(422, message, docs));
}

interface Answer {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

interface Route {
  method: string;
  /** "/api/v3/repos/{owner}/{repo}/contents/{path}": the key requests are counted under. */
  template: string;
  pattern: RegExp;
  handle(params: string[], url: URL, body: () => Promise<JsonObject>): Promise<Answer>;
}

export async function startGitHubDouble(opts: GitHubDoubleOptions): Promise<GitHubDouble> {
  const { root, token, owner } = opts;
  let accepted = new Set([token]);
  fs.mkdirSync(root, { recursive: true });
  const stateFile = path.join(root, STATE_FILE);
  const state: State = fs.existsSync(stateFile)
    ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as State)
    : { ownerId: 1, createdAt: now(), nextId: 100, repositories: {}, hooks: {} };
  const saveState = () => {
    // Written whole and renamed into place, so a reader never sees half a file.
    fs.writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    fs.renameSync(`${stateFile}.tmp`, stateFile);
  };
  saveState();

  const requests: RecordedRequest[] = [];
  const unimplemented: RecordedRequest[] = [];
  let byRoute: Record<string, number> = {};
  let reads = 0;
  let writes = 0;
  let urls = new Urls("http://127.0.0.1", owner);

  const defaultIdentity = (): Person => ({ name: owner, email: `${owner}@users.noreply.example.com`, date: now() });
  const accountFor = (p: Person): JsonObject | null => (p.name === owner || p.email === defaultIdentity().email ? ownerUser(urls, state.ownerId) : null);

  // API writes to one repository happen one at a time, as GitHub serialises commits to a branch;
  // pushes are not behind this lock, which is why commits are made compare-and-swap.
  const locks = new Map<string, Promise<unknown>>();
  function exclusive<T>(repo: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(repo) ?? Promise.resolve();
    const next = previous.then(work, work);
    locks.set(repo, next.catch(() => undefined));
    return next;
  }

  const gitDirOf = (repo: string) => path.join(root, owner, `${repo}.git`);

  function repository(ownerParam: string, repo: string): { stored: StoredRepository; git: BareRepository } {
    const stored = ownerParam.toLowerCase() === owner.toLowerCase() ? state.repositories[repo] : undefined;
    if (!stored) throw notFound("/repos/repos#get-a-repository");
    return { stored, git: new BareRepository(gitDirOf(repo)) };
  }

  async function commitJson(repo: string, git: BareRepository, sha: string, withFiles: boolean): Promise<JsonObject> {
    const c = await git.commit(sha);
    return commitBody(urls, repo, c, accountFor, withFiles ? await git.changes(c) : undefined);
  }

  /** `committer`/`author` objects of a contents request; GitHub fills what is missing from the other and the token's user. */
  function identities(body: JsonObject): { author: Person; committer: Person } {
    const person = (v: Json | undefined, field: string): Person | undefined => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "object" || Array.isArray(v) || typeof v.name !== "string" || typeof v.email !== "string") {
        throw invalid(`"${field}" needs a "name" and an "email".`, CONTENTS_DOCS);
      }
      const date = typeof v.date === "string" && !Number.isNaN(Date.parse(v.date)) ? new Date(v.date).toISOString().replace(/\.\d{3}Z$/, "Z") : now();
      return { name: v.name, email: v.email, date };
    };
    const committer = person(body.committer, "committer") ?? person(body.author, "author") ?? defaultIdentity();
    const author = person(body.author, "author") ?? committer;
    return { author, committer };
  }

  function requiredString(body: JsonObject, field: string): string {
    const v = body[field];
    if (typeof v !== "string") throw invalid(`"${field}" wasn't supplied.`, CONTENTS_DOCS);
    return v;
  }

  function filePathOf(raw: string): string {
    return raw
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent)
      .join("/");
  }

  /** PUT and DELETE of contents: one commit on the branch, refused on a stale or missing blob sha. */
  async function writeContents(ownerParam: string, repo: string, rawPath: string, body: JsonObject, remove: boolean): Promise<Answer> {
    const { git } = repository(ownerParam, repo);
    const filePath = filePathOf(rawPath);
    if (filePath === "") throw notFound(CONTENTS_DOCS);
    const message = requiredString(body, "message");
    let content: Buffer | undefined;
    if (!remove) {
      const encoded = requiredString(body, "content");
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(encoded)) throw invalid(`"content" is not valid Base64.`, CONTENTS_DOCS);
      content = Buffer.from(encoded, "base64");
    }
    const sha = typeof body.sha === "string" ? body.sha : undefined;
    if (remove && sha === undefined) throw invalid(`"sha" wasn't supplied.`, CONTENTS_DOCS);
    const { author, committer } = identities(body);
    return exclusive(repo, async () => {
      const defaultBranch = await git.defaultBranch();
      const branch = typeof body.branch === "string" && body.branch !== "" ? body.branch : defaultBranch;
      // A push may move the branch between our read and our ref update; then read again and redo.
      for (let attempt = 0; attempt < 5; attempt++) {
        const head = await git.branchHead(branch);
        if (!head && !(branch === defaultBranch && !remove && (await git.isEmpty()))) {
          throw new ApiError(404, `Branch ${branch} not found`, errorBody(404, `Branch ${branch} not found`, CONTENTS_DOCS));
        }
        const existing = head ? await git.entry(head, filePath) : undefined;
        if (existing && existing.type !== "blob") throw invalid(`"path" is a ${existing.type === "tree" ? "directory" : "submodule"}, not a file.`, CONTENTS_DOCS);
        if (remove && !existing) throw notFound(CONTENTS_DOCS);
        if (existing && sha === undefined) throw invalid(`"sha" wasn't supplied.`, CONTENTS_DOCS);
        if (sha !== undefined && sha !== existing?.sha) {
          throw new ApiError(409, `${filePath} does not match ${sha}`, errorBody(409, `${filePath} does not match ${sha}`, CONTENTS_DOCS));
        }
        const made = await git.commitChanges({ branch, parent: head, files: new Map([[filePath, content]]), message, author, committer });
        if (!made) continue;
        // A commit made through the API is a push to its branch for webhooks too, as on GitHub.
        pushed(repo, [{ ref: `refs/heads/${branch}`, before: head ?? NO_COMMIT, after: made.commit.sha }]);
        if (remove || content === undefined) return { status: 200, body: fileCommitBody(urls, repo, null, made.commit) };
        const written = { mode: existing?.mode ?? "100644", type: "blob" as const, sha: made.blobs.get(filePath) ?? "", size: content.length, path: filePath };
        return { status: existing ? 200 : 201, body: fileCommitBody(urls, repo, contentBody(urls, repo, branch, written), made.commit) };
      }
      throw new ApiError(409, `refs/heads/${branch} kept moving; try again`, errorBody(409, `refs/heads/${branch} kept moving; try again`, CONTENTS_DOCS));
    });
  }

  function hookInput(body: JsonObject, previous?: StoredHook): StoredHook {
    const errors: Json[] = [];
    const config = body.config;
    if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) {
      throw new ApiError(422, "Invalid request.\n\nFor 'properties/config', not an object.");
    }
    const c = config ?? {};
    const str = (v: Json | undefined) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
    const url = str(c.url) ?? previous?.config.url;
    if (!url) errors.push({ resource: "Hook", code: "custom", message: "Config must contain URL for webhooks" });
    if (body.name !== undefined && body.name !== "web") errors.push({ resource: "Hook", code: "invalid", field: "name" });
    const events = Array.isArray(body.events) ? body.events.filter((e): e is string => typeof e === "string") : previous?.events ?? ["push"];
    const add = Array.isArray(body.add_events) ? body.add_events.filter((e): e is string => typeof e === "string") : [];
    const drop = Array.isArray(body.remove_events) ? body.remove_events.filter((e): e is string => typeof e === "string") : [];
    if (errors.length > 0) {
      throw new ApiError(422, "Validation Failed", { ...errorBody(422, "Validation Failed", HOOKS_DOCS), errors });
    }
    const secret = str(c.secret) ?? previous?.config.secret;
    const stamp = now();
    return {
      id: previous?.id ?? state.nextId++,
      active: typeof body.active === "boolean" ? body.active : previous?.active ?? true,
      events: [...new Set([...events, ...add])].filter((e) => !drop.includes(e)),
      config: {
        url: url ?? "",
        content_type: str(c.content_type) ?? previous?.config.content_type ?? "form",
        insecure_ssl: str(c.insecure_ssl) ?? previous?.config.insecure_ssl ?? "0",
        // An empty secret is no secret, as on GitHub.
        ...(secret ? { secret } : {}),
      },
      createdAt: previous?.createdAt ?? stamp,
      updatedAt: stamp,
    };
  }

  function storedHook(repo: string, rawId: string): StoredHook {
    const hook = (state.hooks[repo] ?? []).find((h) => String(h.id) === rawId);
    if (!hook) throw notFound(HOOKS_DOCS);
    return hook;
  }

  /** A new repository: a bare git repository (with a first commit when files are given) and its record. */
  async function makeRepository(name: string, opts: { defaultBranch?: string; private?: boolean; initialFiles?: Record<string, string>; settings?: JsonObject }): Promise<StoredRepository> {
    const git = await BareRepository.create(gitDirOf(name), opts.defaultBranch ?? "main");
    const files = Object.entries(opts.initialFiles ?? {});
    if (files.length > 0) {
      const who = defaultIdentity();
      const created = await git.commitChanges({
        branch: await git.defaultBranch(),
        parent: undefined,
        files: new Map(files.map(([p, c]) => [p, Buffer.from(c, "utf8")])),
        message: "Initial commit",
        author: who,
        committer: who,
      });
      if (!created) throw new Error(`could not make the first commit of ${owner}/${name}`);
    }
    const stored: StoredRepository = { id: state.nextId++, name, private: opts.private ?? false, createdAt: now(), ...(opts.settings ? { settings: opts.settings } : {}) };
    state.repositories[name] = stored;
    saveState();
    return stored;
  }

  /** The settings a create or edit body sets, and its visibility (`visibility` wins over `private`). */
  function repositoryInput(body: JsonObject, previous?: StoredRepository): { private: boolean; settings: JsonObject } {
    const visibility = body.visibility;
    if (visibility !== undefined && visibility !== "public" && visibility !== "private") {
      throw new ApiError(422, "Validation Failed", { ...errorBody(422, "Validation Failed", REPOS_DOCS), errors: [{ resource: "Repository", code: "invalid", field: "visibility" }] });
    }
    const isPrivate = visibility !== undefined ? visibility === "private" : typeof body.private === "boolean" ? body.private : (previous?.private ?? false);
    const settings: JsonObject = { ...previous?.settings };
    for (const key of REPOSITORY_SETTINGS) if (body[key] !== undefined) settings[key] = body[key];
    return { private: isPrivate, settings };
  }

  async function repositoryJson(stored: StoredRepository): Promise<JsonObject> {
    const git = new BareRepository(gitDirOf(stored.name));
    return fullRepository(urls, stored, state.ownerId, await git.defaultBranch(), (await git.lastCommitDate()) ?? null);
  }

  // Webhook deliveries. GitHub delivers after it has answered the push, one event per ref moved, to
  // each active hook subscribed to the event, signed with the hook's secret; see deliveries.ts.
  const postReceive = PostReceiveHook.install(path.join(root, HOOKS_DIR));
  const loginOf = (p: Person): string | undefined => {
    const login = accountFor(p)?.login;
    return typeof login === "string" ? login : undefined;
  };
  const deliveries = new WebhookDeliveries({
    webhookCa: opts.webhookCa,
    owner,
    hooksOf: (repo) => state.hooks[repo] ?? [],
    repositoryId: (repo) => state.repositories[repo]?.id,
    host: () => new URL(urls.web).hostname,
    async pushEvent(repo, update, all) {
      const stored = state.repositories[repo];
      if (!stored) throw new Error(`repository ${owner}/${repo} is gone`);
      const git = new BareRepository(gitDirOf(repo));
      return pushEvent({ urls, git, repository: stored, ownerId: state.ownerId, pusher: { name: owner, email: defaultIdentity().email }, pushedAt: now(), loginOf }, update, all);
    },
    unimplemented: (request) => unimplemented.push(request),
  });

  // Pull requests (POST, GET and PATCH of .../pulls) and commit statuses, as GitHub keeps them: a pull
  // request's head is `refs/pull/<n>/head` of its base repository, moved by each push to its head branch
  // (a `synchronize` event); opening, closing and reopening send their own `pull_request` events.
  const pulls = (repo: string): StoredPullRequest[] => ((state.pulls ??= {})[repo] ??= []);
  const pullJson = async (pr: StoredPullRequest): Promise<JsonObject> => {
    const repoJson = async (name: string) => {
      const stored = state.repositories[name];
      if (!stored) throw notFound(PULLS_DOCS);
      return repositoryJson(stored);
    };
    return pullRequestBody(urls, pr, { base: await repoJson(pr.base.repo), head: await repoJson(pr.head.repo) }, ownerUser(urls, state.ownerId));
  };
  const pullRequestEvent = (pr: StoredPullRequest, action: PullRequestAction, before: string) =>
    deliveries.pullRequest(pr.base.repo, { action, number: pr.number, before, after: pr.head.sha }, async () => {
      const stored = state.repositories[pr.base.repo];
      if (!stored) throw new Error(`repository ${owner}/${pr.base.repo} is gone`);
      return pullRequestEventBody(action, await pullJson(pr), pushEventRepositoryOf(await repositoryJson(stored)), ownerUser(urls, state.ownerId), before);
    });
  const pushEventRepositoryOf = (full: JsonObject): JsonObject => {
    const { permissions: _permissions, ...repository } = full;
    return repository;
  };
  /** A pull request's head into its base repository, as refs/pull/<n>/head. */
  const headRef = (pr: StoredPullRequest) => new BareRepository(gitDirOf(pr.base.repo)).fetchRef(gitDirOf(pr.head.repo), pr.head.sha, `refs/pull/${pr.number}/head`);
  /** What a push (over git or by the contents API) sends: its push events, and `synchronize` for each open pull request it moved. */
  function pushed(repo: string, updates: { ref: string; before: string; after: string }[]): void {
    deliveries.pushed(repo, updates);
    for (const base of Object.keys(state.pulls ?? {})) {
      for (const pr of pulls(base)) {
        const moved = updates.find((u) => pr.state === "open" && pr.head.repo === repo && u.ref === `refs/heads/${pr.head.ref}` && u.after !== NO_COMMIT);
        if (!moved) continue;
        const before = pr.head.sha;
        pr.head.sha = moved.after;
        pr.updatedAt = now();
        saveState();
        void headRef(pr).then(() => pullRequestEvent(pr, "synchronize", before));
      }
    }
  }
  function pullByNumber(repo: string, raw: string): StoredPullRequest {
    const pr = pulls(repo).find((p) => String(p.number) === raw);
    if (!pr) throw notFound(PULLS_DOCS);
    return pr;
  }

  const O = "([^/]+)";
  const routes: Route[] = [
    {
      method: "POST",
      template: "/api/v3/repos/{owner}/{repo}/statuses/{sha}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/statuses/([0-9a-fA-F]+)$`),
      handle: async ([o, r, sha], _url, body) => {
        const { git } = repository(o, r);
        const b = await body();
        if (typeof b.state !== "string" || !(STATUS_STATES as readonly string[]).includes(b.state)) {
          throw new ApiError(422, "Validation Failed", { ...errorBody(422, "Validation Failed", STATUSES_DOCS), errors: [{ resource: "Status", code: "custom", field: "state", message: `state is not included in the list` }] });
        }
        const commit = await git.resolveCommitish(sha);
        if (!commit || commit !== sha.toLowerCase()) throw new ApiError(422, `No commit found for SHA: ${sha}`, errorBody(422, `No commit found for SHA: ${sha}`, STATUSES_DOCS));
        const text = (v: Json | undefined): string | null => (typeof v === "string" ? v : null);
        const stored: StoredStatus = {
          id: state.nextId++,
          sha: commit,
          state: b.state as StoredStatus["state"],
          context: typeof b.context === "string" && b.context !== "" ? b.context : "default",
          description: text(b.description),
          targetUrl: text(b.target_url),
          createdAt: now(),
        };
        ((state.statuses ??= {})[r] ??= []).push(stored);
        saveState();
        return { status: 201, body: statusBody(urls, r, stored, ownerUser(urls, state.ownerId)), headers: { Location: `${urls.repo(r)}/statuses/${commit}` } };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/commits/{ref}/statuses",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/commits/(.+)/statuses$`),
      handle: async ([o, r, rawRef]) => {
        const { git } = repository(o, r);
        const sha = await git.resolveCommitish(decodeURIComponent(rawRef));
        const mine = (state.statuses?.[r] ?? []).filter((s) => s.sha === sha).sort((a, b) => b.id - a.id);
        return { status: 200, body: mine.map((s) => statusBody(urls, r, s, ownerUser(urls, state.ownerId))) };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/commits/{ref}/status",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/commits/(.+)/status$`),
      handle: async ([o, r, rawRef]) => {
        const { stored, git } = repository(o, r);
        const ref = decodeURIComponent(rawRef);
        const sha = await git.resolveCommitish(ref);
        if (!sha) throw new ApiError(422, `No commit found for SHA: ${ref}`, errorBody(422, `No commit found for SHA: ${ref}`, STATUSES_DOCS));
        const mine = (state.statuses?.[r] ?? []).filter((s) => s.sha === sha);
        return { status: 200, body: combinedStatusBody(urls, r, sha, mine, await repositoryJson(stored)) };
      },
    },
    {
      method: "POST",
      template: "/api/v3/repos/{owner}/{repo}/pulls",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/pulls$`),
      handle: async ([o, r], _url, body) => {
        const { git } = repository(o, r);
        const b = await body();
        for (const field of ["title", "head", "base"]) if (typeof b[field] !== "string" || b[field] === "") throw invalid(`"${field}" wasn't supplied.`, PULLS_DOCS);
        // `head_repo`: the head's repository when it is another of the same owner (GitHub's cross-repository pull request).
        const headRepo = typeof b.head_repo === "string" ? b.head_repo : r;
        const headBranch = String(b.head).replace(new RegExp(`^${owner}:`, "i"), "");
        if (headBranch.includes(":")) throw notImplemented("POST", `/repos/${o}/${r}/pulls from another owner's repository`);
        if (!state.repositories[headRepo]) throw invalid(`head_repo ${headRepo} is not a repository`, PULLS_DOCS);
        const headSha = await new BareRepository(gitDirOf(headRepo)).branchHead(headBranch);
        const baseSha = await git.branchHead(String(b.base));
        if (!headSha || !baseSha) {
          throw new ApiError(422, "Validation Failed", { ...errorBody(422, "Validation Failed", PULLS_DOCS), errors: [{ resource: "PullRequest", code: "invalid", field: headSha ? "base" : "head" }] });
        }
        const stamp = now();
        const pr: StoredPullRequest = {
          id: state.nextId++,
          number: Math.max(0, ...Object.values(state.pulls ?? {}).flat().filter((p) => p.base.repo === r).map((p) => p.number)) + 1,
          title: String(b.title),
          base: { repo: r, ref: String(b.base), sha: baseSha },
          head: { repo: headRepo, ref: headBranch, sha: headSha },
          state: "open",
          createdAt: stamp,
          updatedAt: stamp,
          closedAt: null,
        };
        pulls(r).push(pr);
        saveState();
        await headRef(pr);
        pullRequestEvent(pr, "opened", pr.head.sha);
        return { status: 201, body: await pullJson(pr), headers: { Location: `${urls.repo(r)}/pulls/${pr.number}` } };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/pulls/{pull_number}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/pulls/(\\d+)$`),
      handle: async ([o, r, n]) => {
        repository(o, r);
        return { status: 200, body: await pullJson(pullByNumber(r, n)) };
      },
    },
    {
      method: "PATCH",
      template: "/api/v3/repos/{owner}/{repo}/pulls/{pull_number}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/pulls/(\\d+)$`),
      handle: async ([o, r, n], url, body) => {
        repository(o, r);
        const pr = pullByNumber(r, n);
        const b = await body();
        for (const unserved of ["title", "body", "base", "maintainer_can_modify"]) if (b[unserved] !== undefined) throw notImplemented("PATCH", `${url.pathname} with ${unserved}`);
        if (b.state !== undefined && b.state !== "open" && b.state !== "closed") throw invalid(`"state" must be open or closed.`, PULLS_DOCS);
        if (b.state !== undefined && b.state !== pr.state) {
          pr.state = b.state as StoredPullRequest["state"];
          pr.updatedAt = now();
          pr.closedAt = pr.state === "closed" ? pr.updatedAt : null;
          saveState();
          pullRequestEvent(pr, pr.state === "closed" ? "closed" : "reopened", pr.head.sha);
        }
        return { status: 200, body: await pullJson(pr) };
      },
    },
    {
      method: "POST",
      template: "/api/v3/user/repos",
      pattern: /^\/api\/v3\/user\/repos$/,
      handle: async (_params, url, body) => {
        const b = await body();
        if (typeof b.name !== "string" || b.name === "") throw invalid(`"name" wasn't supplied.`, REPOS_DOCS);
        for (const unserved of ["template_repository", "team_id"]) if (b[unserved] !== undefined) throw notImplemented("POST", `${url.pathname} with ${unserved}`);
        if (!isRepositoryName(b.name)) throw invalid(`"name" is not a repository name.`, REPOS_DOCS);
        if (state.repositories[b.name]) {
          const errors: Json[] = [{ resource: "Repository", code: "custom", field: "name", message: "name already exists on this account" }];
          throw new ApiError(422, "Repository creation failed.", { ...errorBody(422, "Repository creation failed.", REPOS_DOCS), errors });
        }
        const { private: isPrivate, settings } = repositoryInput(b);
        // auto_init: GitHub's first commit, a README on the default branch.
        const stored = await makeRepository(b.name, { private: isPrivate, settings, initialFiles: b.auto_init === true ? { "README.md": `# ${b.name}\n` } : undefined });
        return { status: 201, body: await repositoryJson(stored), headers: { Location: urls.repo(stored.name) } };
      },
    },
    {
      method: "PATCH",
      template: "/api/v3/repos/{owner}/{repo}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}$`),
      handle: async ([o, r], url, body) => {
        const { stored } = repository(o, r);
        const b = await body();
        if (typeof b.name === "string" && b.name !== r) throw notImplemented("PATCH", `${url.pathname} renaming to ${b.name}`);
        if (b.default_branch !== undefined) throw notImplemented("PATCH", `${url.pathname} with default_branch`);
        const { private: isPrivate, settings } = repositoryInput(b, stored);
        Object.assign(stored, { private: isPrivate, settings });
        saveState();
        return { status: 200, body: await repositoryJson(stored) };
      },
    },
    {
      method: "DELETE",
      template: "/api/v3/repos/{owner}/{repo}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}$`),
      handle: async ([o, r]) => {
        repository(o, r);
        delete state.repositories[r];
        delete state.hooks[r];
        saveState();
        fs.rmSync(gitDirOf(r), { recursive: true, force: true });
        return { status: 204 };
      },
    },
    {
      method: "GET",
      template: "/api/v3/user",
      pattern: /^\/api\/v3\/user$/,
      handle: async () => {
        const repos = Object.values(state.repositories);
        const privateCount = repos.filter((r) => r.private).length;
        return { status: 200, body: authenticatedUser(urls, state.ownerId, state.createdAt, privateCount, repos.length - privateCount) };
      },
    },
    {
      method: "GET",
      template: "/api/v3/users/{username}",
      pattern: new RegExp(`^/api/v3/users/${O}$`),
      handle: async ([username]) => {
        if (username.toLowerCase() !== owner.toLowerCase()) throw notFound("/users/users#get-a-user");
        const { two_factor_authentication: _, ...rest } = authenticatedUser(urls, state.ownerId, state.createdAt, 0, Object.keys(state.repositories).length);
        return { status: 200, body: { ...rest, user_view_type: "public" } };
      },
    },
    {
      // The owner is a user account, so the provider's organization look-up finds nothing, as on GitHub.
      method: "GET",
      template: "/api/v3/orgs/{org}",
      pattern: new RegExp(`^/api/v3/orgs/${O}$`),
      handle: async () => {
        throw notFound("/orgs/orgs#get-an-organization");
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}$`),
      handle: async ([o, r]) => ({ status: 200, body: await repositoryJson(repository(o, r).stored) }),
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/branches/{branch}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/branches/(.+)$`),
      handle: async ([o, r, rawBranch]) => {
        const { git } = repository(o, r);
        const branch = decodeURIComponent(rawBranch);
        const head = await git.branchHead(branch);
        if (!head) throw new ApiError(404, "Branch not found", errorBody(404, "Branch not found", "/branches/branches#get-a-branch"));
        return { status: 200, body: branchBody(urls, r, branch, await commitJson(r, git, head, false)) };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/git/ref/{ref}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/git/ref/(.+)$`),
      handle: async ([o, r, rawRef], url) => {
        const { git } = repository(o, r);
        const ref = filePathOf(rawRef);
        // Only branches are read by the provider's code the program runs; tags would be a new endpoint here.
        if (!ref.startsWith("heads/")) throw notImplemented("GET", url.pathname);
        const head = await git.branchHead(ref.slice("heads/".length));
        if (!head) throw notFound("/git/refs#get-a-reference");
        return { status: 200, body: refBody(urls, r, `refs/${ref}`, head) };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/contents/{path}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/contents(?:/(.*))?$`),
      handle: async ([o, r, rawPath], url) => {
        const { git } = repository(o, r);
        // The answer's `url` carries the ref asked for, or the default branch: the provider reads it back.
        const ref = url.searchParams.get("ref") || (await git.defaultBranch());
        const commit = await git.resolveCommitish(ref);
        if (!commit && (await git.isEmpty())) throw new ApiError(404, "This repository is empty.", errorBody(404, "This repository is empty.", CONTENTS_DOCS));
        if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`, errorBody(404, `No commit found for the ref ${ref}`, CONTENTS_DOCS));
        const filePath = filePathOf(rawPath ?? "");
        const entry = await git.entry(commit, filePath);
        if (!entry) throw notFound(CONTENTS_DOCS);
        if (entry.type === "tree") {
          const entries = await git.directory(commit, filePath);
          return { status: 200, body: entries.map((e) => contentBody(urls, r, ref, e)) };
        }
        const content = entry.type === "blob" ? await git.blob(entry.sha) : undefined;
        return { status: 200, body: contentBody(urls, r, ref, entry, content) };
      },
    },
    {
      method: "PUT",
      template: "/api/v3/repos/{owner}/{repo}/contents/{path}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/contents/(.+)$`),
      handle: async ([o, r, rawPath], _url, body) => writeContents(o, r, rawPath, await body(), false),
    },
    {
      method: "DELETE",
      template: "/api/v3/repos/{owner}/{repo}/contents/{path}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/contents/(.+)$`),
      handle: async ([o, r, rawPath], _url, body) => writeContents(o, r, rawPath, await body(), true),
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/commits",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/commits$`),
      handle: async ([o, r], url) => {
        const { git } = repository(o, r);
        if (await git.isEmpty()) throw new ApiError(409, "Git Repository is empty.", errorBody(409, "Git Repository is empty.", "/commits/commits#list-commits"));
        const from = url.searchParams.get("sha") || (await git.defaultBranch());
        const start = await git.resolveCommitish(from);
        if (!start) throw notFound("/commits/commits#list-commits");
        const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get("per_page")) || 30));
        const page = Math.max(1, Number(url.searchParams.get("page")) || 1);
        const filePath = url.searchParams.get("path") ? filePathOf(url.searchParams.get("path") ?? "") : undefined;
        const { shas, total } = await git.history(start, filePath, (page - 1) * perPage, perPage);
        const body: Json[] = (await git.commits(shas)).map((c) => commitBody(urls, r, c, accountFor));
        const headers: Record<string, string> = {};
        const last = Math.max(1, Math.ceil(total / perPage));
        if (page < last) {
          // go-github follows rel="next" (Response.NextPage), as getFileCommit does.
          const link = (p: number) => {
            const u = new URL(url.toString());
            u.searchParams.set("page", String(p));
            return `<${urls.web}${u.pathname}${u.search}>`;
          };
          headers.Link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
        }
        return { status: 200, body, headers };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/commits/{ref}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/commits/(.+)$`),
      handle: async ([o, r, rawRef]) => {
        const { git } = repository(o, r);
        const ref = decodeURIComponent(rawRef);
        const sha = await git.resolveCommitish(ref);
        if (!sha) throw new ApiError(422, `No commit found for SHA: ${ref}`, errorBody(422, `No commit found for SHA: ${ref}`, "/commits/commits#get-a-commit"));
        return { status: 200, body: await commitJson(r, git, sha, true) };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/hooks",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/hooks$`),
      handle: async ([o, r]) => {
        repository(o, r);
        return { status: 200, body: (state.hooks[r] ?? []).map((h) => hookBody(urls, r, h)) };
      },
    },
    {
      method: "POST",
      template: "/api/v3/repos/{owner}/{repo}/hooks",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/hooks$`),
      handle: async ([o, r], _url, body) => {
        repository(o, r);
        const hook = hookInput(await body());
        const hooks = (state.hooks[r] ??= []);
        if (hooks.some((h) => h.config.url === hook.config.url)) {
          const errors: Json[] = [{ resource: "Hook", code: "custom", message: "Hook already exists on this repository" }];
          throw new ApiError(422, "Validation Failed", { ...errorBody(422, "Validation Failed", HOOKS_DOCS), errors });
        }
        hooks.push(hook);
        saveState();
        return { status: 201, body: hookBody(urls, r, hook), headers: { Location: `${urls.repo(r)}/hooks/${hook.id}` } };
      },
    },
    {
      method: "GET",
      template: "/api/v3/repos/{owner}/{repo}/hooks/{hook_id}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/hooks/${O}$`),
      handle: async ([o, r, id]) => {
        repository(o, r);
        return { status: 200, body: hookBody(urls, r, storedHook(r, id)) };
      },
    },
    {
      method: "PATCH",
      template: "/api/v3/repos/{owner}/{repo}/hooks/{hook_id}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/hooks/${O}$`),
      handle: async ([o, r, id], _url, body) => {
        repository(o, r);
        const previous = storedHook(r, id);
        const hook = hookInput(await body(), previous);
        state.hooks[r] = (state.hooks[r] ?? []).map((h) => (h.id === previous.id ? hook : h));
        saveState();
        return { status: 200, body: hookBody(urls, r, hook) };
      },
    },
    {
      method: "DELETE",
      template: "/api/v3/repos/{owner}/{repo}/hooks/{hook_id}",
      pattern: new RegExp(`^/api/v3/repos/${O}/${O}/hooks/${O}$`),
      handle: async ([o, r, id]) => {
        repository(o, r);
        const hook = storedHook(r, id);
        state.hooks[r] = (state.hooks[r] ?? []).filter((h) => h.id !== hook.id);
        saveState();
        return { status: 204 };
      },
    },
  ];

  function tokenOf(req: http.IncomingMessage): string | undefined {
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    return m?.[1];
  }

  function basicPassword(req: http.IncomingMessage): string | undefined {
    const m = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }

  function readJson(req: http.IncomingMessage): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (d: Buffer) => chunks.push(d));
      req.on("error", reject);
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (text.trim() === "") return resolve({});
        try {
          const parsed = JSON.parse(text) as Json;
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
          resolve(parsed);
        } catch {
          reject(new ApiError(400, "Problems parsing JSON"));
        }
      });
    });
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): void {
    const headers: Record<string, string> = { "X-GitHub-Enterprise-Version": `${GHES_VERSION}.0`, "X-GitHub-Media-Type": "github.v3; format=json", ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(answer.body);
    if (req.method === "GET" && answer.status === 200) {
      // Conditional requests as GitHub serves them: the provider sends If-None-Match for webhooks.
      const etag = `W/"${crypto.createHash("sha256").update(text).digest("hex")}"`;
      headers.ETag = etag;
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
    }
    headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(text));
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  /** The route a request is counted under, known before it is answered. */
  function routeOf(method: string, url: URL): { template: string; route?: Route; pathname: string } {
    const pathname = url.pathname.replace(/\/+$/, "") || "/";
    if (pathname.startsWith("/api/")) {
      const matching = routes.filter((r) => r.pattern.test(pathname));
      const route = matching.find((r) => r.method === (method === "HEAD" ? "GET" : method));
      return { template: route?.template ?? matching[0]?.template ?? `(no route) ${pathname}`, route, pathname };
    }
    const git = gitRequestOf(url.pathname, url.searchParams);
    if (git) return { template: git.advertisement ? `/{owner}/{repo}.git/info/refs?service=${git.service}` : `/{owner}/{repo}.git/${git.service}`, pathname };
    return { template: `(no route) ${pathname}`, pathname };
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, route: Route | undefined, pathname: string): Promise<void> {
    if (!route) {
      const err = notImplemented(req.method ?? "GET", pathname);
      send(req, res, { status: err.status, body: err.body });
      return;
    }
    const given = tokenOf(req);
    if (given === undefined || !accepted.has(given)) {
      const message = given === undefined ? "Requires authentication" : "Bad credentials";
      send(req, res, { status: 401, body: errorBody(401, message), headers: { "WWW-Authenticate": 'Basic realm="GitHub"' } });
      return;
    }
    try {
      const params = (route.pattern.exec(pathname) ?? []).slice(1);
      send(req, res, await route.handle(params, url, () => readJson(req)));
    } catch (err) {
      if (err instanceof ApiError) send(req, res, { status: err.status, body: err.body });
      else send(req, res, { status: 500, body: errorBody(500, `The double failed: ${err instanceof Error ? err.message : String(err)}`) });
    }
  }

  async function handleGit(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const git = gitRequestOf(url.pathname, url.searchParams);
    if (!git) {
      const err = notImplemented(req.method ?? "GET", url.pathname);
      send(req, res, { status: err.status, body: err.body });
      return;
    }
    const password = basicPassword(req);
    if (password === undefined || !accepted.has(password)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain" });
      res.end("Authentication failed: a token is needed as the password\n");
      return;
    }
    const [repoOwner, ...rest] = git.repository.split("/");
    const repo = rest.join("/").replace(/\.git$/, "");
    if (repoOwner.toLowerCase() !== owner.toLowerCase() || !state.repositories[repo]) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Repository not found.\n");
      return;
    }
    await serveGitRequest(root, req, res, owner, { hook: postReceive, onRefsUpdated: (updates) => pushed(repo, updates) });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", urls.web);
    const method = req.method ?? "GET";
    const { template, route, pathname } = routeOf(method, url);
    // "close" rather than "finish": a request whose client went away is counted too.
    res.on("close", () => {
      const recorded = { method, path: url.pathname + url.search, status: res.statusCode };
      requests.push(recorded);
      if (recorded.status === 501) unimplemented.push(recorded);
      const key = `${method} ${template}`;
      byRoute[key] = (byRoute[key] ?? 0) + 1;
      // A fetch's POST to git-upload-pack only reads; the push's POST to git-receive-pack writes.
      if (method === "GET" || method === "HEAD" || template.endsWith("/git-upload-pack")) reads++;
      else writes++;
    });
    const work = pathname.startsWith("/api/") ? handleApi(req, res, url, route, pathname) : handleGit(req, res, url);
    work.catch((err: unknown) => {
      if (!res.headersSent) send(req, res, { status: 500, body: errorBody(500, `The double failed: ${err instanceof Error ? err.message : String(err)}`) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  urls = new Urls((opts.publicUrl ?? `http://127.0.0.1:${port}`).replace(/\/+$/, ""), owner);

  return {
    apiUrl: `${urls.web}/`,
    gitUrl: (repo) => `${urls.web}/${owner}/${repo}.git`,
    async createRepository(name, repoOpts = {}) {
      if (!isRepositoryName(name)) throw new Error(`not a repository name GitHub accepts: ${JSON.stringify(name)}`);
      if (state.repositories[name]) throw new Error(`repository ${owner}/${name} exists already`);
      await makeRepository(name, repoOpts);
    },
    repositoryNames: () => Object.keys(state.repositories).sort(),
    isPrivate: (repo) => state.repositories[repo]?.private === true,
    requests,
    unimplemented,
    counts: () => ({ reads, writes, byRoute: { ...byRoute } }),
    resetCounts: () => {
      requests.length = 0;
      byRoute = {};
      reads = 0;
      writes = 0;
    },
    hooks: (repo) => (state.hooks[repo] ?? []).map((h) => ({ ...h, events: [...h.events], config: { ...h.config } })),
    gitDir: gitDirOf,
    acceptTokens(tokens) {
      accepted = new Set(tokens);
    },
    deliveries: () => deliveries.list(),
    awaitDeliveries: (count, timeoutMs, filter) => deliveries.awaitFinished(count, timeoutMs, filter),
    testOnlyRedeliver: (deliveryId, { signatureSecret }) => deliveries.testOnlyRedeliver(deliveryId, signatureSecret),
    close: () =>
      new Promise((resolve, reject) => {
        deliveries.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
