// The credentials both clones get: git-clone copies `.gitconfig` and `.git-credentials` from its
// basic-auth workspace into the user's home (tektoncd-catalog/git-clone v1.7.0, step "clone") and runs
// git. Here git runs for real with a home holding exactly those files, against a loopback git server.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { basicAuthFiles, BasicAuthFiles } from "../../components/tekton/git-clone";
import { renderStack } from "../../scripts/render";
import { FAKE_TOKEN, plannedTask, rawStack, stackProject, tempDir } from "../helpers/fixtures";
import { basicAuthorization, busyboxPath, git, gitAsync, gitTokenEnv, GitWorld } from "../helpers/git-world";
import { runTask } from "../helpers/task-runner";
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

/**
 * git clone with `home` as the user's home and no prompt to fall back on; rejects, with git's message,
 * when the clone fails.
 */
function clone(url: string, home: string): Promise<string> {
  const out = tempDir("git-clone-out-");
  return gitAsync(out, "clone", "-q", "--depth=1", url, path.join(out, "checkout"), { HOME: home, GIT_TERMINAL_PROMPT: "0" });
}

describe("tekton: git-clone's basic-auth files", function () {
  this.timeout(60000);
  // Only read from (every test clones, none pushes), so one for all.
  let world: GitWorld;
  before(() => (world = new GitWorld(1)));
  after(() => world.cleanup());

  it("let git clone a private repository with the token, which the Secret holds only percent-encoded, and only from its host", async () => {
    const token = `${FAKE_TOKEN}/+:@%`; // characters a URL would otherwise misread
    const server = await serveRepositories(world.root, "x-access-token", token);
    const url = `${server.url}/app.git`;
    try {
      await assert.rejects(clone(url, homeWith({})), /could not read Username/, "the repository is private");
      // For another host the helper is not even configured: nothing is sent, and the server lets nothing through.
      await assert.rejects(clone(url, homeWith({ ...basicAuthFiles("https://github.com", token, plain) })), /could not read Username/);
      assert.deepStrictEqual([...server.authorizations], [], "no credentials sent for another host's files"); // a copy: asserting on the array itself would narrow its type to never[]
      const files = basicAuthFiles(server.url, token, plain);
      assert.ok(!files[".git-credentials"].includes(token));
      await clone(url, homeWith({ ...files }));
      assert.ok(server.authorizations.includes(basicAuthorization("x-access-token", token)));
    } finally {
      await server.close();
    }
  });

  it("keep public repositories cloning, the token sent nowhere it is not asked for", async () => {
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { publicRead: true });
    try {
      await clone(`${server.url}/app.git`, homeWith({ ...basicAuthFiles(server.url, FAKE_TOKEN, plain) }));
      assert.deepStrictEqual(server.authorizations, [], "git sends credentials only when the server asks");
    } finally {
      await server.close();
    }
  });

  it("are a Secret applied to the cluster, rendered with the secret marker, never a repository file", () => {
    const out = tempDir("render-credentials-");
    renderStack({ projectDir: stackProject("c", rawStack()), stack: "c", out });
    const secret = parse(fs.readFileSync(path.join(out, "cluster/default/secret-github-git-credentials.yaml"), "utf8"));
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

describe("tekton: the clone Task, its script run as Tekton runs it", function () {
  this.timeout(60000);
  let world: GitWorld;
  before(() => (world = new GitWorld(2)));
  after(() => world.cleanup());
  const task = plannedTask("clone");

  /** The clone Task run against `server`, its basic-auth workspace holding `files` (or unbound). */
  async function cloneWith(serverUrl: string, files: BasicAuthFiles<string> | undefined, params: Record<string, string>) {
    const dir = tempDir("clone-task-");
    const output = path.join(dir, "run-volume");
    fs.mkdirSync(output);
    const workspaces: Record<string, string> = { output };
    if (files) {
      workspaces["basic-auth"] = path.join(dir, "secret");
      fs.mkdirSync(workspaces["basic-auth"]);
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(workspaces["basic-auth"], name), content, { mode: 0o444 });
    }
    const result = await runTask(task, { dir, path: busyboxPath(), workspaces, params: { url: `${serverUrl}/app.git`, ...params }, env: { GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" } });
    return { result, checkout: path.join(output, "app"), home: path.join(dir, "volumes", "home") };
  }

  it("checks out the pushed commit of a private repository with the read token, which the checkout never holds", async () => {
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN);
    try {
      const [, pushed] = world.commits;
      const { result, checkout, home } = await cloneWith(server.url, basicAuthFiles(server.url, FAKE_TOKEN, plain), { revision: pushed });
      assert.strictEqual(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`at ${pushed}`));
      assert.strictEqual(execFileSync("git", ["-C", checkout, "rev-parse", "HEAD"], { encoding: "utf8" }).trim(), pushed);
      // What lint and test see: the checkout, .git included. The token is only in the pod's own HOME.
      const files = fs.readdirSync(checkout, { recursive: true, encoding: "utf8" }).map((f) => path.join(checkout, f)).filter((f) => fs.statSync(f).isFile());
      for (const f of files) assert.ok(!fs.readFileSync(f).includes(FAKE_TOKEN), `${f} holds the token`);
      assert.ok(fs.readFileSync(path.join(home, ".git-credentials"), "utf8").includes(FAKE_TOKEN));
    } finally {
      await server.close();
    }
  });

  it("fails, saying so, without credentials for a private repository, and for a revision that is no full SHA", async () => {
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN);
    try {
      const unbound = await cloneWith(server.url, undefined, { revision: world.commits[1] });
      assert.notStrictEqual(unbound.result.code, 0);
      assert.match(unbound.result.stderr, /could not read Username|Authentication failed/);
      const branch = await cloneWith(server.url, basicAuthFiles(server.url, FAKE_TOKEN, plain), { revision: "main" });
      assert.notStrictEqual(branch.result.code, 0);
      assert.match(branch.result.stderr, /git-clone: REVISION must be a full commit SHA/);
      assert.deepStrictEqual(server.authorizations, [], "nothing was fetched for a revision refused up front, and nothing sent unasked");
    } finally {
      await server.close();
    }
  });

  it("fetches the submodules only when asked, with the same credential, which the checkout never holds", async () => {
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN);
    try {
      // lib.git, and withsub.git whose one commit has lib as a submodule at the server's URL.
      const auth = gitTokenEnv("x-access-token", FAKE_TOKEN);
      const work = (name: string) => fs.mkdtempSync(path.join(world.root, `${name}-work-`));
      const lib = work("lib");
      git(lib, "init", "-q", "-b", "main");
      fs.writeFileSync(path.join(lib, "lib.txt"), "from the submodule\n");
      git(lib, "add", ".");
      git(lib, "commit", "-q", "-m", "lib");
      git(world.root, "clone", "-q", "--bare", lib, "lib.git");
      const app = work("withsub");
      git(app, "init", "-q", "-b", "main");
      await gitAsync(app, "submodule", "add", "-q", `${server.url}/lib.git`, "lib", auth);
      git(app, "commit", "-q", "-m", "app with a submodule");
      const sha = git(app, "rev-parse", "HEAD");
      git(world.root, "clone", "-q", "--bare", app, "withsub.git");

      const files = basicAuthFiles(server.url, FAKE_TOKEN, plain);
      const params = (submodules: string) => ({ url: `${server.url}/withsub.git`, revision: sha, submodules });
      const without = await cloneWith(server.url, files, params("false"));
      assert.strictEqual(without.result.code, 0, without.result.stderr);
      assert.ok(!fs.existsSync(path.join(without.checkout, "lib", "lib.txt")));
      const withSubmodules = await cloneWith(server.url, files, params("true"));
      assert.strictEqual(withSubmodules.result.code, 0, withSubmodules.result.stderr);
      assert.strictEqual(fs.readFileSync(path.join(withSubmodules.checkout, "lib", "lib.txt"), "utf8"), "from the submodule\n");
      const all = fs.readdirSync(withSubmodules.checkout, { recursive: true, encoding: "utf8" }).map((f) => path.join(withSubmodules.checkout, f)).filter((f) => fs.statSync(f).isFile());
      for (const f of all) assert.ok(!fs.readFileSync(f).includes(FAKE_TOKEN), `${f} holds the token`);
    } finally {
      await server.close();
    }
  });

  it("runs as the fixed user under restricted, with HOME on the pod's own emptyDir", () => {
    assert.strictEqual(task.spec.stepTemplate.securityContext.runAsUser, 65532);
    assert.strictEqual(task.spec.stepTemplate.securityContext.allowPrivilegeEscalation, false);
    assert.deepStrictEqual(task.spec.volumes, [{ name: "home", emptyDir: {} }]);
  });
});
