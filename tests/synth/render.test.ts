import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { filesUnder, RENDER_RECORD, renderStack } from "../../scripts/render";
import { appEntry, FAKE_TOKEN, stackProject, tempDir } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");

/** What render left in `out`, its record aside. */
const renderedIn = (out: string) => filesUnder(out).filter((f) => f !== RENDER_RECORD);

function run(...args: string[]) {
  // The loader npm run render starts it with.
  return spawnSync(process.execPath, ["--require", "./scripts/register-ts.js", path.join(ROOT, "scripts/render.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
}


describe("synth: npm run render", function () {
  // Several tests start the command itself, a process each.
  this.timeout(60000);
  it("writes the dev stack's cluster objects and ops repository files", () => {
    const out = tempDir("render-dev-");
    const { files } = renderStack({ projectDir: ROOT, stack: "dev", out });
    assert.deepStrictEqual(renderedIn(out), files);
    assert.deepStrictEqual(files, [
      "cluster/argocd/application-go-sample-app-image.yaml",
      "cluster/argocd/application-go-sample-app-tekton.yaml",
      "cluster/argocd/appproject-default.go-sample-app.yaml",
      "cluster/argocd/secret-repo-creds-example-org.yaml",
      "cluster/clusterrole-default.go-sample-app-event-listener.yaml",
      "cluster/clusterrolebinding-default.go-sample-app-event-listener.yaml",
      "cluster/default/role-go-sample-app-event-listener.yaml",
      "cluster/default/role-go-sample-app-run-janitor.yaml",
      "cluster/default/rolebinding-go-sample-app-event-listener.yaml",
      "cluster/default/rolebinding-go-sample-app-run-janitor.yaml",
      "cluster/default/secret-commit-status-token.yaml",
      "cluster/default/secret-github-git-credentials.yaml",
      "cluster/default/secret-github-token.yaml",
      "cluster/default/secret-go-sample-app-webhook.yaml",
      "cluster/default/secret-kpack-git-credentials.yaml",
      "cluster/default/serviceaccount-go-sample-app-event-listener.yaml",
      "cluster/default/serviceaccount-go-sample-app-image-builder.yaml",
      "cluster/default/serviceaccount-go-sample-app-pipeline.yaml",
      "cluster/default/serviceaccount-go-sample-app-run-janitor.yaml",
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
        "  deliberate-image-builds:privateRepositories: false",
        `  deliberate-image-builds:githubToken: ${FAKE_TOKEN}`,
        "  deliberate-image-builds:apps:",
        "    - {name: a, repo: a, branch: main, opsRepo: a-ops, image: registry.example.com/o/a, initialRevision: " + "c".repeat(40) + ", webhookUrl: 'https://h.example.com/a'}",
        "",
      ].join("\n"),
    );
    const out = path.join(dir, "out");
    const { warnings } = renderStack({ projectDir: dir, stack: "s", out });
    assert.deepStrictEqual(warnings.slice(0, 1), ["Pulumi.s.yaml holds deliberate-image-builds:githubToken in plain text; expected it encrypted (pulumi config set --secret githubToken --stack s), so the stack file never carries it to a repository"]);
    assert.match(warnings.slice(1).join("\n"), /^deliberate-image-builds:githubToken also serves in the cluster/);
    const everything = filesUnder(out).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
    assert.ok(!everything.includes(FAKE_TOKEN));
    assert.match(fs.readFileSync(path.join(out, "cluster/default/secret-github-token.yaml"), "utf8"), /GITHUB_TOKEN: "\[secret: set with pulumi config set --secret deliberate-image-builds:githubToken\]"/);
    assert.match(fs.readFileSync(path.join(out, "github/example-org/a/webhook-a.yaml"), "utf8"), /secret: "\[secret: /);
  });

  it("never touches files it did not write, in its own folders too, and removes only what an earlier render wrote", () => {
    const home = tempDir("render-home-");
    const mine = ["repos/my-project/notes.md", "cluster/stale.yaml", "github/todo.txt", "keep-me.txt"];
    for (const f of mine) {
      fs.mkdirSync(path.dirname(path.join(home, f)), { recursive: true });
      fs.writeFileSync(path.join(home, f), "not render's");
    }
    const project = stackProject("h", { githubOwner: "example-org", apps: [appEntry("one"), appEntry("two")] });
    // As `npm run render -- --out ~` would: the user's ~/repos and ~/cluster hold their own files.
    const first = run("--stack", "h", "--project", project, "--out", home);
    assert.strictEqual(first.status, 0, first.stderr);
    stackProject("h", { githubOwner: "example-org", apps: [appEntry("one")] }, project);
    const second = renderStack({ projectDir: project, stack: "h", out: home });
    assert.strictEqual(second.removed.length, 18, "app two's four ops files, two Applications, its Image's service account and the 11 access objects and webhook Secret");
    for (const f of mine) assert.strictEqual(fs.readFileSync(path.join(home, f), "utf8"), "not render's", f);
    assert.deepStrictEqual(filesUnder(home).filter((f) => !mine.includes(f) && f !== RENDER_RECORD), second.files);
  });

  it("refuses to overwrite a file it did not write, saying why, and writes nothing then", () => {
    const out = tempDir("render-foreign-");
    const theirs = path.join(out, "cluster/default/secret-github-token.yaml");
    fs.mkdirSync(path.dirname(theirs), { recursive: true });
    fs.writeFileSync(theirs, "someone else's secret notes\n");
    assert.throws(() => renderStack({ projectDir: ROOT, stack: "dev", out }), /default\/secret-github-token\.yaml exists and was not written by render, which would overwrite it; render into a folder of its own \(--out\)/);
    assert.deepStrictEqual(filesUnder(out), ["cluster/default/secret-github-token.yaml"]);
    assert.strictEqual(fs.readFileSync(theirs, "utf8"), "someone else's secret notes\n");
    // A file that already holds exactly what render would write is render's from then on.
    const copy = tempDir("render-copy-");
    fs.cpSync(tempRender(), copy, { recursive: true });
    fs.rmSync(path.join(copy, RENDER_RECORD));
    assert.strictEqual(renderStack({ projectDir: ROOT, stack: "dev", out: copy }).written, 0);
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

    stackProject("r", { githubOwner: "example-org", apps: [appEntry("one", { builder: "other-builder" })] }, project);
    const second = renderStack({ projectDir: project, stack: "r", out: `${out}/` });
    assert.strictEqual(second.removed.length, 18, "app two's four ops files, two Applications, image service account, access objects and webhook Secret");
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
    assert.deepStrictEqual(renderedIn(out), third.files);
  });

  it("exits 1 saying what is wrong, and 2 without a stack", () => {
    const usage = run();
    assert.strictEqual(usage.status, 2);
    assert.match(usage.stderr, /render: missing --stack <value>\nusage: npm run render -- --stack <name>/);
    const missing = run("--stack", "nope");
    assert.strictEqual(missing.status, 1);
    assert.match(missing.stderr, /Pulumi\.nope\.yaml not found/);
  });

  it("reads its arguments strictly: --stack=dev works; a missing value, an unknown flag or a stray argument is an error; --help prints usage", () => {
    const out = tempDir("render-args-");
    const equals = run("--stack=dev", `--out=${out}`);
    assert.strictEqual(equals.status, 0, equals.stderr);
    assert.match(equals.stdout, /rendered 23 files of stack dev/);
    const cases: [string[], RegExp][] = [
      [["--stack"], /render: Option '--stack <value>' argument missing/],
      [["--stack", "--out", out], /render: Option '--stack' argument is ambiguous/],
      [["--stack", "dev", "--outt", out], /render: Unknown option '--outt'/],
      [["--stack", "dev", "extra"], /render: Unexpected argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      assert.strictEqual(r.status, 2, `${args.join(" ")}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: npm run render/);
    }
    const help = run("--help");
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /^usage: npm run render -- --stack <name> \[--out <dir>\]/);
    assert.strictEqual(help.stderr, "");
  });

  it("refuses a stack name pulumi stack refuses, or one naming a file elsewhere, before reading or writing anything", () => {
    const cases: [string, RegExp][] = [
      ["my stack", /render: stack "my stack": a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character " " at position 2/],
      ["$(id)", /invalid character "\$" at position 0/],
      ["org/proj/dev", /render: stack "org\/proj\/dev": give the stack's own name \(dev\), not an org\/project\/stack reference; its stack file is Pulumi\.dev\.yaml/],
      ["../../dev", /invalid character "\/" at position 2/],
    ];
    for (const [stack, message] of cases) {
      const out = tempDir("render-name-");
      const r = run("--stack", stack, "--out", out);
      assert.strictEqual(r.status, 2, stack);
      assert.match(r.stderr, message);
      assert.deepStrictEqual(filesUnder(out), []);
    }
  });

  it("ends quietly when the reader of its output has gone", () => {
    const child = spawnSync("sh", ["-c", `"$0" --require ./scripts/register-ts.js scripts/render.ts --stack dev --out "$1" | true`, process.execPath, tempDir("render-pipe-")], { cwd: ROOT, encoding: "utf8" });
    assert.strictEqual(child.status, 0);
    // Only the stack's own warnings: no EPIPE, no stack trace.
    assert.doesNotMatch(child.stderr, /EPIPE|^\s+at /m);
    assert.match(child.stderr, /^(warning: [^\n]*\n)*$/);
  });
});

let rendered: string | undefined;
/** The dev stack rendered once into a folder of its own. */
function tempRender(): string {
  if (!rendered) {
    rendered = tempDir("render-once-");
    renderStack({ projectDir: ROOT, stack: "dev", out: rendered });
  }
  return rendered;
}
