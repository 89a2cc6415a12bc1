// The credentials both clones get: git-clone copies `.gitconfig` and `.git-credentials` from its
// basic-auth workspace into the user's home (tektoncd-catalog/git-clone v1.7.0, step "clone") and runs
// git. Here git runs for real with a home holding exactly those files, against a loopback git server.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { basicAuthFiles } from "../../components/tekton/git-clone";
import { renderStack } from "../../scripts/render";
import { FAKE_TOKEN, rawStack, stackProject, tempDir } from "../helpers/fixtures";
import { GitWorld } from "../helpers/git-world";
import { serveRepositories } from "../helpers/git-http-server";

const plain = (value: string, compute: (v: string) => string) => compute(value);

/** A home as git-clone leaves it: the Secret's two files, read-only (chmod 400). */
function homeWith(files: Record<string, string>): string {
  const home = tempDir("git-clone-home-");
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(home, name), content);
    fs.chmodSync(path.join(home, name), 0o400);
  }
  return home;
}

/** git clone, asynchronously: the server answering it runs in this process. */
function clone(url: string, home: string): Promise<{ status: number | null; stderr: string }> {
  const dir = path.join(tempDir("git-clone-out-"), "checkout");
  const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LANG: "C" };
  return new Promise((resolve) => {
    const child = spawn("git", ["clone", "-q", "--depth=1", url, dir], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

describe("tekton: git-clone's basic-auth files", function () {
  this.timeout(60000);
  let world: GitWorld;
  afterEach(() => world?.cleanup());

  it("let git clone a private repository with the token, which the Secret holds only percent-encoded", async () => {
    world = new GitWorld(1);
    const token = `${FAKE_TOKEN}/+:@%`; // characters a URL would otherwise misread
    const server = await serveRepositories(world.root, "x-access-token", token);
    try {
      assert.notStrictEqual((await clone(`${server.url}/app.git`, homeWith({}))).status, 0, "the repository is private");
      const files = basicAuthFiles(server.url, token, plain);
      assert.ok(!files[".git-credentials"].includes(token));
      const r = await clone(`${server.url}/app.git`, homeWith({ ...files }));
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(server.authorizations.includes(`Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`));
    } finally {
      await server.close();
    }
  });

  it("keep public repositories cloning, the token sent nowhere it is not asked for", async () => {
    world = new GitWorld(1);
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, true);
    try {
      const r = await clone(`${server.url}/app.git`, homeWith({ ...basicAuthFiles(server.url, FAKE_TOKEN, plain) }));
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(server.authorizations, [], "git sends credentials only when the server asks");
      // For another host the helper is not even configured.
      const other = await clone(`${server.url}/app.git`, homeWith({ ...basicAuthFiles("https://github.com", FAKE_TOKEN, plain) }));
      assert.strictEqual(other.status, 0, other.stderr);
      assert.deepStrictEqual(server.authorizations, []);
    } finally {
      await server.close();
    }
  });

  it("are a Secret applied to the cluster, rendered with the secret marker, never a repository file", () => {
    const out = tempDir("render-credentials-");
    renderStack({ projectDir: stackProject("c", rawStack()), stack: "c", out });
    const secret = parse(fs.readFileSync(path.join(out, "cluster/secret-default-github-git-credentials.yaml"), "utf8"));
    assert.deepStrictEqual(secret.stringData, {
      ".gitconfig": '[credential "https://github.com"]\n\thelper = store\n',
      ".git-credentials": "[secret: set with pulumi config set --secret deliberate-image-builds:githubToken]",
    });
    const repoFiles = fs.readdirSync(out, { recursive: true, encoding: "utf8" }).filter((f) => f.startsWith("repos"));
    for (const f of repoFiles) {
      const full = path.join(out, f);
      if (fs.statSync(full).isFile()) assert.doesNotMatch(fs.readFileSync(full, "utf8"), /git-credentials"?:|helper = store/, f);
    }
  });
});
