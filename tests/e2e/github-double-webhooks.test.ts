// The GitHub double's webhook deliveries: a real `git push` (and a contents API commit) to a repository
// with hooks makes the `push` events GitHub makes, delivered over https to a local receiver that checks
// them as a GitHub webhook receiver does (Tekton Triggers' GitHub interceptor: X-GitHub-Event, and the
// X-Hub-Signature-256 HMAC of the raw body with the hook's secret), every payload checked against the
// `webhook-push` schema of GitHub's OpenAPI description.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { loopbackCertificate, LoopbackCertificate } from "../../e2e/tls";
import { Delivery, GitHubDouble, startGitHubDouble } from "../../e2e/github-double/server";
import { FAKE_WEBHOOK_SECRET, tempDir } from "../helpers/fixtures";
import { git, gitAsync } from "../helpers/git-world";
import { GitHubOpenApi } from "../helpers/github-openapi";

const TOKEN = "ghp_fakeDoubleToken000000000000000000000";
const OWNER = "octo-fake";
const ZEROS = "0".repeat(40);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type JsonBody = Record<string, unknown>;

/**
 * An https webhook receiver on loopback: answers 202 (as the EventListener sink does) when the
 * X-Hub-Signature-256 matches the body under `secret`, 401 when it does not; `delayMs` holds answers.
 */
async function startReceiver(cert: LoopbackCertificate, secret: string): Promise<{ url(p: string): string; received: Received[]; delayMs: number; close(): Promise<void> }> {
  const received: Received[] = [];
  const receiver = {
    received,
    delayMs: 0,
    url: (p: string) => `https://127.0.0.1:${port}${p}`,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
  const server = https.createServer({ cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ path: req.url ?? "", headers: req.headers, body });
      const expected = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
      const good = req.headers["x-hub-signature-256"] === expected;
      setTimeout(() => {
        res.writeHead(good ? 202 : 401, { "Content-Type": "application/json" });
        res.end(JSON.stringify(good ? { eventID: "fake-event" } : { error: "signature mismatch" }));
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return receiver;
}

describe("e2e: GitHub double webhook deliveries", function () {
  this.timeout(60000);
  let openApi: GitHubOpenApi;
  let cert: LoopbackCertificate;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let double: GitHubDouble;
  let work: string;

  async function api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: JsonBody }> {
    const res = await fetch(`${double.apiUrl}api/v3${apiPath}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: "application/vnd.github.v3+json", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? {} : (JSON.parse(text) as JsonBody) };
  }

  /** A hook made as terraform-provider-github makes it (POST .../hooks); its id. */
  async function addHook(on: GitHubDouble, repo: string, config: Record<string, string>, events = ["push"], active = true): Promise<number> {
    const res = await fetch(`${on.apiUrl}api/v3/repos/${OWNER}/${repo}/hooks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "web", config: { content_type: "json", insecure_ssl: "0", ...config }, events, active }),
    });
    const body = (await res.json()) as JsonBody;
    assert.strictEqual(res.status, 201, JSON.stringify(body));
    return Number(body.id);
  }

  /** A repository with one commit on main, cloned; the clone's folder. */
  async function repoWithClone(on: GitHubDouble, repo: string): Promise<string> {
    await on.createRepository(repo, { initialFiles: { "README.md": `# ${repo}\n` } });
    await gitAsync(work, "clone", "--quiet", on.gitUrl(repo).replace("http://", `http://x-access-token:${TOKEN}@`), repo);
    return path.join(work, repo);
  }

  function commitFile(clone: string, file: string, text: string, message: string): string {
    fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    fs.writeFileSync(path.join(clone, file), text);
    git(clone, "add", file);
    git(clone, "commit", "--quiet", "-m", message);
    return git(clone, "rev-parse", "HEAD");
  }

  const payloadOf = (d: Delivery): JsonBody => JSON.parse(d.payload ?? "null") as JsonBody;
  const receivedAt = (p: string) => receiver.received.filter((r) => r.path === p);

  before(async () => {
    openApi = GitHubOpenApi.load();
    const dir = tempDir("github-double-hooks-");
    cert = loopbackCertificate(dir);
    receiver = await startReceiver(cert, FAKE_WEBHOOK_SECRET);
    double = await startGitHubDouble({ root: path.join(dir, "github"), token: TOKEN, owner: OWNER, webhookCa: cert.certFile });
    work = tempDir("github-double-hooks-work-");
  });
  after(async () => {
    await double?.close();
    await receiver?.close();
  });

  it("delivers a push to main to each active push hook: GitHub's headers, a signature the hook's secret verifies, the push payload", async () => {
    const clone = await repoWithClone(double, "app");
    const hookId = await addHook(double, "app", { url: receiver.url("/hooks/app"), secret: FAKE_WEBHOOK_SECRET });
    const prOnly = await addHook(double, "app", { url: receiver.url("/hooks/pr-only"), secret: FAKE_WEBHOOK_SECRET }, ["pull_request"]);
    const inactive = await addHook(double, "app", { url: receiver.url("/hooks/inactive"), secret: FAKE_WEBHOOK_SECRET }, ["push"], false);
    const before = git(clone, "rev-parse", "HEAD");
    const after = commitFile(clone, "src/main.go", "package main\n", "Add the app");
    await gitAsync(clone, "push", "--quiet", "origin", "main");

    const [delivery] = await double.awaitDeliveries(1, 15000, { repo: "app", after });
    assert.deepStrictEqual([delivery.state, delivery.statusCode, delivery.error], ["delivered", 202, undefined]);
    assert.deepStrictEqual([delivery.hookId, delivery.ref, delivery.before, delivery.url], [hookId, "refs/heads/main", before, receiver.url("/hooks/app")]);
    assert.ok(delivery.finishedAt !== undefined && delivery.finishedAt >= delivery.triggeredAt && delivery.durationMs !== undefined, JSON.stringify(delivery));

    const got = receivedAt("/hooks/app");
    assert.strictEqual(got.length, 1);
    const { headers, body } = got[0];
    assert.strictEqual(headers["x-github-event"], "push");
    assert.match(String(headers["x-github-delivery"]), UUID);
    assert.strictEqual(headers["x-github-delivery"], delivery.guid);
    assert.strictEqual(headers["x-github-hook-id"], String(hookId));
    assert.strictEqual(headers["x-github-hook-installation-target-type"], "repository");
    assert.match(String(headers["user-agent"]), /^GitHub-Hookshot\//);
    assert.strictEqual(headers["content-type"], "application/json");
    assert.strictEqual(headers["x-hub-signature-256"], `sha256=${crypto.createHmac("sha256", FAKE_WEBHOOK_SECRET).update(body).digest("hex")}`);
    assert.strictEqual(headers["x-hub-signature"], `sha1=${crypto.createHmac("sha1", FAKE_WEBHOOK_SECRET).update(body).digest("hex")}`);
    assert.strictEqual(body.toString("utf8"), delivery.payload, "the delivery record keeps the bytes sent");

    const payload = JSON.parse(body.toString("utf8")) as JsonBody;
    assert.deepStrictEqual(openApi.checkSchema("webhook-push", payload), []);
    assert.deepStrictEqual([payload.ref, payload.before, payload.after, payload.created, payload.deleted, payload.forced, payload.base_ref], ["refs/heads/main", before, after, false, false, false, null]);
    const repository = payload.repository as JsonBody;
    assert.strictEqual(repository.full_name, `${OWNER}/app`);
    assert.strictEqual(repository.clone_url, double.gitUrl("app"), "the pipeline clones the URL the double serves git at");
    assert.strictEqual(repository.default_branch, "main");
    assert.strictEqual(payload.compare, `${repository.html_url}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`);
    const commits = payload.commits as JsonBody[];
    assert.deepStrictEqual(commits.map((c) => [c.id, c.message, c.distinct, c.added, c.modified, c.removed]), [[after, "Add the app", true, ["src/main.go"], [], []]]);
    assert.deepStrictEqual((payload.head_commit as JsonBody).id, after);
    assert.deepStrictEqual([(payload.pusher as JsonBody).name, (payload.sender as JsonBody).login], [OWNER, OWNER]);

    // Hooks not subscribed to push, or inactive, get nothing.
    assert.deepStrictEqual(double.deliveries().filter((d) => d.hookId === prOnly || d.hookId === inactive), []);
    assert.deepStrictEqual([receivedAt("/hooks/pr-only").length, receivedAt("/hooks/inactive").length], [0, 0]);
  });

  it("answers the push without waiting for a slow receiver: the delivery is listed as pending, then finishes", async () => {
    const clone = await repoWithClone(double, "slow");
    await addHook(double, "slow", { url: receiver.url("/hooks/slow"), secret: FAKE_WEBHOOK_SECRET });
    const after = commitFile(clone, "a.txt", "a\n", "A");
    receiver.delayMs = 3000;
    try {
      await gitAsync(clone, "push", "--quiet", "origin", "main");
      assert.deepStrictEqual(double.deliveries().filter((d) => d.repo === "slow").map((d) => [d.after, d.state]), [[after, "pending"]]);
      const [delivery] = await double.awaitDeliveries(1, 15000, { repo: "slow" });
      assert.deepStrictEqual([delivery.state, delivery.statusCode], ["delivered", 202]);
      assert.ok((delivery.durationMs ?? 0) >= 2500, `the delivery took the receiver's time: ${delivery.durationMs} ms`);
    } finally {
      receiver.delayMs = 0;
    }
  });

  it("gives a tag push refs/tags/<t> with no commits; a new branch created: true; a force push forced: true; a deleted branch after = zeros", async () => {
    const clone = await repoWithClone(double, "refs");
    await addHook(double, "refs", { url: receiver.url("/hooks/refs"), secret: FAKE_WEBHOOK_SECRET });
    const main = git(clone, "rev-parse", "HEAD");
    git(clone, "tag", "v1");
    git(clone, "tag", "-a", "v1-notes", "-m", "Release notes");
    const tagObject = git(clone, "rev-parse", "v1-notes");
    await gitAsync(clone, "push", "--quiet", "origin", "v1", "v1-notes");
    const tags = await double.awaitDeliveries(2, 15000, { repo: "refs" });
    const byRef = new Map(tags.map((d) => [d.ref, payloadOf(d)]));
    for (const [ref, after] of [["refs/tags/v1", main], ["refs/tags/v1-notes", tagObject]]) {
      const p = byRef.get(ref);
      assert.ok(p, `an event for ${ref}: ${[...byRef.keys()].join(", ")}`);
      assert.deepStrictEqual(openApi.checkSchema("webhook-push", p), []);
      assert.deepStrictEqual([p.before, p.after, p.created, p.deleted, p.base_ref, p.commits], [ZEROS, after, true, false, "refs/heads/main", []]);
      assert.strictEqual((p.head_commit as JsonBody).id, main, "head_commit is the commit the tag points at");
      assert.strictEqual(p.compare, `${(p.repository as JsonBody).html_url}/compare/${ref.slice("refs/tags/".length)}`);
    }

    // A tag on a commit no branch has: still no commits listed, no base_ref, and the commit is new.
    git(clone, "checkout", "--quiet", "--detach");
    const detached = commitFile(clone, "d.txt", "d\n", "Detached");
    git(clone, "tag", "v2-detached");
    git(clone, "checkout", "--quiet", "main");
    await gitAsync(clone, "push", "--quiet", "origin", "v2-detached");
    const [onDetached] = await double.awaitDeliveries(1, 15000, { repo: "refs", ref: "refs/tags/v2-detached" });
    const t = payloadOf(onDetached);
    assert.deepStrictEqual([t.after, t.base_ref, t.commits], [detached, null, []]);
    assert.deepStrictEqual([(t.head_commit as JsonBody).id, (t.head_commit as JsonBody).distinct, (t.head_commit as JsonBody).added], [detached, true, ["d.txt"]]);

    git(clone, "checkout", "--quiet", "-b", "feature");
    const feature = commitFile(clone, "f.txt", "f\n", "Feature");
    await gitAsync(clone, "push", "--quiet", "origin", "feature");
    const [created] = await double.awaitDeliveries(1, 15000, { repo: "refs", ref: "refs/heads/feature", after: feature });
    const c = payloadOf(created);
    assert.deepStrictEqual([c.before, c.created, c.forced], [ZEROS, true, false]);
    assert.deepStrictEqual((c.commits as JsonBody[]).map((x) => x.id), [feature], "a new branch lists the commits it has beyond the default branch");

    git(clone, "commit", "--quiet", "--amend", "-m", "Feature, amended");
    const amended = git(clone, "rev-parse", "HEAD");
    await gitAsync(clone, "push", "--quiet", "--force", "origin", "feature");
    const [forced] = await double.awaitDeliveries(1, 15000, { repo: "refs", after: amended });
    assert.deepStrictEqual([payloadOf(forced).before, payloadOf(forced).forced], [feature, true]);

    await gitAsync(clone, "push", "--quiet", "origin", "--delete", "feature");
    const [deleted] = await double.awaitDeliveries(1, 15000, { repo: "refs", ref: "refs/heads/feature", after: ZEROS });
    const d = payloadOf(deleted);
    assert.deepStrictEqual(openApi.checkSchema("webhook-push", d), []);
    assert.deepStrictEqual([d.before, d.after, d.created, d.deleted, d.commits, d.head_commit], [amended, ZEROS, false, true, [], null]);
    assert.strictEqual(deleted.statusCode, 202);

    // More than three tags pushed at once make no event, as GitHub documents.
    for (const t of ["t1", "t2", "t3", "t4"]) git(clone, "tag", t, main);
    const count = double.deliveries().length;
    await gitAsync(clone, "push", "--quiet", "origin", "t1", "t2", "t3", "t4");
    assert.deepStrictEqual(double.deliveries().slice(count), []);
  });

  it("delivers a commit made through the contents API as a push to its branch", async () => {
    await double.createRepository("api-commits", { initialFiles: { "README.md": "# api\n" } });
    await addHook(double, "api-commits", { url: receiver.url("/hooks/api-commits"), secret: FAKE_WEBHOOK_SECRET });
    const put = await api("PUT", `/repos/${OWNER}/api-commits/contents/cicd/revision.yaml`, { message: "Record a revision", content: Buffer.from("rev: 1\n").toString("base64") });
    assert.strictEqual(put.status, 201, JSON.stringify(put.body));
    const sha = String((put.body.commit as JsonBody).sha);
    const [delivery] = await double.awaitDeliveries(1, 15000, { repo: "api-commits" });
    const p = payloadOf(delivery);
    assert.deepStrictEqual(openApi.checkSchema("webhook-push", p), []);
    assert.deepStrictEqual([p.ref, p.after, delivery.statusCode], ["refs/heads/main", sha, 202]);
    const [commit] = p.commits as JsonBody[];
    assert.deepStrictEqual([commit.added, (commit.author as JsonBody).username], [["cicd/revision.yaml"], OWNER]);
  });

  it("records a hook with a content type other than json as an unsupported delivery and an unimplemented request, sending nothing", async () => {
    const clone = await repoWithClone(double, "form-hook");
    const hookId = await addHook(double, "form-hook", { url: receiver.url("/hooks/form"), secret: FAKE_WEBHOOK_SECRET, content_type: "form" });
    const unimplementedBefore = double.unimplemented.length;
    commitFile(clone, "a.txt", "a\n", "A");
    await gitAsync(clone, "push", "--quiet", "origin", "main");
    const [delivery] = await double.awaitDeliveries(1, 15000, { hookId });
    assert.strictEqual(delivery.state, "unsupported");
    assert.match(String(delivery.error), /content_type "json" only.*"form"/);
    assert.deepStrictEqual(double.unimplemented.slice(unimplementedBefore).map((r) => [r.method, r.status]), [["POST", 501]]);
    assert.match(double.unimplemented[unimplementedBefore].path, /\/hooks\/form .*content_type form/);
    assert.strictEqual(receivedAt("/hooks/form").length, 0);
  });

  it("sends, for tests only, a delivery again signed with another secret or unsigned; the receiver refuses both", async () => {
    const clone = await repoWithClone(double, "forged");
    await addHook(double, "forged", { url: receiver.url("/hooks/forged"), secret: FAKE_WEBHOOK_SECRET });
    commitFile(clone, "a.txt", "a\n", "A");
    await gitAsync(clone, "push", "--quiet", "origin", "main");
    const [original] = await double.awaitDeliveries(1, 15000, { repo: "forged" });
    assert.strictEqual(original.statusCode, 202);

    const forged = await double.testOnlyRedeliver(original.id, { signatureSecret: "fake-wrong-secret" });
    assert.deepStrictEqual([forged.state, forged.statusCode, forged.guid, forged.redelivery, forged.forgedSignature], ["failed", 401, original.guid, true, true]);
    const sent = receivedAt("/hooks/forged");
    assert.strictEqual(sent.length, 2);
    assert.strictEqual(sent[1].body.toString("utf8"), original.payload, "the same payload");
    assert.strictEqual(sent[1].headers["x-hub-signature-256"], `sha256=${crypto.createHmac("sha256", "fake-wrong-secret").update(sent[1].body).digest("hex")}`);

    const unsigned = await double.testOnlyRedeliver(original.id, { signatureSecret: null });
    assert.strictEqual(unsigned.statusCode, 401);
    assert.deepStrictEqual([receivedAt("/hooks/forged")[2].headers["x-hub-signature-256"], receivedAt("/hooks/forged")[2].headers["x-hub-signature"]], [undefined, undefined]);
    await assert.rejects(double.testOnlyRedeliver(9999999, { signatureSecret: null }), /no webhook delivery 9999999/);
  });

  it("verifies the receiver's certificate: without the run's CA a delivery fails, unless the hook says insecure_ssl 1", async () => {
    const other = await startGitHubDouble({ root: tempDir("github-double-no-ca-"), token: TOKEN, owner: OWNER });
    try {
      const clone = await repoWithClone(other, "no-ca");
      const verified = await addHook(other, "no-ca", { url: receiver.url("/hooks/verified"), secret: FAKE_WEBHOOK_SECRET });
      const insecure = await addHook(other, "no-ca", { url: receiver.url("/hooks/insecure"), secret: FAKE_WEBHOOK_SECRET, insecure_ssl: "1" });
      const refused = await addHook(other, "no-ca", { url: "http://127.0.0.1:1/hooks/nobody", secret: FAKE_WEBHOOK_SECRET });
      commitFile(clone, "a.txt", "a\n", "A");
      await gitAsync(clone, "push", "--quiet", "origin", "main");
      const all = await other.awaitDeliveries(3, 15000, { repo: "no-ca" });
      const of = (id: number) => all.find((d) => d.hookId === id);
      assert.deepStrictEqual([of(verified)?.state, of(verified)?.statusCode], ["failed", undefined]);
      assert.match(String(of(verified)?.error), /self[- ]signed|certificate/i);
      assert.deepStrictEqual([of(insecure)?.state, of(insecure)?.statusCode], ["delivered", 202]);
      assert.deepStrictEqual([of(refused)?.state, of(refused)?.statusCode], ["failed", undefined]);
      assert.match(String(of(refused)?.error), /ECONNREFUSED/);
      assert.strictEqual(new Set(all.map((d) => d.guid)).size, 1, "one event, one GUID for every hook");
      assert.strictEqual(receivedAt("/hooks/verified").length, 0);
    } finally {
      await other.close();
    }
  });

  it("awaitDeliveries rejects after its timeout, naming what there is", async () => {
    await assert.rejects(double.awaitDeliveries(1, 200, { repo: "no-such-repo" }), /expected 1 finished webhook deliveries matching \{"repo":"no-such-repo"\} within 200 ms; there are 0: none/);
  });
});
