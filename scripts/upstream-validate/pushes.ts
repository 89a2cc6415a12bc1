// GitHub push deliveries for each app's EventListener, replayed by upstream-validate through Triggers'
// own interceptors, binding and template: which must start a build, and with what.
import { AppSettings, StackSettings } from "../../components/config/settings";
import { cloneUrl } from "../../components/plan/ops-repository";
import { objectNames } from "../../components/plan/names";
import { fullRepository, ownerUser, StoredRepository, Urls } from "../../e2e/github-double/bodies";

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
