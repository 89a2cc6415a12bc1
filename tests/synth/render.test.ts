import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack } from "../../scripts/render";
import { FAKE_TOKEN, stackProject } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe("synth: npm run render", () => {
  it("writes the dev stack's cluster objects and ops repository files", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-dev-"));
    const { files } = renderStack({ projectDir: ROOT, stack: "dev", out });
    assert.deepStrictEqual(listFiles(out), files);
    assert.deepStrictEqual(files, [
      "cluster/application-argocd-go-sample-app-image.yaml",
      "cluster/application-argocd-go-sample-app-tekton.yaml",
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
    assert.deepStrictEqual(warnings, ["Pulumi.s.yaml holds deliberate-image-builds:githubToken in plain text; encrypt it with: pulumi config set --secret githubToken"]);
    const everything = listFiles(out).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
    assert.ok(!everything.includes(FAKE_TOKEN));
    assert.match(fs.readFileSync(path.join(out, "cluster/secret-default-github-token.yaml"), "utf8"), /GITHUB_TOKEN: "\[secret: set with pulumi config set --secret deliberate-image-builds:githubToken\]"/);
    assert.match(fs.readFileSync(path.join(out, "github/example-org/a/webhook-a.yaml"), "utf8"), /secret: "\[secret: /);
  });

  it("replaces an earlier render, so a removed object does not linger", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-again-"));
    fs.mkdirSync(path.join(out, "cluster"), { recursive: true });
    fs.writeFileSync(path.join(out, "cluster/stale.yaml"), "old");
    fs.writeFileSync(path.join(out, "keep-me.txt"), "not render's");
    renderStack({ projectDir: ROOT, stack: "dev", out });
    assert.ok(!fs.existsSync(path.join(out, "cluster/stale.yaml")));
    assert.ok(fs.existsSync(path.join(out, "keep-me.txt")));
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
