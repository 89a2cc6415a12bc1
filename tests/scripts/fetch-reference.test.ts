import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { filesUnder } from "../../scripts/render";
import { FETCH_SCRIPT, locateReference, REFERENCE_MISSING, referenceDir, referenceFiles, sha256Of } from "../helpers/reference";
import { projectCopy, tempDir } from "../helpers/fixtures";

const RAW = "https://raw.githubusercontent.com";

/** A folder laid out as raw.githubusercontent.com is, serving the reference files (file:// URLs for curl). */
function mirror(change: (file: string, content: Buffer) => Buffer = (_f, c) => c): string {
  const dir = tempDir("reference-mirror-");
  for (const { file, url } of referenceFiles()) {
    const target = path.join(dir, url.replace("$raw/", ""));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, change(file, fs.readFileSync(path.join(referenceDir(), file))));
  }
  return dir;
}

/** A fresh clone's shape: the script in scripts/ of an otherwise empty repository folder inside `sandbox`. */
function cloneWithScript(sandbox: string): string {
  const repo = path.join(sandbox, "repo");
  fs.mkdirSync(path.join(repo, "scripts"), { recursive: true });
  fs.copyFileSync(FETCH_SCRIPT, path.join(repo, "scripts/fetch-reference.sh"));
  return repo;
}

function fetch(repo: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  return spawnSync("sh", [path.join(repo, "scripts/fetch-reference.sh")], { encoding: "utf8", env: { ...process.env, ...env } });
}

describe("scripts: fetch-reference.sh", function () {
  this.timeout(30000);

  it("lists exactly the reference files the tests read, so a fresh clone can fetch them all", () => {
    const listed = referenceFiles().map((f) => f.file).sort();
    assert.deepStrictEqual(listed, filesUnder(referenceDir()).filter((f) => f !== "README.md"));
  });

  it("records each file's SHA-256 as upstream has it (the reference folder holds the exact upstream files)", () => {
    for (const { file, sha256 } of referenceFiles()) assert.strictEqual(sha256Of(path.join(referenceDir(), file)), sha256, file);
  });

  it("fetches each at a tag or a full commit, never a moving branch", () => {
    for (const { file, url } of referenceFiles()) {
      assert.match(url.replace("$raw", RAW), /^https:\/\/raw\.githubusercontent\.com\/[\w.-]+\/[\w.-]+\/(v\d+\.\d+\.\d+|[0-9a-f]{40})\//, `${file}: ${url}`);
    }
  });

  it("fills .reference-cache inside the repository, checked, writing nothing outside it; then only what is missing or altered", () => {
    const sandbox = tempDir("fetch-sandbox-");
    const repo = cloneWithScript(sandbox);
    const env = { REFERENCE_BASE_URL: `file://${mirror()}`, REFERENCE_SHARED_DIR: path.join(sandbox, "no-shared") };
    const first = fetch(repo, env);
    assert.strictEqual(first.status, 0, first.stderr);
    assert.strictEqual(first.stdout.split("\n").filter((l) => l.startsWith("fetched ")).length, referenceFiles().length);
    assert.deepStrictEqual(fs.readdirSync(sandbox), ["repo"], "nothing written beside the repository");
    const cache = path.join(repo, ".reference-cache");
    assert.deepStrictEqual(locateReference({ shared: env.REFERENCE_SHARED_DIR, cache }), { dir: cache });

    const again = fetch(repo, env);
    assert.strictEqual(again.status, 0, again.stderr);
    assert.match(again.stdout, /already in/);

    const [gone, altered] = referenceFiles().slice(2, 4).map((f) => f.file);
    fs.rmSync(path.join(cache, gone));
    fs.appendFileSync(path.join(cache, altered), "# edited\n");
    assert.ok("problem" in locateReference({ shared: env.REFERENCE_SHARED_DIR, cache }), "an altered cache is not used");
    const repair = fetch(repo, env);
    assert.strictEqual(repair.status, 0, repair.stderr);
    assert.deepStrictEqual(repair.stdout.trim().split("\n").sort(), [`fetched ${gone}`, `fetched ${altered}`].sort());
  });

  it("refuses a download whose SHA-256 differs from the recorded one, leaving nothing", () => {
    const sandbox = tempDir("fetch-sandbox-");
    const repo = cloneWithScript(sandbox);
    const tampered = referenceFiles()[5].file;
    const base = mirror((file, content) => (file === tampered ? Buffer.concat([content, Buffer.from("\n# not upstream\n")]) : content));
    const r = fetch(repo, { REFERENCE_BASE_URL: `file://${base}`, REFERENCE_SHARED_DIR: path.join(sandbox, "no-shared") });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${tampered.replace(/[.]/g, "\\.")} from .* has SHA-256 [0-9a-f]{64}; expected [0-9a-f]{64}`));
    const cache = path.join(repo, ".reference-cache");
    assert.ok(!fs.existsSync(path.join(cache, tampered)) && !fs.existsSync(path.join(cache, `${tampered}.part`)), "no file, whole or half");
  });

  it("fails, naming the file, when a download fails", () => {
    const sandbox = tempDir("fetch-sandbox-");
    const repo = cloneWithScript(sandbox);
    const r = fetch(repo, { REFERENCE_BASE_URL: `file://${tempDir("empty-mirror-")}`, REFERENCE_SHARED_DIR: path.join(sandbox, "no-shared") });
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /could not fetch crds\/tekton-pipeline\/300-pipelinerun\.yaml from file:/);
  });

  it("fetches nothing where the shared reference folder already holds every file", () => {
    const sandbox = tempDir("fetch-sandbox-");
    const repo = cloneWithScript(sandbox);
    const bin = tempDir("no-curl-");
    fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\ntouch "${bin}/curl-ran"\nexit 1\n`, { mode: 0o755 });
    const r = fetch(repo, { PATH: `${bin}:${process.env.PATH}`, REFERENCE_SHARED_DIR: referenceDir() });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /already in/);
    assert.ok(!fs.existsSync(path.join(bin, "curl-ran")), "curl ran");
    assert.ok(!fs.existsSync(path.join(repo, ".reference-cache")));
  });
});

// Reads the pinned catalog Tasks (the policy knows their image params) and Kubernetes objects none.
const READS_REFERENCE = "tests/policy/images.test.ts";
// A program under Pulumi's mocks: what it warns is recorded, not printed, and its half-finished programs are no leak report.
const NEEDS_NO_REFERENCE = "tests/pulumi/credentials.test.ts";

/** How many tests a test file declares (`it(` at the start of a line). */
function testsIn(clone: string, file: string): number {
  return fs.readFileSync(path.join(clone, file), "utf8").split(/\n\s*it\(/).length - 1;
}

describe("tests: the reference files on a fresh clone", function () {
  this.timeout(60000);

  /** This repository's files as a clone has them (no ../shared beside it), node_modules linked. */
  function freshClone(): { sandbox: string; clone: string } {
    const sandbox = tempDir("fresh-clone-");
    const clone = projectCopy([], path.join(sandbox, "clone"));
    // A test file that reads the reference files and one that needs none, with the repository's own mocha options.
    const { quick } = require(path.join(clone, "tests/suites.js")) as { quick: Record<string, unknown> };
    fs.writeFileSync(path.join(clone, "mocharc.probe.json"), JSON.stringify({ ...quick, spec: [READS_REFERENCE, NEEDS_NO_REFERENCE] }));
    return { sandbox, clone };
  }

  function mocha(clone: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    const bin = path.join(clone, "node_modules/mocha/bin/mocha.js");
    return spawnSync(process.execPath, [bin, "--config", "mocharc.probe.json"], { cwd: clone, encoding: "utf8", env: { ...process.env, ...env } });
  }

  it("says once how to get them when they cannot be fetched, runs the tests that need none, fails those that do; passes once they can; quietly", () => {
    const { sandbox, clone } = freshClone();
    const noShared = { REFERENCE_SHARED_DIR: path.join(sandbox, "no-shared") };
    const failed = mocha(clone, { ...noShared, REFERENCE_BASE_URL: `file://${tempDir("empty-mirror-")}` });
    const output = failed.stdout + failed.stderr;
    assert.notStrictEqual(failed.status, 0, output);
    assert.strictEqual(output.split("cannot get them").length - 1, 1, output);
    assert.match(output, /run `sh scripts\/fetch-reference\.sh` where raw\.githubusercontent\.com is reachable/);
    // Offline, the way out is a copied folder named by REFERENCE_SHARED_DIR: the message says so.
    assert.match(output, /REFERENCE_SHARED_DIR=<that folder> npm test/);
    assert.match(output, /could not fetch crds\/tekton-pipeline\/300-pipelinerun\.yaml/);
    assert.doesNotMatch(output, /ENOENT|warning: \[runtime\]|promises? (was|were) still active/);
    // Every test of the file that needs no reference file passed; every failure is one that reads them.
    const passing = Number(/(\d+) passing/.exec(failed.stdout)?.[1] ?? 0);
    const failing = Number(/(\d+) failing/.exec(failed.stdout)?.[1] ?? 0);
    assert.ok(passing >= testsIn(clone, NEEDS_NO_REFERENCE), output);
    assert.ok(failing > 0, output);
    assert.strictEqual(failed.stdout.split(REFERENCE_MISSING).length - 1, failing, output);

    const passed = mocha(clone, { ...noShared, REFERENCE_BASE_URL: `file://${mirror()}` });
    assert.strictEqual(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /passing/);
    assert.doesNotMatch(passed.stdout + passed.stderr, /warning: \[runtime\]|promises? (was|were) still active/);
    assert.doesNotMatch(passed.stdout, /failing/);
    assert.ok(fs.existsSync(path.join(clone, ".reference-cache/tekton-catalog/git-clone-v1.7.0.yaml")));
  });
});
