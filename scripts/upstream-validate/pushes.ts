// GitHub push deliveries for each app's EventListener, replayed by upstream-validate through Triggers'
// own interceptors, binding and template: which must start a build, and with what.
import { AppSettings, StackSettings } from "../../components/config/settings";
import { cloneUrl } from "../../components/plan/ops-repository";
import { objectNames } from "../../components/plan/names";
import { fullRepository, ownerUser, StoredRepository, Urls } from "../../e2e/github-double/bodies";
import { PullRequestAction, pullRequestBody, pullRequestEventBody } from "../../e2e/github-double/pull-request-bodies";

/** An obviously fake webhook secret: the value of the Secret the github interceptor reads. */
export const FAKE_WEBHOOK_SECRET = "fake-webhook-secret-for-upstream-validate";
const FORGED_WITH = "not-the-webhook-secret";
const ZERO_SHA = "0".repeat(40);
const PUSHED_SHA = "9c2f0e1d4b5a69788776655443322110ffeeddcc";
const PREVIOUS_SHA = "5d41402abc4b2a76b9719d911017c592ae0f2b1c";

/** The Pipeline params a run must carry: what was pushed, from where. */
export const REVISION_PARAM = "revision";
export const REPO_URL_PARAM = "repo-url";

export interface PushCase {
  name: string;
  listener: { namespace: string; name: string };
  event: string;
  payload: unknown;
  webhookSecret: string;
  signingSecret: string;
  /** run: whether a PipelineRun is made; params: values it carries; refusedWith: the interceptor's words when not. */
  expect: { run: boolean; params?: Record<string, string>; refusedWith?: string };
}

interface Push {
  owner: string;
  repo: string;
  ref: string;
  after: string;
  deleted?: boolean;
}

/**
 * A push event body as GitHub sends it: every field GitHub's webhook-push schema requires (@octokit/openapi,
 * components.schemas["webhook-push"]), the repository and sender in the shapes the GitHub double answers
 * with (e2e/github-double/bodies.ts), which the same OpenAPI document describes.
 */
function pushBody(stack: StackSettings, p: Push): unknown {
  const urls = new Urls(stack.gitHost, p.owner);
  const web = urls.repoWeb(p.repo);
  const user = { name: "Example Developer", email: "developer@example.com", username: "example-developer" };
  const commit = {
    id: p.after,
    tree_id: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    distinct: true,
    message: "Change something tested",
    timestamp: "2026-11-30T12:00:00Z",
    url: `${web}/commit/${p.after}`,
    author: user,
    committer: user,
    added: [],
    removed: [],
    modified: ["main.go"],
  };
  const repository: StoredRepository = { id: 2000, name: p.repo, private: stack.privateRepositories, createdAt: "2026-01-05T09:00:00Z" };
  return {
    ref: p.ref,
    before: p.deleted ? p.after : PREVIOUS_SHA,
    after: p.deleted ? ZERO_SHA : p.after,
    created: false,
    deleted: p.deleted ?? false,
    forced: false,
    base_ref: null,
    compare: `${web}/compare/${PREVIOUS_SHA.slice(0, 12)}...${p.after.slice(0, 12)}`,
    commits: p.deleted ? [] : [commit],
    head_commit: p.deleted ? null : commit,
    repository: fullRepository(urls, repository, 1000, "main", commit.timestamp),
    pusher: { name: user.username, email: user.email },
    sender: ownerUser(urls, 3000),
  };
}

/**
 * For one app: the push that must start a build, and those that must not (a tag, the branch deleted,
 * another repository, another branch, a forged signature, an event that is not a push).
 */
export function pushCases(stack: StackSettings, app: AppSettings): PushCase[] {
  const listener = { namespace: app.namespace, name: objectNames(app).eventListener };
  const own = { owner: stack.githubOwner, repo: app.repo, ref: `refs/heads/${app.branch}`, after: PUSHED_SHA };
  const build = { [REVISION_PARAM]: PUSHED_SHA, [REPO_URL_PARAM]: cloneUrl(stack, app.repo) };
  const delivery = (name: string, push: Push, more: Partial<PushCase> = {}): PushCase => ({
    name: `${app.name}: ${name}`,
    listener,
    event: "push",
    payload: pushBody(stack, push),
    webhookSecret: FAKE_WEBHOOK_SECRET,
    signingSecret: FAKE_WEBHOOK_SECRET,
    // Triggers' cel interceptor (pkg/interceptors/cel/cel.go, Process) when the filter is false.
    expect: { run: false, refusedWith: "did not return true" },
    ...more,
  });
  return [
    delivery(`push to ${app.branch}`, own, { expect: { run: true, params: build } }),
    delivery("tag push", { ...own, ref: "refs/tags/v1.0.0" }),
    delivery(`deletion of ${app.branch}`, { ...own, deleted: true }),
    delivery(`push to ${app.branch} of another repository`, { ...own, repo: `${app.repo}-fork` }),
    delivery(`push to another branch`, { ...own, ref: `refs/heads/${app.branch}-next` }),
    // Triggers' github interceptor (pkg/interceptors/github/github.go, Process), with go-github's words.
    delivery(`push to ${app.branch} with a forged signature`, own, { signingSecret: FORGED_WITH, expect: { run: false, refusedWith: "payload signature check failed" } }),
    delivery(`a ping event`, own, { event: "ping", expect: { run: false, refusedWith: "event type ping is not allowed" } }),
  ];
}

const HEAD_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const BASE_SHA = PREVIOUS_SHA;
const PR_NUMBER = 42;

interface PullRequestDelivery {
  action: PullRequestAction;
  base: string;
  /** The head repository's owner and name: the app repository itself, or a fork. */
  head: { owner: string; repo: string };
}

/**
 * A `pull_request` event body as GitHub sends it (`webhook-pull-request-<action>`), built by the same
 * code as the GitHub double's deliveries (e2e/github-double/pull-request-bodies.ts).
 */
function pullRequestEvent(stack: StackSettings, app: AppSettings, d: PullRequestDelivery): unknown {
  const stored = (owner: string, repo: string, id: number): unknown => {
    const urls = new Urls(stack.gitHost, owner);
    return fullRepository(urls, { id, name: repo, private: stack.privateRepositories, createdAt: "2026-01-05T09:00:00Z" }, id + 1000, "main", "2026-11-30T12:00:00Z");
  };
  const urls = new Urls(stack.gitHost, stack.githubOwner);
  const base = stored(stack.githubOwner, app.repo, 2000) as Record<string, never>;
  const head = (d.head.owner === stack.githubOwner && d.head.repo === app.repo ? base : stored(d.head.owner, d.head.repo, 2001)) as Record<string, never>;
  const user = ownerUser(urls, 3000);
  const stamp = "2026-11-30T12:00:00Z";
  const pr = pullRequestBody(
    urls,
    {
      id: 7000,
      number: PR_NUMBER,
      title: "Change something",
      base: { repo: app.repo, ref: d.base, sha: BASE_SHA },
      head: { repo: d.head.repo, ref: "feature", sha: HEAD_SHA },
      state: d.action === "closed" ? "closed" : "open",
      createdAt: stamp,
      updatedAt: stamp,
      closedAt: d.action === "closed" ? stamp : null,
    },
    { base, head },
    user,
  );
  return pullRequestEventBody(d.action, pr, base, user, d.action === "synchronize" ? PREVIOUS_SHA : undefined);
}

/** The Pipeline param a pull request's run carries its number in. */
export const PULL_REQUEST_PARAM = "pull-request";

/**
 * For one app: the pull requests that must start a lint-and-test run on the head commit (opened,
 * synchronize, reopened from the app repository's own branch; from a fork only under `all`), and those
 * that must not (closed, another base branch, a fork under same-repository, any under `off`).
 */
export function pullRequestCases(stack: StackSettings, app: AppSettings): PushCase[] {
  const listener = { namespace: app.namespace, name: objectNames(app).eventListener };
  const own = { owner: stack.githubOwner, repo: app.repo };
  const fork = { owner: "someone-else", repo: app.repo };
  const check = { [REVISION_PARAM]: HEAD_SHA, [REPO_URL_PARAM]: cloneUrl(stack, app.repo), [PULL_REQUEST_PARAM]: String(PR_NUMBER) };
  const off = app.pullRequests === "off";
  // With pull requests off the listener has no pull-request trigger: the push trigger's github interceptor refuses the event.
  const refused = off ? "event type pull_request is not allowed" : "did not return true";
  const starts = { run: !off, ...(off ? { refusedWith: refused } : { params: check }) };
  const stops = { run: false, refusedWith: refused };
  const delivery = (name: string, d: PullRequestDelivery, expect: PushCase["expect"]): PushCase => ({
    name: `${app.name}: ${name}`,
    listener,
    event: "pull_request",
    payload: pullRequestEvent(stack, app, d),
    webhookSecret: FAKE_WEBHOOK_SECRET,
    signingSecret: FAKE_WEBHOOK_SECRET,
    expect,
  });
  return [
    delivery(`pull request opened from a branch of ${app.repo} (pullRequests: ${app.pullRequests})`, { action: "opened", base: app.branch, head: own }, starts),
    delivery("pull request synchronize", { action: "synchronize", base: app.branch, head: own }, starts),
    delivery("pull request reopened", { action: "reopened", base: app.branch, head: own }, starts),
    delivery("pull request closed", { action: "closed", base: app.branch, head: own }, stops),
    delivery(`pull request against another branch than ${app.branch}`, { action: "opened", base: `${app.branch}-next`, head: own }, stops),
    delivery(`pull request from a fork (pullRequests: ${app.pullRequests})`, { action: "opened", base: app.branch, head: fork }, app.pullRequests === "all" ? starts : stops),
  ];
}
