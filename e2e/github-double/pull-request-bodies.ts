// Pull requests and commit statuses as GitHub's OpenAPI description of GitHub Enterprise Server has
// them (@octokit/openapi, ghes-3.19): `pull-request` (GET /repos/{o}/{r}/pulls/{n}), the
// `webhook-pull-request-<action>` events, `status` (POST /repos/{o}/{r}/statuses/{sha}) and
// `combined-commit-status` (GET /repos/{o}/{r}/commits/{ref}/status).
import { Json, JsonObject, Urls } from "./bodies";

/** A pull request as the double stores it. */
export interface StoredPullRequest {
  id: number;
  number: number;
  title: string;
  /** The base repository (this owner's) and branch. */
  base: { repo: string; ref: string; sha: string };
  /** The head repository (this owner's: the app repository itself, or another standing in for a fork) and branch. */
  head: { repo: string; ref: string; sha: string };
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

/** A commit status as the double stores it. */
export interface StoredStatus {
  id: number;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}${id}`).toString("base64");
}

/**
 * `pull-request`: the repositories as `repository` (the REST shape of each, `fullRepository`), the
 * owner as the user who opened it and is its only participant.
 */
export function pullRequestBody(urls: Urls, pr: StoredPullRequest, repositories: { base: JsonObject; head: JsonObject }, user: JsonObject): JsonObject {
  const r = urls.repo(pr.base.repo);
  const web = `${urls.repoWeb(pr.base.repo)}/pull/${pr.number}`;
  const side = (s: StoredPullRequest["base"], repository: JsonObject): JsonObject => ({
    label: `${urls.owner}:${s.ref}`,
    ref: s.ref,
    sha: s.sha,
    user,
    repo: repository,
  });
  const link = (href: string): JsonObject => ({ href });
  return {
    url: `${r}/pulls/${pr.number}`,
    id: pr.id,
    node_id: nodeId("PullRequest", pr.id),
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: `${r}/issues/${pr.number}`,
    commits_url: `${r}/pulls/${pr.number}/commits`,
    review_comments_url: `${r}/pulls/${pr.number}/comments`,
    review_comment_url: `${r}/pulls/comments{/number}`,
    comments_url: `${r}/issues/${pr.number}/comments`,
    statuses_url: `${r}/statuses/${pr.head.sha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user,
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.head, repositories.head),
    base: side(pr.base, repositories.base),
    _links: {
      self: link(`${r}/pulls/${pr.number}`),
      html: link(web),
      issue: link(`${r}/issues/${pr.number}`),
      comments: link(`${r}/issues/${pr.number}/comments`),
      review_comments: link(`${r}/pulls/${pr.number}/comments`),
      review_comment: link(`${r}/pulls/comments{/number}`),
      commits: link(`${r}/pulls/${pr.number}/commits`),
      statuses: link(`${r}/statuses/${pr.head.sha}`),
    },
    author_association: "OWNER",
    auto_merge: null,
    draft: false,
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: "unknown",
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** The actions the double delivers: what opening, pushing to, closing and reopening a pull request sends. */
export type PullRequestAction = "opened" | "synchronize" | "closed" | "reopened";

/**
 * The `pull_request` event (`webhook-pull-request-<action>`): `synchronize` carries the head's old and
 * new commit; the repository is the base repository, as GitHub sends it.
 */
export function pullRequestEventBody(action: PullRequestAction, pullRequest: JsonObject, repository: JsonObject, sender: JsonObject, before?: string): JsonObject {
  const head = (pullRequest.head as JsonObject).sha as string;
  return {
    action,
    number: pullRequest.number as number,
    ...(action === "synchronize" ? { before: before ?? head, after: head } : {}),
    pull_request: pullRequest,
    repository,
    sender,
  };
}

/** `status`: one commit status, as POST .../statuses/{sha} answers and GET .../commits/{ref}/statuses lists it. */
export function statusBody(urls: Urls, repo: string, s: StoredStatus, creator: JsonObject): JsonObject {
  return {
    url: `${urls.repo(repo)}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: nodeId("StatusContext", s.id),
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator,
  };
}

/**
 * `combined-commit-status`: the latest status of each context, newest first, and their combined state:
 * failure if any is error or failure, pending if any is pending or there are none, else success.
 */
export function combinedStatusBody(urls: Urls, repo: string, sha: string, statuses: StoredStatus[], repository: JsonObject): JsonObject {
  const latest = new Map<string, StoredStatus>();
  for (const s of [...statuses].sort((a, b) => b.id - a.id)) if (!latest.has(s.context)) latest.set(s.context, s);
  const states = [...latest.values()].map((s) => s.state);
  const state = states.some((s) => s === "error" || s === "failure") ? "failure" : states.length === 0 || states.includes("pending") ? "pending" : "success";
  const { permissions: _permissions, ...minimal } = repository;
  return {
    state,
    // Each as `status` lists it, without its creator (`simple-commit-status`).
    statuses: [...latest.values()].map((s): Json => {
      const { creator: _creator, ...entry } = statusBody(urls, repo, s, {});
      return entry;
    }),
    sha,
    total_count: latest.size,
    repository: minimal,
    commit_url: `${urls.repo(repo)}/commits/${sha}`,
    url: `${urls.repo(repo)}/commits/${sha}/status`,
  };
}
