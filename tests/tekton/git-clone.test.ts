// The credentials both clones get: git-clone copies `.gitconfig` and `.git-credentials` from its
// basic-auth workspace into the user's home (tektoncd-catalog/git-clone v1.7.0, step "clone") and runs
// git. Here git runs for real with a home holding exactly those files, against a loopback git server.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { basicAuthFiles } from "../../components/tekton/git-clone";
import { renderStack } from "../../scripts/render";
import { FAKE_TOKEN, rawStack, stackProject, tempDir } from "../helpers/fixtures";
import { basicAuthorization, gitAsync, GitWorld } from "../helpers/git-world";
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
