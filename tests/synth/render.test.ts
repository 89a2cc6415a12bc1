import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { filesUnder, renderStack } from "../../scripts/render";
import { appEntry, FAKE_TOKEN, stackProject, tempDir } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");


describe("synth: npm run render", () => {
  it("writes the dev stack's cluster objects and ops repository files", () => {
    const out = tempDir("render-dev-");
    const { files } = renderStack({ projectDir: ROOT, stack: "dev", out });
    assert.deepStrictEqual(filesUnder(out), files);
    assert.deepStrictEqual(files, [
      "cluster/application-argocd-go-sample-app-image.yaml",
      "cluster/application-argocd-go-sample-app-tekton.yaml",
      "cluster/secret-default-github-git-credentials.yaml",
      "cluster/secret-default-github-token.yaml",
      "cluster/secret-default-github-webhook-secret.yaml",
      "repos/example-org/go-sample-app-ops/cicd/kpack/image.yaml",
      "repos/example-org/go-sample-app-ops/cicd/kpack/kustomization.yaml",
      "repos/example-org/go-sample-app-ops/cicd/kpack/revision.yaml",
      "repos/example-org/go-sample-app-ops/cicd/tekton/build-pipeline.yaml",
    ]);
  });

  it("never writes a secret's value, even one a stack file holds in plain text, and warns about it", () => {
    const dir = stackProject(
      "s",
      [
        "config:",
        "  deliberate-image-builds:githubOwner: example-org",
        `  deliberate-image-builds:githubToken: ${FAKE_TOKEN}`,
        "  deliberate-image-builds:apps:",
        "    - {name: a, repo: a, branch: main, opsRepo: a-ops, image: registry.example.com/o/a, initialRevision: " + "c".repeat(40) + ", webhookUrl: 'https://h.example.com/a'}",
        "",
      ].join("\n"),
    );
    const out = path.join(dir, "out");
    const { warnings } = renderStack({ projectDir: dir, stack: "s", out });
    assert.deepStrictEqual(warnings, ["Pulumi.s.yaml holds deliberate-image-builds:githubToken in plain text; expected it encrypted (pulumi config set --secret githubToken --stack s), so the stack file never carries it to a repository"]);
    const everything = filesUnder(out).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
    assert.ok(!everything.includes(FAKE_TOKEN));
    assert.match(fs.readFileSync(path.join(out, "cluster/secret-default-github-token.yaml"), "utf8"), /GITHUB_TOKEN: "\[secret: set with pulumi config set --secret deliberate-image-builds:githubToken\]"/);
    assert.match(fs.readFileSync(path.join(out, "github/example-org/a/webhook-a.yaml"), "utf8"), /secret: "\[secret: /);
  });

  it("replaces an earlier render, so a removed object does not linger", () => {
    const out = tempDir("render-again-");
    fs.mkdirSync(path.join(out, "cluster"), { recursive: true });
    fs.writeFileSync(path.join(out, "cluster/stale.yaml"), "old");
    fs.writeFileSync(path.join(out, "keep-me.txt"), "not render's");
    renderStack({ projectDir: ROOT, stack: "dev", out });
    assert.ok(!fs.existsSync(path.join(out, "cluster/stale.yaml")));
    assert.ok(fs.existsSync(path.join(out, "keep-me.txt")));
  });

  it("re-renders by writing only what changed, removing what is gone and the folders it leaves empty, never past out", () => {
    const parent = tempDir("render-re-");
    const out = path.join(parent, "out");
    const project = stackProject("r", { githubOwner: "example-org", apps: [appEntry("one"), appEntry("two")] });
    const first = renderStack({ projectDir: project, stack: "r", out: `${out}/` });
    assert.strictEqual(first.written, first.files.length);
    const image = path.join(out, "repos/example-org/one-ops/cicd/kpack/image.yaml");
    const old = new Date(2020, 0, 1);
    fs.utimesSync(image, old, old);

    stackProject("r", { githubOwner: "example-org", apps: [appEntry("one", { image: "registry.example.com/example-org/one:v2" })] }, project);
    const second = renderStack({ projectDir: project, stack: "r", out: `${out}/` });
    assert.strictEqual(second.removed.length, 6, "app two's four ops files and two Applications");
    assert.ok(second.removed.every((f) => f.includes("two")), second.removed.join("\n"));
    assert.ok(!fs.existsSync(path.join(out, "repos/example-org/two-ops")), "its emptied folders go too");
    assert.ok(fs.existsSync(path.join(out, "repos/example-org")) && fs.existsSync(parent), "nothing above them");
    // Only what changed for app one: its image.yaml. Its names do not depend on app two.
    assert.strictEqual(second.written, 1, `${second.written} of ${second.files.length} written`);
    assert.notStrictEqual(fs.statSync(image).mtimeMs, old.getTime(), "the changed image.yaml was written");
    const kustomization = path.join(out, "repos/example-org/one-ops/cicd/kpack/kustomization.yaml");
    fs.utimesSync(kustomization, old, old);
    const third = renderStack({ projectDir: project, stack: "r", out });
    assert.deepStrictEqual([third.written, third.removed], [0, []]);
    assert.strictEqual(fs.statSync(kustomization).mtimeMs, old.getTime(), "an unchanged file is not rewritten");
    assert.deepStrictEqual(filesUnder(out), third.files);
  });

  it("exits 1 saying what is wrong, and 2 without a stack", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts/render.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
    const usage = run();
    assert.strictEqual(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run render -- --stack <name>/);
    const missing = run("--stack", "nope");
    assert.strictEqual(missing.status, 1);
    assert.match(missing.stderr, /Pulumi\.nope\.yaml not found/);
  });
});
