// The GitHub double, driven with the requests terraform-provider-github makes (see the notes at the top
// of e2e/github-double/server.ts), every JSON answer checked against GitHub's OpenAPI description of
// GitHub Enterprise Server, and real git pushing and fetching over smart HTTP.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { GitHubDouble, startGitHubDouble } from "../../e2e/github-double";
import { GHES_VERSION } from "../../e2e/github-double/bodies";
import { BareRepository } from "../../e2e/github-double/git-store";
import { tempDir } from "../helpers/fixtures";
import { git, gitAsync } from "../helpers/git-world";
import { GitHubOpenApi } from "../helpers/github-openapi";

const TOKEN = "ghp_fakeDoubleToken000000000000000000000";
const OWNER = "octo-fake";
const REPO = "sample-ops";
const CONTENTS = "/repos/{owner}/{repo}/contents/{path}";
const FILE = "apps/sample/revision.yaml";

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

type JsonBody = Record<string, unknown>;

function asObject(body: unknown): JsonBody {
  assert.ok(typeof body === "object" && body !== null && !Array.isArray(body), `expected a JSON object, got ${JSON.stringify(body)}`);
  return body as JsonBody;
}

function field(body: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((v, k) => asObject(v)[k], body);
}

/** base64 as go-github sends file contents: one unbroken line. */
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** main.ts run as its own process on `root` with `args` and `env` added, once it has printed its API URL. */
async function startDoubleProcess(root: string, args: string[], env: Record<string, string> = {}): Promise<{ apiUrl: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--require", "./scripts/register-ts.js", "e2e/github-double/main.ts", "--root", root, "--owner", OWNER, "--token-env", "FAKE_DOUBLE_TOKEN", ...args], {
    cwd: path.resolve(__dirname, "../.."),
    env: { PATH: process.env.PATH, FAKE_DOUBLE_TOKEN: TOKEN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    void exited.then((code) => reject(new Error(`main.ts exited with ${code} before printing the API URL: ${stderr}`)));
  });
  return {
    apiUrl,
    /** Stops it as a supervisor does (SIGTERM): it must close and exit 0. */
    async stop() {
      child.kill("SIGTERM");
      assert.strictEqual(await exited, 0, stderr);
    },
  };
}

describe("e2e: GitHub double", function () {
  this.timeout(30000);
  let openApi: GitHubOpenApi;
  let double: GitHubDouble;
  let root: string;

  async function call(method: string, apiPath: string, opts: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { Accept: "application/vnd.github.v3+json", ...opts.headers };
    // go-github's oauth2 transport sends "Bearer"; "token" is the older form GitHub also takes.
    if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? TOKEN}`;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${double.apiUrl}api/v3${apiPath}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
  }

  /** The reply has the status expected and a body GitHub's OpenAPI description allows for it. */
  function conforms(method: string, template: string, reply: Reply, status: number): void {
    assert.strictEqual(reply.status, status, `${method} ${template}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
    if (reply.body !== undefined) assert.deepStrictEqual(openApi.check(method, template, status, reply.body), [], `${method} ${template} → ${status} body: ${JSON.stringify(reply.body)}`);
  }

  function isError(reply: Reply, status: number, message: RegExp): void {
    assert.strictEqual(reply.status, status, JSON.stringify(reply.body));
    assert.deepStrictEqual(openApi.checkSchema("basic-error", reply.body), []);
    assert.match(String(field(reply.body, "message")), message);
    assert.match(String(field(reply.body, "documentation_url")), /^https:\/\/docs\.github\.com\//);
  }

  const authedRemote = (repo: string) => double.gitUrl(repo).replace("http://", `http://x-access-token:${TOKEN}@`);

  before(async () => {
    openApi = GitHubOpenApi.load();
    root = tempDir("github-double-");
    double = await startGitHubDouble({ root, token: TOKEN, owner: OWNER });
    await double.createRepository(REPO, { initialFiles: { "README.md": "# sample ops\n" } });
  });
  after(() => double?.close());

  it("describes the GHES release whose OpenAPI document the tests check against", () => {
    assert.strictEqual(openApi.version, GHES_VERSION, "the newest GHES document shipped moved on: update GHES_VERSION and check the double against it");
    assert.match(double.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.strictEqual(double.gitUrl(REPO), `${double.apiUrl}${OWNER}/${REPO}.git`);
  });

  it("answers the provider's configure-time calls: the owner is a user, not an organization", async () => {
    const user = await call("GET", "/user");
    conforms("GET", "/user", user, 200);
    assert.strictEqual(field(user.body, "login"), OWNER);
    const org = await call("GET", `/orgs/${OWNER}`);
    conforms("GET", "/orgs/{org}", org, 404);
    conforms("GET", "/users/{username}", await call("GET", `/users/${OWNER}`), 200);
  });

  it("requires the token: 401 with GitHub's error body without it or with another", async () => {
    isError(await call("GET", `/repos/${OWNER}/${REPO}`, { token: null }), 401, /^Requires authentication$/);
    isError(await call("GET", `/repos/${OWNER}/${REPO}`, { token: "ghp_fakeWrongToken" }), 401, /^Bad credentials$/);
    const classic = await fetch(`${double.apiUrl}api/v3/user`, { headers: { Authorization: `token ${TOKEN}` } });
    assert.strictEqual(classic.status, 200);
  });

  it("accepts a rotated token alongside the old one, then the new one alone", async () => {
    const rotated = "ghp_fakeRotatedToken0000000000000000000";
    try {
      double.acceptTokens([TOKEN, rotated]);
      for (const token of [TOKEN, rotated]) assert.strictEqual((await call("GET", `/repos/${OWNER}/${REPO}`, { token })).status, 200, token);
      double.acceptTokens([rotated]);
      isError(await call("GET", `/repos/${OWNER}/${REPO}`), 401, /^Bad credentials$/);
      assert.strictEqual((await call("GET", `/repos/${OWNER}/${REPO}`, { token: rotated })).status, 200);
    } finally {
      double.acceptTokens([TOKEN]);
    }
  });

  it("writes the URL clients reach it at into its answers, when it sits behind a front", async () => {
    const behind = await startGitHubDouble({ root: tempDir("double-front-"), token: TOKEN, owner: OWNER, publicUrl: "https://127.0.0.1:8443/" });
    try {
      assert.strictEqual(behind.apiUrl, "https://127.0.0.1:8443/");
      assert.strictEqual(behind.gitUrl("x"), `https://127.0.0.1:8443/${OWNER}/x.git`);
      assert.ok(behind.gitDir("x").endsWith(path.join(OWNER, "x.git")), behind.gitDir("x"));
    } finally {
      await behind.close();
    }
  });

  it("serves repositories and branches; missing ones are 404", async () => {
    const repo = await call("GET", `/repos/${OWNER}/${REPO}`);
    conforms("GET", "/repos/{owner}/{repo}", repo, 200);
    assert.strictEqual(field(repo.body, "default_branch"), "main");
    assert.strictEqual(field(repo.body, "full_name"), `${OWNER}/${REPO}`);
    conforms("GET", "/repos/{owner}/{repo}", await call("GET", `/repos/${OWNER}/no-such-repo`), 404);
    conforms("GET", "/repos/{owner}/{repo}", await call("GET", `/repos/someone-else/${REPO}`), 404);

    const branch = await call("GET", `/repos/${OWNER}/${REPO}/branches/main`);
    conforms("GET", "/repos/{owner}/{repo}/branches/{branch}", branch, 200);
    assert.strictEqual(field(branch.body, "commit", "sha"), git(root, "--git-dir", path.join(root, OWNER, `${REPO}.git`), "rev-parse", "main"));
    conforms("GET", "/repos/{owner}/{repo}/branches/{branch}", await call("GET", `/repos/${OWNER}/${REPO}/branches/no-such-branch`), 404);
  });

  it("serves a branch's ref as the github_branch data source reads it (Git.GetRef); a missing one is 404", async () => {
    const head = git(root, "--git-dir", path.join(root, OWNER, `${REPO}.git`), "rev-parse", "main");
    const ref = await call("GET", `/repos/${OWNER}/${REPO}/git/ref/heads/main`);
    conforms("GET", "/repos/{owner}/{repo}/git/ref/{ref}", ref, 200);
    assert.strictEqual(field(ref.body, "ref"), "refs/heads/main");
    assert.strictEqual(field(ref.body, "object", "sha"), head);
    assert.strictEqual(field(ref.body, "object", "type"), "commit");
    assert.ok(ref.headers.get("etag"), "the data source records the ETag");
    isError(await call("GET", `/repos/${OWNER}/${REPO}/git/ref/heads/no-such-branch`), 404, /^Not Found$/);
    conforms("GET", "/repos/{owner}/{repo}/git/ref/{ref}", await call("GET", `/repos/${OWNER}/no-such-repo/git/ref/heads/main`), 404);
  });

  it("creates, edits and deletes a repository as github_repository does, with GitHub's refusals", async () => {
    // What go-github sends for a github.Repository with visibility "private" and autoInit (resourceGithubRepositoryObject).
    const created = await call("POST", "/user/repos", { body: { name: "made-ops", description: "", visibility: "private", auto_init: true, has_issues: false, allow_merge_commit: true, merge_commit_title: "MERGE_MESSAGE", merge_commit_message: "PR_TITLE", gitignore_template: "" } });
    conforms("POST", "/user/repos", created, 201);
    assert.deepStrictEqual([field(created.body, "private"), field(created.body, "visibility"), field(created.body, "has_issues"), field(created.body, "default_branch")], [true, "private", false, "main"]);
    assert.strictEqual(git(root, "--git-dir", path.join(root, OWNER, "made-ops.git"), "show", "main:README.md"), "# made-ops");
    isError(await call("POST", "/user/repos", { body: { name: "made-ops" } }), 422, /^Repository creation failed\.$/);
    const edited = await call("PATCH", `/repos/${OWNER}/made-ops`, { body: { name: "made-ops", description: "ops", has_wiki: false } });
    conforms("PATCH", "/repos/{owner}/{repo}", edited, 200);
    const read = await call("GET", `/repos/${OWNER}/made-ops`);
    assert.deepStrictEqual([field(read.body, "description"), field(read.body, "has_wiki"), field(read.body, "has_issues"), field(read.body, "private")], ["ops", false, false, true], "an edit keeps what the create set");
    assert.strictEqual((await call("PATCH", `/repos/${OWNER}/made-ops`, { body: { name: "renamed-ops" } })).status, 501, "a rename is not served");
    assert.strictEqual((await call("DELETE", `/repos/${OWNER}/made-ops`)).status, 204);
    conforms("GET", "/repos/{owner}/{repo}", await call("GET", `/repos/${OWNER}/made-ops`), 404);
    assert.ok(!fs.existsSync(path.join(root, OWNER, "made-ops.git")), "the git repository is gone too");
  });

  it("answers what it does not implement with 501 naming the method and path, never 404, and keeps a list of them", async () => {
    const before = double.unimplemented.length;
    for (const [method, apiPath] of [
      ["GET", `/repos/${OWNER}/${REPO}/git/refs/heads/main`],
      ["GET", `/repos/${OWNER}/${REPO}/git/ref/tags/v1`],
      ["POST", `/repos/${OWNER}/${REPO}/contents/a.txt`],
    ]) {
      const reply = await call(method, apiPath);
      assert.strictEqual(reply.status, 501, `${method} ${apiPath}: ${JSON.stringify(reply.body)}`);
      assert.strictEqual(field(reply.body, "message"), `The GitHub double does not implement ${method} /api/v3${apiPath}`);
    }
    // Unknown endpoints are named even without a token: a missing route must not hide behind a 401.
    assert.strictEqual((await call("GET", "/no/such/route", { token: null })).status, 501);
    const web = await fetch(`${double.apiUrl}${OWNER}/${REPO}/pulls`);
    assert.strictEqual(web.status, 501);
    assert.deepStrictEqual(
      double.unimplemented.slice(before).map((r) => `${r.method} ${r.path}`),
      [
        `GET /api/v3/repos/${OWNER}/${REPO}/git/refs/heads/main`,
        `GET /api/v3/repos/${OWNER}/${REPO}/git/ref/tags/v1`,
        `POST /api/v3/repos/${OWNER}/${REPO}/contents/a.txt`,
        "GET /api/v3/no/such/route",
        `GET /${OWNER}/${REPO}/pulls`,
      ],
    );
  });

  it("creates, reads, updates and deletes a file as the provider does, with GitHub's refusals", async () => {
    const url = `/repos/${OWNER}/${REPO}/contents/${FILE}`;
    // Create: the provider first checks the file is absent.
    conforms("GET", CONTENTS, await call("GET", `${url}?ref=main`), 404);
    const created = await call("PUT", url, { body: { message: "Create revision", content: b64("revision: a\n"), branch: "main" } });
    conforms("PUT", CONTENTS, created, 201);
    const createdCommit = String(field(created.body, "commit", "sha"));

    // Read: the blob sha is git's, the content GitHub's base64, the ref comes back in `url`.
    const read = await call("GET", `${url}?ref=main`);
    conforms("GET", CONTENTS, read, 200);
    const content = String(field(read.body, "content"));
    assert.ok(content.split("\n").every((line) => line.length <= 60), "base64 lines of at most 60 characters");
    assert.strictEqual(Buffer.from(content, "base64").toString("utf8"), "revision: a\n");
    const blob = String(field(read.body, "sha"));
    assert.strictEqual(blob, git(root, "--git-dir", path.join(root, OWNER, `${REPO}.git`), "rev-parse", `main:${FILE}`));
    assert.strictEqual(new URL(String(field(read.body, "url"))).searchParams.get("ref"), "main");
    assert.strictEqual(String(field((await call("GET", `${url}?ref=refs/heads/main`)).body, "sha")), blob, "a full ref name works too");
    // The data source asks without a ref: the default branch is named in `url` all the same.
    assert.strictEqual(new URL(String(field((await call("GET", url)).body, "url"))).searchParams.get("ref"), "main");

    // The provider's commit look-ups: the file's history, then each commit's files.
    const history = await call("GET", `/repos/${OWNER}/${REPO}/commits?sha=main&path=${encodeURIComponent(FILE)}`);
    conforms("GET", "/repos/{owner}/{repo}/commits", history, 200);
    assert.deepStrictEqual((history.body as JsonBody[]).map((c) => c.sha), [createdCommit]);
    const commit = await call("GET", `/repos/${OWNER}/${REPO}/commits/${createdCommit}`);
    conforms("GET", "/repos/{owner}/{repo}/commits/{ref}", commit, 200);
    assert.deepStrictEqual(field(commit.body, "files"), [
      {
        sha: blob,
        filename: FILE,
        status: "added",
        additions: 1,
        deletions: 0,
        changes: 1,
        blob_url: `${double.apiUrl}${OWNER}/${REPO}/blob/${createdCommit}/${FILE}`,
        raw_url: `${double.apiUrl}${OWNER}/${REPO}/raw/${createdCommit}/${FILE}`,
        contents_url: `${double.apiUrl}api/v3/repos/${OWNER}/${REPO}/contents/${FILE}?ref=${createdCommit}`,
      },
    ]);
    assert.strictEqual(field(commit.body, "commit", "message"), "Create revision");
    assert.strictEqual(field(commit.body, "commit", "committer", "name"), OWNER);

    // Update with the blob sha read; a stale sha is a conflict; no sha for an existing file is invalid.
    const updated = await call("PUT", url, {
      body: { message: "Update revision", content: b64("revision: b\n"), branch: "main", sha: blob, author: { name: "Fake Bot", email: "bot@example.com" }, committer: { name: "Fake Bot", email: "bot@example.com" } },
    });
    conforms("PUT", CONTENTS, updated, 200);
    assert.deepStrictEqual(field(updated.body, "commit", "parents"), [
      { sha: createdCommit, url: `${double.apiUrl}api/v3/repos/${OWNER}/${REPO}/git/commits/${createdCommit}`, html_url: `${double.apiUrl}${OWNER}/${REPO}/commit/${createdCommit}` },
    ]);
    assert.strictEqual(field(updated.body, "commit", "author", "name"), "Fake Bot");
    const stale = await call("PUT", url, { body: { message: "Again", content: b64("revision: c\n"), branch: "main", sha: blob } });
    conforms("PUT", CONTENTS, stale, 409);
    assert.match(String(field(stale.body, "message")), new RegExp(`${FILE} does not match ${blob}`));
    const withoutSha = await call("PUT", url, { body: { message: "Again", content: b64("revision: c\n"), branch: "main" } });
    conforms("PUT", CONTENTS, withoutSha, 422);
    assert.match(String(field(withoutSha.body, "message")), /"sha" wasn't supplied/);
    conforms("PUT", CONTENTS, await call("PUT", url, { body: { message: "Elsewhere", content: b64("x\n"), branch: "no-such-branch" } }), 404);
    conforms("PUT", CONTENTS, await call("PUT", url, { body: { content: b64("x\n") } }), 422);

    // Delete needs the current sha; afterwards the file is gone, and the history shows its removal.
    const current = String(field((await call("GET", `${url}?ref=main`)).body, "sha"));
    conforms("DELETE", CONTENTS, await call("DELETE", url, { body: { message: "Delete revision", branch: "main" } }), 422);
    const deleted = await call("DELETE", url, { body: { message: "Delete revision", branch: "main", sha: current } });
    conforms("DELETE", CONTENTS, deleted, 200);
    assert.strictEqual(field(deleted.body, "content"), null);
    conforms("GET", CONTENTS, await call("GET", `${url}?ref=main`), 404);
    conforms("DELETE", CONTENTS, await call("DELETE", url, { body: { message: "Delete again", branch: "main", sha: current } }), 404);
    const removal = await call("GET", `/repos/${OWNER}/${REPO}/commits/${String(field(deleted.body, "commit", "sha"))}`);
    assert.deepStrictEqual((field(removal.body, "files") as JsonBody[]).map((f) => [f.filename, f.status]), [[FILE, "removed"]]);
  });

  it("lists directories, pages long histories with Link headers, and refuses unknown refs", async () => {
    const url = `/repos/${OWNER}/${REPO}/contents/paged/notes.txt`;
    let sha: string | undefined;
    for (const n of [1, 2, 3]) {
      const put = await call("PUT", url, { body: { message: `Note ${n}`, content: b64(`note ${n}\n`), ...(sha ? { sha } : {}) } });
      sha = String(field(put.body, "content", "sha"));
    }
    const dir = await call("GET", `/repos/${OWNER}/${REPO}/contents/paged`);
    conforms("GET", CONTENTS, dir, 200);
    assert.deepStrictEqual((dir.body as JsonBody[]).map((e) => [e.type, e.path]), [["file", "paged/notes.txt"]]);

    const first = await call("GET", `/repos/${OWNER}/${REPO}/commits?sha=main&path=paged/notes.txt&per_page=2`);
    conforms("GET", "/repos/{owner}/{repo}/commits", first, 200);
    assert.deepStrictEqual((first.body as JsonBody[]).map((c) => field(c, "commit", "message")), ["Note 3", "Note 2"]);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "");
    assert.ok(next, `a Link header with rel="next": ${first.headers.get("link")}`);
    assert.strictEqual(new URL(next[1]).searchParams.get("page"), "2");
    const second = await call("GET", `/repos/${OWNER}/${REPO}/commits?sha=main&path=paged/notes.txt&per_page=2&page=2`);
    assert.deepStrictEqual((second.body as JsonBody[]).map((c) => field(c, "commit", "message")), ["Note 1"]);
    assert.strictEqual(second.headers.get("link"), null);

    conforms("GET", "/repos/{owner}/{repo}/commits/{ref}", await call("GET", `/repos/${OWNER}/${REPO}/commits/${"f".repeat(40)}`), 422);
    isError(await call("GET", `${url}?ref=no-such-ref`), 404, /No commit found for the ref no-such-ref/);
  });

  it("keeps webhooks: create, read (with ETag), edit, list, delete, and validation failures", async () => {
    const hooks = `/repos/${OWNER}/${REPO}/hooks`;
    const config = { url: "https://hooks.example.com/sample", content_type: "json", secret: "fake-webhook-secret", insecure_ssl: "0" };
    const created = await call("POST", hooks, { body: { name: "web", config, events: ["push"], active: true } });
    conforms("POST", "/repos/{owner}/{repo}/hooks", created, 201);
    assert.strictEqual(field(created.body, "config", "secret"), "********", "GitHub never shows a secret");
    const id = Number(field(created.body, "id"));
    assert.deepStrictEqual(double.hooks(REPO).map((h) => [h.id, h.config.secret, h.events]), [[id, "fake-webhook-secret", ["push"]]]);
    assert.ok(fs.readFileSync(path.join(root, "github-double.json"), "utf8").includes("https://hooks.example.com/sample"), "hooks are kept in the state file");
    conforms("POST", "/repos/{owner}/{repo}/hooks", await call("POST", hooks, { body: { name: "web", config, events: ["push"] } }), 422);
    conforms("POST", "/repos/{owner}/{repo}/hooks", await call("POST", hooks, { body: { name: "web", config: { content_type: "json" } } }), 422);

    const one = await call("GET", `${hooks}/${id}`);
    conforms("GET", "/repos/{owner}/{repo}/hooks/{hook_id}", one, 200);
    const etag = one.headers.get("etag");
    assert.ok(etag);
    assert.strictEqual((await call("GET", `${hooks}/${id}`, { headers: { "If-None-Match": etag } })).status, 304);

    const edited = await call("PATCH", `${hooks}/${id}`, { body: { url: "", events: ["push", "pull_request"], active: false, config: { ...config, secret: "fake-rotated-secret" } } });
    conforms("PATCH", "/repos/{owner}/{repo}/hooks/{hook_id}", edited, 200);
    assert.deepStrictEqual([field(edited.body, "events"), field(edited.body, "active")], [["push", "pull_request"], false]);
    assert.strictEqual(double.hooks(REPO)[0].config.secret, "fake-rotated-secret");
    assert.strictEqual((await call("GET", `${hooks}/${id}`, { headers: { "If-None-Match": etag } })).status, 200, "an edit changes the ETag");

    const list = await call("GET", hooks);
    conforms("GET", "/repos/{owner}/{repo}/hooks", list, 200);
    assert.strictEqual((list.body as unknown[]).length, 1);
    const removed = await call("DELETE", `${hooks}/${id}`);
    assert.strictEqual(removed.status, 204);
    conforms("GET", "/repos/{owner}/{repo}/hooks/{hook_id}", await call("GET", `${hooks}/${id}`), 404);
    assert.deepStrictEqual(double.hooks(REPO), []);
  });

  it("serves the same repositories over git smart HTTP: a push shows in the API, an API write in a fetch", async () => {
    await double.createRepository("pushed-ops", { defaultBranch: "trunk" });
    const work = tempDir("github-double-clone-");
    isError(await call("GET", `/repos/${OWNER}/pushed-ops/contents/a.txt`), 404, /This repository is empty/);

    // Without the token, git is refused.
    await assert.rejects(gitAsync(work, "ls-remote", double.gitUrl("pushed-ops"), { GIT_TERMINAL_PROMPT: "0" }), /401|Authentication failed|terminal prompts disabled/);

    double.resetCounts();
    await gitAsync(work, "clone", "--quiet", authedRemote("pushed-ops"), "clone");
    const clone = path.join(work, "clone");
    fs.writeFileSync(path.join(clone, "a.txt"), "pushed\n");
    git(clone, "checkout", "--quiet", "-b", "trunk");
    git(clone, "add", "a.txt");
    git(clone, "commit", "--quiet", "-m", "Pushed by git");
    await gitAsync(clone, "push", "--quiet", "origin", "trunk");
    const pushed = git(clone, "rev-parse", "HEAD");
    const counts = double.counts();
    assert.strictEqual(counts.byRoute["POST /{owner}/{repo}.git/git-receive-pack"], 1, JSON.stringify(counts));
    assert.ok(counts.byRoute["GET /{owner}/{repo}.git/info/refs?service=git-upload-pack"] >= 1, JSON.stringify(counts));
    assert.strictEqual(counts.writes, 1, "only the push writes");

    const read = await call("GET", `/repos/${OWNER}/pushed-ops/contents/a.txt`);
    conforms("GET", CONTENTS, read, 200);
    assert.strictEqual(Buffer.from(String(field(read.body, "content")), "base64").toString("utf8"), "pushed\n");
    assert.strictEqual(new URL(String(field(read.body, "url"))).searchParams.get("ref"), "trunk");

    // The API commits on top of what was pushed, never over it; a fetch brings that commit back.
    const put = await call("PUT", `/repos/${OWNER}/pushed-ops/contents/b.txt`, { body: { message: "Written by the API", content: b64("api\n") } });
    conforms("PUT", CONTENTS, put, 201);
    assert.deepStrictEqual((field(put.body, "commit", "parents") as JsonBody[]).map((p) => p.sha), [pushed]);
    await gitAsync(clone, "pull", "--quiet", "--ff-only", "origin", "trunk");
    assert.strictEqual(fs.readFileSync(path.join(clone, "b.txt"), "utf8"), "api\n");
    assert.strictEqual(fs.readFileSync(path.join(clone, "a.txt"), "utf8"), "pushed\n");

    // A push from a clone that missed the API's commit is refused by git, not merged over it.
    fs.writeFileSync(path.join(clone, "a.txt"), "second push\n");
    git(clone, "commit", "--quiet", "-am", "Second push");
    const api = await call("PUT", `/repos/${OWNER}/pushed-ops/contents/c.txt`, { body: { message: "API again", content: b64("c\n") } });
    assert.strictEqual(api.status, 201);
    await assert.rejects(gitAsync(clone, "push", "--quiet", "origin", "trunk"), /rejected|non-fast-forward|fetch first/);
  });

  it("keeps API writes to one branch in order when they race: none is lost", async () => {
    const writes = [1, 2, 3, 4].map((n) => call("PUT", `/repos/${OWNER}/${REPO}/contents/race/${n}.txt`, { body: { message: `Race ${n}`, content: b64(`${n}\n`) } }));
    const replies = await Promise.all(writes);
    assert.deepStrictEqual(replies.map((r) => r.status), [201, 201, 201, 201]);
    const dir = await call("GET", `/repos/${OWNER}/${REPO}/contents/race`);
    assert.deepStrictEqual((dir.body as JsonBody[]).map((e) => e.name), ["1.txt", "2.txt", "3.txt", "4.txt"]);
  });

  it("moves a branch only from the commit a write started on, so a push in between is never overwritten", async () => {
    const repo = new BareRepository(path.join(root, OWNER, `${REPO}.git`));
    const start = await repo.branchHead("main");
    const who = { name: "Fake Bot", email: "bot@example.com", date: "2024-01-02T03:04:05Z" };
    const change = (text: string) => ({ branch: "main", parent: start, files: new Map([["cas.txt", Buffer.from(text)]]), message: text, author: who, committer: who });
    const first = await repo.commitChanges(change("first"));
    assert.ok(first, "the first write from the head lands");
    assert.strictEqual(await repo.commitChanges(change("second, from the same stale head")), undefined);
    assert.strictEqual(await repo.branchHead("main"), first.commit.sha, "the branch still has the first write");
    assert.deepStrictEqual((await repo.commit(first.commit.sha)).author, who);
  });

  it("counts requests by route: reads are GETs, writes the rest", async () => {
    double.resetCounts();
    assert.deepStrictEqual(double.counts(), { reads: 0, writes: 0, byRoute: {} });
    await call("GET", `/repos/${OWNER}/${REPO}`);
    await call("GET", `/repos/${OWNER}/${REPO}/contents/README.md?ref=main`);
    await call("GET", `/repos/${OWNER}/${REPO}/contents/docs/a%20b.md`);
    await call("PUT", `/repos/${OWNER}/${REPO}/contents/counted.txt`, { body: { message: "Counted", content: b64("1\n") } });
    await call("GET", "/no/such/route");
    assert.deepStrictEqual(double.counts(), {
      reads: 4,
      writes: 1,
      byRoute: {
        "GET /api/v3/repos/{owner}/{repo}": 1,
        "GET /api/v3/repos/{owner}/{repo}/contents/{path}": 2,
        "PUT /api/v3/repos/{owner}/{repo}/contents/{path}": 1,
        "GET (no route) /api/v3/no/such/route": 1,
      },
    });
    assert.deepStrictEqual(
      double.requests.map((r) => [r.method, r.status]),
      [["GET", 200], ["GET", 200], ["GET", 404], ["PUT", 201], ["GET", 501]],
    );
  });

  it("the OpenAPI check rejects bodies GitHub would not send", async () => {
    const good = (await call("GET", `/repos/${OWNER}/${REPO}/contents/README.md`)).body;
    assert.deepStrictEqual(openApi.check("GET", CONTENTS, 200, good), []);
    const { sha: _sha, ...withoutSha } = asObject(good);
    assert.notDeepStrictEqual(openApi.check("GET", CONTENTS, 200, withoutSha), []);
    assert.notDeepStrictEqual(openApi.check("GET", CONTENTS, 200, { ...asObject(good), size: "12" }), []);
    assert.notDeepStrictEqual(openApi.check("GET", CONTENTS, 200, { ...asObject(good), url: "not a url" }), []);
    assert.notDeepStrictEqual(openApi.checkSchema("hook", { id: 1 }), []);
    assert.throws(() => openApi.check("GET", "/repos/{owner}/{repo}/no-such-endpoint", 200, {}), /no operation GET/);
  });

  it("runs as its own process: prints the API URL, serves the state left on disk, stops on SIGTERM", async () => {
    const { apiUrl, stop } = await startDoubleProcess(root, ["--repository", "cli-ops@release", "--repository", REPO]);
    try {
      assert.match(apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const repo = await fetch(`${apiUrl}api/v3/repos/${OWNER}/pushed-ops`, { headers: { Authorization: `token ${TOKEN}` } });
      assert.strictEqual(repo.status, 200, "the repository created by the in-process double is there");
      const created = await fetch(`${apiUrl}api/v3/repos/${OWNER}/cli-ops`, { headers: { Authorization: `token ${TOKEN}` } });
      assert.strictEqual(field(await created.json(), "default_branch"), "release", "--repository made it, with its branch");
    } finally {
      await stop();
    }
  });

  it("leaves nothing in the temp directory: a push's post-receive hook is kept under the double's root", async () => {
    // The process gets a temp directory of its own, so whatever is left there is this double's.
    const tmp = tempDir("github-double-tmpdir-");
    const { apiUrl, stop } = await startDoubleProcess(tempDir("github-double-own-root-"), ["--repository", "tmp-ops"], { TMPDIR: tmp });
    // A receiver for the push's webhook: its delivery shows the push went through post-receive.
    let delivered: (body: string) => void = () => undefined;
    const delivery = new Promise<string>((resolve) => (delivered = resolve));
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(204).end();
        delivered(Buffer.concat(chunks).toString("utf8"));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", () => resolve()));
    try {
      const hook = await fetch(`${apiUrl}api/v3/repos/${OWNER}/tmp-ops/hooks`, {
        method: "POST",
        headers: { Authorization: `token ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "web", config: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, content_type: "json" }, events: ["push"], active: true }),
      });
      assert.strictEqual(hook.status, 201);
      const work = tempDir("github-double-tmp-push-");
      git(work, "init", "--quiet");
      fs.writeFileSync(path.join(work, "a.txt"), "a\n");
      git(work, "add", "a.txt");
      git(work, "commit", "--quiet", "-m", "A");
      await gitAsync(work, "push", "--quiet", `${apiUrl.replace("http://", `http://x-access-token:${TOKEN}@`)}${OWNER}/tmp-ops.git`, "HEAD:refs/heads/main");
      assert.strictEqual(field(JSON.parse(await delivery), "after"), git(work, "rev-parse", "HEAD"));
    } finally {
      receiver.close();
      await stop();
    }
    assert.deepStrictEqual(fs.readdirSync(tmp), [], "what the double left in its temp directory");
  });
});
