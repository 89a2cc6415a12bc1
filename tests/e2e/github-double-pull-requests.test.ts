// The GitHub double's pull requests and commit statuses: each answer checked against GitHub's OpenAPI
// description of GitHub Enterprise Server (the operation's response schema), each `pull_request`
// delivery against its `webhook-pull-request-<action>` schema, signed as GitHub signs it, with
// X-GitHub-Event: pull_request; a real `git push` to a pull request's branch sends `synchronize`.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { Delivery, GitHubDouble, startGitHubDouble } from "../../e2e/github-double/server";
import { FAKE_WEBHOOK_SECRET, tempDir } from "../helpers/fixtures";
import { git, gitAsync } from "../helpers/git-world";
import { GitHubOpenApi } from "../helpers/github-openapi";

const TOKEN = "ghp_fakeDoubleToken000000000000000000000";
const OWNER = "octo-fake";

type JsonBody = Record<string, unknown>;

describe("e2e: GitHub double pull requests and commit statuses", function () {
  this.timeout(60000);
  let openApi: GitHubOpenApi;
  let double: GitHubDouble;
  let receiver: http.Server;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let work: string;
  let clone: string;

  async function api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${double.apiUrl}api/v3${apiPath}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: "application/vnd.github+json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? {} : (JSON.parse(text) as unknown) };
  }
  /** The answer, checked against the operation's response schema. */
  async function conforming(method: string, template: string, apiPath: string, status: number, body?: unknown): Promise<JsonBody> {
    const answer = await api(method, apiPath, body);
    assert.strictEqual(answer.status, status, JSON.stringify(answer.body));
    assert.deepStrictEqual(openApi.check(method.toLowerCase(), template, status, answer.body), [], `${method} ${apiPath}`);
    return answer.body as JsonBody;
  }
  const payload = (d: Delivery) => JSON.parse(d.payload ?? "null") as JsonBody;

  before(async () => {
    openApi = GitHubOpenApi.load();
    const dir = tempDir("github-double-pulls-");
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    double = await startGitHubDouble({ root: path.join(dir, "github"), token: TOKEN, owner: OWNER });
    work = tempDir("github-double-pulls-work-");
    await double.createRepository("app", { initialFiles: { "main.go": "package main\n" } });
    await double.createRepository("app-fork", { initialFiles: { "main.go": "package main\n" } });
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const hook = await api("POST", `/repos/${OWNER}/app/hooks`, { name: "web", config: { url, content_type: "json", secret: FAKE_WEBHOOK_SECRET }, events: ["push", "pull_request"], active: true });
    assert.strictEqual(hook.status, 201);
    await gitAsync(work, "clone", "--quiet", double.gitUrl("app").replace("http://", `http://x-access-token:${TOKEN}@`), "app");
    clone = path.join(work, "app");
    git(clone, "checkout", "--quiet", "-b", "feature");
    fs.writeFileSync(path.join(clone, "main.go"), "package main\n\n// a change\n");
    git(clone, "commit", "--quiet", "-am", "A change");
    await gitAsync(clone, "push", "--quiet", "origin", "feature");
  });
  after(async () => {
    await double?.close();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it("posts, lists and combines commit statuses as GitHub's Statuses API answers them", async () => {
    const sha = git(clone, "rev-parse", "HEAD");
    const posted = await conforming("POST", "/repos/{owner}/{repo}/statuses/{sha}", `/repos/${OWNER}/app/statuses/${sha}`, 201, { state: "pending", context: "ci/lint", description: "lint: waiting" });
    assert.deepStrictEqual([posted.state, posted.context, posted.target_url], ["pending", "ci/lint", null]);
    await conforming("POST", "/repos/{owner}/{repo}/statuses/{sha}", `/repos/${OWNER}/app/statuses/${sha}`, 201, { state: "success", context: "ci/lint", target_url: "https://dashboard.example.com/run" });
    await conforming("POST", "/repos/{owner}/{repo}/statuses/{sha}", `/repos/${OWNER}/app/statuses/${sha}`, 201, { state: "pending", context: "ci/test" });
    const listed = (await conforming("GET", "/repos/{owner}/{repo}/commits/{ref}/statuses", `/repos/${OWNER}/app/commits/${sha}/statuses`, 200)) as unknown as JsonBody[];
    assert.deepStrictEqual(listed.map((s) => `${s.context} ${s.state}`), ["ci/test pending", "ci/lint success", "ci/lint pending"], "newest first");
    const combined = await conforming("GET", "/repos/{owner}/{repo}/commits/{ref}/status", `/repos/${OWNER}/app/commits/feature/status`, 200);
    assert.deepStrictEqual([combined.state, combined.total_count, combined.sha], ["pending", 2, sha]);
    await conforming("POST", "/repos/{owner}/{repo}/statuses/{sha}", `/repos/${OWNER}/app/statuses/${sha}`, 201, { state: "failure", context: "ci/test" });
    assert.strictEqual((await api("GET", `/repos/${OWNER}/app/commits/${sha}/status`)).body && ((await api("GET", `/repos/${OWNER}/app/commits/${sha}/status`)).body as JsonBody).state, "failure");
    // What GitHub refuses: a state it does not know, a commit the repository lacks.
    assert.strictEqual((await api("POST", `/repos/${OWNER}/app/statuses/${sha}`, { state: "done" })).status, 422);
    assert.strictEqual((await api("POST", `/repos/${OWNER}/app/statuses/${"0".repeat(40)}`, { state: "success" })).status, 422);
  });

  it("opens a pull request from a branch and delivers pull_request opened, signed, its head in refs/pull/<n>/head", async () => {
    const head = git(clone, "rev-parse", "HEAD");
    const pr = await conforming("POST", "/repos/{owner}/{repo}/pulls", `/repos/${OWNER}/app/pulls`, 201, { title: "A change", head: "feature", base: "main" });
    const [d] = await double.awaitDeliveries(1, 15000, { event: "pull_request", action: "opened", number: pr.number as number });
    assert.deepStrictEqual([d.state, d.statusCode, d.headers["X-GitHub-Event"], d.after], ["delivered", 202, "pull_request", head]);
    assert.strictEqual(d.headers["X-Hub-Signature-256"], `sha256=${crypto.createHmac("sha256", FAKE_WEBHOOK_SECRET).update(d.payload ?? "").digest("hex")}`);
    const body = payload(d);
    assert.deepStrictEqual(openApi.checkSchema("webhook-pull-request-opened", body), []);
    const pull = body.pull_request as { head: { sha: string; repo: { full_name: string } }; base: { ref: string; repo: { clone_url: string } } };
    assert.deepStrictEqual([body.action, pull.head.sha, pull.head.repo.full_name, pull.base.ref, pull.base.repo.clone_url], ["opened", head, `${OWNER}/app`, "main", double.gitUrl("app")]);
    assert.strictEqual(git(work, "--git-dir", double.gitDir("app"), "rev-parse", `refs/pull/${pr.number}/head`), head);
    await conforming("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", `/repos/${OWNER}/app/pulls/${pr.number}`, 200);
  });

  it("sends synchronize for a push to the pull request's branch, then closed and reopened", async () => {
    const before = git(clone, "rev-parse", "HEAD");
    fs.writeFileSync(path.join(clone, "main.go"), "package main\n\n// a second change\n");
    git(clone, "commit", "--quiet", "-am", "A second change");
    await gitAsync(clone, "push", "--quiet", "origin", "feature");
    const after = git(clone, "rev-parse", "HEAD");
    const [sync] = await double.awaitDeliveries(1, 15000, { event: "pull_request", action: "synchronize" });
    const body = payload(sync);
    assert.deepStrictEqual(openApi.checkSchema("webhook-pull-request-synchronize", body), []);
    assert.deepStrictEqual([body.before, body.after, (body.pull_request as { head: { sha: string } }).head.sha], [before, after, after]);
    assert.strictEqual(git(work, "--git-dir", double.gitDir("app"), "rev-parse", "refs/pull/1/head"), after);
    await conforming("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", `/repos/${OWNER}/app/pulls/1`, 200, { state: "closed" });
    await conforming("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", `/repos/${OWNER}/app/pulls/1`, 200, { state: "open" });
    for (const action of ["closed", "reopened"]) {
      const [d] = await double.awaitDeliveries(1, 15000, { event: "pull_request", action });
      assert.deepStrictEqual(openApi.checkSchema(`webhook-pull-request-${action}`, payload(d)), [], action);
    }
  });

  it("opens one from another repository of the owner (head_repo), standing in for a fork: its head repository is that one", async () => {
    const pr = await conforming("POST", "/repos/{owner}/{repo}/pulls", `/repos/${OWNER}/app/pulls`, 201, { title: "From a fork", head: "main", head_repo: "app-fork", base: "main" });
    const [d] = await double.awaitDeliveries(1, 15000, { event: "pull_request", action: "opened", number: pr.number as number });
    const pull = payload(d).pull_request as { head: { repo: { full_name: string } } };
    assert.strictEqual(pull.head.repo.full_name, `${OWNER}/app-fork`);
  });

  it("answers 501 for what it does not serve of pull requests", async () => {
    assert.strictEqual((await api("PUT", `/repos/${OWNER}/app/pulls/1/merge`, {})).status, 501);
    assert.strictEqual((await api("PATCH", `/repos/${OWNER}/app/pulls/1`, { title: "renamed" })).status, 501);
    assert.strictEqual((await api("POST", `/repos/${OWNER}/app/pulls`, { title: "x", head: "someone:feature", base: "main" })).status, 501);
  });
});
