import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { diffTrees } from "../../scripts/diff";
import { appEntry, FAKE_TOKEN, projectCopy, stackProject, tempDir } from "../helpers/fixtures";
import { git } from "../helpers/git-world";

const NODE_ARGS = ["--require", "./scripts/register-ts.js"];
const OPS = "repos/example-org/go-sample-app-ops";

/** A git repository holding this project's sources as they are now, with one commit. */
function projectRepository(): string {
  const dir = projectCopy(["package.json", "Pulumi.yaml", "components", "scripts"], tempDir("diff-project-"));
  git(dir, "init", "-q", "-b", "main");
  fs.writeFileSync(path.join(dir, ".git/info/exclude"), "node_modules\n");
  return dir;
}

function commitAll(cwd: string, message: string): string {
  git(cwd, "add", "-A");
  git(cwd, "commit", "-q", "-m", message);
  return git(cwd, "rev-parse", "HEAD");
}

/** `npm run diff` as the workflow runs it, in the project at `cwd`. */
function diff(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [...NODE_ARGS, path.join(cwd, "scripts/diff.ts"), ...args], { cwd, encoding: "utf8" });
}

describe("scripts: npm run diff", function () {
  this.timeout(60000);
  let repo: string;
  let first: string;
  let changes: ReturnType<typeof diff>;

  before(() => {
    repo = projectRepository();
    stackProject("dev", { githubOwner: "example-org", githubToken: `${FAKE_TOKEN}-first`, apps: [appEntry()] }, repo);
    first = commitAll(repo, "one app");
    // The second commit changes the stack (a tag, a new app, a new plain-text token) and the program.
    stackProject(
      "dev",
      { githubOwner: "example-org", githubToken: `${FAKE_TOKEN}-second`, apps: [appEntry("go-sample-app", { image: "registry.example.com/example-org/go-sample-app:v2" }), appEntry("billing")] },
      repo,
    );
    const opsFile = path.join(repo, "components/synth/ops-file.ts");
    const source = fs.readFileSync(opsFile, "utf8");
    assert.ok(source.includes("Change the stack config, not this file."));
    fs.writeFileSync(opsFile, source.replace("Change the stack config, not this file.", "Edit the stack config instead."));
    commitAll(repo, "second app, new tag, new header");
    changes = diff(repo, "--stack", "dev", "--base", first);
  });

  it("shows what a commit changed: each rendered file added, removed or changed, rendered by each side's own code", () => {
    const r = changes;
    assert.strictEqual(r.status, 1, r.stderr);
    assert.match(r.stderr, /→ working tree: \d+ changed, 18 added, 0 removed/);
    assert.match(r.stdout, new RegExp(`^diff --git a/${OPS}/cicd/kpack/image.yaml b/${OPS}/cicd/kpack/image.yaml$`, "m"));
    assert.match(r.stdout, /^-  tag: registry\.example\.com\/example-org\/go-sample-app$/m);
    assert.match(r.stdout, /^\+  tag: registry\.example\.com\/example-org\/go-sample-app:v2$/m);
    // The base rendered with the base's code: the header it wrote is the old one.
    assert.match(r.stdout, /^-# Written by pulumi up \(deliberate-image-builds\)\. Change the stack config, not this file\.$/m);
    assert.match(r.stdout, /^\+# Written by pulumi up \(deliberate-image-builds\)\. Edit the stack config instead\.$/m);
    for (const added of ["cicd/kpack/image.yaml", "cicd/tekton/build-pipeline.yaml"]) {
      assert.match(r.stdout, new RegExp(`^--- /dev/null\\n\\+\\+\\+ b/repos/example-org/billing-ops/${added}$`, "m"));
    }
    // Paths read as under the render folder, never as the temporary folders they were rendered in.
    assert.doesNotMatch(r.stdout, /[ab]\/(base|head)\//);
    // Render writes revision.yaml as a first pulumi up would: for the new tag it names the new Image
    // (pulumi up keeps the pipeline's file; the kustomization's target applies it), never another revision.
    const revisionDiff = r.stdout.split(/^(?=diff --git )/m).find((d) => d.startsWith(`diff --git a/${OPS}/cicd/kpack/revision.yaml `)) ?? "";
    assert.match(revisionDiff, /^-  name: go-sample-app-image-[a-z0-9]{5}\n\+  name: go-sample-app-image-[a-z0-9]{5}$/m);
    assert.doesNotMatch(revisionDiff, /^[-+] +revision: /m);
  });

  it("never shows a secret value, not even one a stack file holds in plain text", () => {
    const r = changes;
    assert.strictEqual(r.status, 1, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(FAKE_TOKEN), "a token value appeared in the output");
    assert.match(r.stderr, /base .*: warning: Pulumi\.dev\.yaml holds deliberate-image-builds:githubToken in plain text/);
  });

  it("exits 0 and prints no diff when nothing changed, and sees uncommitted edits", () => {
    const same = diff(repo, "--stack", "dev", "--base", "HEAD");
    assert.strictEqual(same.status, 0, same.stderr);
    assert.strictEqual(same.stdout, "");
    assert.match(same.stderr, /0 changed, 0 added, 0 removed/);

    const stackFile = path.join(repo, "Pulumi.dev.yaml");
    const committed = fs.readFileSync(stackFile, "utf8");
    try {
      stackProject("dev", { githubOwner: "example-org", apps: [appEntry("go-sample-app", { image: "registry.example.com/example-org/go-sample-app:v2" })] }, repo);
      const edited = diff(repo, "--stack", "dev", "--base", "HEAD");
      assert.strictEqual(edited.status, 1, edited.stderr);
      assert.match(edited.stderr, /\d+ changed, 0 added, 18 removed/);
      assert.match(edited.stdout, /^\+\+\+ \/dev\/null$/m);
    } finally {
      fs.writeFileSync(stackFile, committed);
    }
  });

  it("shows every file of a stack new since the base as added, and refuses a stack neither side has", () => {
    const stackFile = path.join(repo, "Pulumi.staging.yaml");
    stackProject("staging", { githubOwner: "example-org", apps: [appEntry("go-sample-app", { namespace: "staging" })] }, repo);
    try {
      const r = diff(repo, "--stack", "staging", "--base", first);
      assert.strictEqual(r.status, 1, r.stderr);
      assert.match(r.stderr, /0 changed, \d+ added, 0 removed/);
      assert.doesNotMatch(r.stdout, /^--- a\//m, "nothing was there before");
    } finally {
      fs.rmSync(stackFile);
    }
    const none = diff(repo, "--stack", "staging", "--base", first);
    assert.strictEqual(none.status, 2);
    assert.match(none.stderr, /--stack staging: Pulumi\.staging\.yaml exists neither at [0-9a-f]{40} nor in the working tree/);
  });

  it("exits 2 with a message for a ref that names no commit, or a base that does not render", () => {
    const noRef = diff(repo, "--stack", "dev", "--base", "no-such-branch");
    assert.strictEqual(noRef.status, 2);
    assert.match(noRef.stderr, /--base "no-such-branch" names no commit in this repository/);

    const broken = tempDir("diff-broken-");
    fs.cpSync(repo, broken, { recursive: true, verbatimSymlinks: true });
    stackProject("dev", { githubOwner: "-not-a-name-", apps: [appEntry()] }, broken);
    const bad = commitAll(broken, "bad owner");
    stackProject("dev", { githubOwner: "example-org", apps: [appEntry()] }, broken);
    const r = diff(broken, "--stack", "dev", "--base", bad);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /githubOwner/);
    assert.match(r.stderr, /rendering stack dev at base [0-9a-f]{40} failed/);

    const usage = diff(repo, "--stack", "dev");
    assert.strictEqual(usage.status, 2);
    assert.match(usage.stderr, /diff: missing --base <value>\nusage: npm run diff -- --stack <name> --base <git-ref>/);
  });

  it("exits 2 when the working tree's stack file is one Pulumi refuses: a duplicate key, named at Pulumi's lines", () => {
    const broken = tempDir("diff-duplicate-");
    fs.cpSync(repo, broken, { recursive: true, verbatimSymlinks: true });
    const stackFile = path.join(broken, "Pulumi.dev.yaml");
    // A key set twice, as a hand edit or a merge leaves it: the second would win in a lenient reader.
    fs.appendFileSync(stackFile, "  deliberate-image-builds:githubOwner: another-org\n");
    const line = fs.readFileSync(stackFile, "utf8").trimEnd().split("\n").length;
    const first = fs.readFileSync(stackFile, "utf8").split("\n").findIndex((l) => l.includes("deliberate-image-builds:githubOwner:")) + 1;
    const r = diff(broken, "--stack", "dev", "--base", "HEAD");
    assert.strictEqual(r.status, 2, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`line ${line}: mapping key "deliberate-image-builds:githubOwner" already defined at line ${first}`), r.stderr);
    assert.match(r.stderr, /rendering stack dev at .* failed/);
  });

  it("reads its arguments strictly (--stack=dev, --help, no unknown flags) and refuses stack names pulumi stack refuses", () => {
    const equals = diff(repo, "--stack=dev", `--base=${first}`);
    assert.strictEqual(equals.status, 1, equals.stderr);
    assert.strictEqual(equals.stdout, changes.stdout);
    const help = diff(repo, "--help");
    assert.strictEqual(help.status, 0);
    assert.match(help.stdout, /^usage: npm run diff -- --stack <name> --base <git-ref>/);
    const unknown = diff(repo, "--stack", "dev", "--base", first, "--stat");
    assert.strictEqual(unknown.status, 2);
    assert.match(unknown.stderr, /diff: Unknown option '--stat'/);
    const noValue = diff(repo, "--base", first, "--stack");
    assert.strictEqual(noValue.status, 2);
    assert.match(noValue.stderr, /diff: Option '--stack <value>' argument missing/);
    for (const [stack, message] of [
      ["my stack", /diff failed: stack "my stack": a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character " " at position 2/],
      ["org/proj/dev", /diff failed: stack "org\/proj\/dev": give the stack's own name \(dev\)/],
    ] as const) {
      const r = diff(repo, "--stack", stack, "--base", first);
      assert.strictEqual(r.status, 2, stack);
      assert.match(r.stderr, message);
    }
  });

  it("ends quietly when the reader of its output has gone (npm run diff | head)", () => {
    const piped = spawnSync("sh", ["-c", `"$0" "$@" | true`, process.execPath, ...NODE_ARGS, path.join(repo, "scripts/diff.ts"), "--stack", "dev", "--base", first], { cwd: repo, encoding: "utf8" });
    assert.strictEqual(piped.status, 0);
    assert.doesNotMatch(piped.stderr, /EPIPE|Error|\n\s+at /);
    assert.match(piped.stderr, /^stack dev, [0-9a-f]{40} \([0-9a-f]{12}\) → working tree: \d+ changed/m);
  });
});

describe("scripts: diffTrees", () => {
  it("names every file as under the render folder, spaces and quotes included, and sorts it into added, removed, changed", () => {
    const work = tempDir("diff-trees-");
    const put = (file: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), content);
    };
    put("base/cluster/same.yaml", "a: 1\n");
    put("head/cluster/same.yaml", "a: 1\n");
    put("base/repos/o/r/old file.yaml", "--- a/base/not-a-header\n");
    put("head/repos/o/r/old file.yaml", "+++ b/head/kept\n");
    put("head/repos/o/r/q\"uote.yaml", "new\n");
    put("base/github/o/r/gone.yaml", "gone\n");
    try {
      const d = diffTrees(work);
      assert.deepStrictEqual([d.added, d.removed, d.changed], [["repos/o/r/q\"uote.yaml"], ["github/o/r/gone.yaml"], ["repos/o/r/old file.yaml"]]);
      assert.ok(d.text.includes("diff --git a/repos/o/r/old file.yaml b/repos/o/r/old file.yaml\n"), d.text);
      assert.match(d.text, /^--- a\/repos\/o\/r\/old file\.yaml\t?$/m);
      assert.match(d.text, /^\+\+\+ "b\/repos\/o\/r\/q\\"uote\.yaml"$/m);
      assert.match(d.text, /^--- a\/github\/o\/r\/gone\.yaml$/m);
      assert.ok(d.text.includes("\n---- a/base/not-a-header\n"), "content lines stay as they are");
      assert.ok(d.text.includes("\n++++ b/head/kept\n"));
      const headers = d.text.split("\n").filter((l) => l !== "---- a/base/not-a-header" && l !== "++++ b/head/kept");
      assert.doesNotMatch(headers.join("\n"), /(base|head)\//, "no header names the folders the sides were rendered in");
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
