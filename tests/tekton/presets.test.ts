// Each preset's lint and test, as rendered into its Tasks, run for real on this machine's toolchains
// (tests/helpers/task-runner.ts runs a Task's steps as Tekton would) against the sample app of
// tests/fixtures/presets: the app passes both, a failing test fails the test step, a lint error the
// lint step. A tool this machine lacks fails its test naming the tool and how to get it (.ci/run
// installs them all); only Gradle cannot be had here: its steps run against a stand-in for the wrapper.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Language } from "../../components/config/settings";
import { Task } from "../../components/tekton/types";
import { appEntry, plannedTask, tempDir } from "../helpers/fixtures";
import { runTask, TaskRunResult } from "../helpers/task-runner";

const FIXTURES = path.resolve(__dirname, "../fixtures/presets");
/** Downloads and builds the runs share (modules, wheels, Maven's repository): never inside the repository. */
const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "deliberate-image-builds");

/** The folder of a tool on PATH, or an error naming it and how to get it. */
function toolDir(tool: string, howToGet: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  if (found.status !== 0) throw new Error(`${tool} not found on PATH: the ${tool} preset steps run with it here. ${howToGet}`);
  return path.dirname(found.stdout.trim());
}

/** golangci-lint at the rendered lint image's version, built from the Go module proxy into the cache. */
function golangciLintDir(lint: Task): string {
  const version = lint.spec.steps[0].image.split(":").pop()!;
  const dir = path.join(CACHE, "tools", `golangci-lint-${version}`);
  if (!fs.existsSync(path.join(dir, "golangci-lint"))) {
    throw new Error(
      `golangci-lint ${version} not found in ${dir}: the go preset's lint image runs it. Build it with ` +
        `GOBIN=${dir} go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${version} (.ci/run does)`,
    );
  }
  return dir;
}

interface Preset {
  language: Language;
  /** Where the step's image tools are on this machine. */
  path: (lint: Task) => string[];
  /** Env the runs share so each does not download or build everything again: caches only. */
  sharedCaches: Record<string, string>;
}

const PRESETS: Preset[] = [
  {
    language: "go",
    path: (lint) => [golangciLintDir(lint), toolDir("go", "Install Go (the version tools/upstream-validate/go.mod names, or later).")],
    sharedCaches: { GOCACHE: path.join(CACHE, "presets", "go-build"), GOLANGCI_LINT_CACHE: path.join(CACHE, "presets", "golangci-lint"), GOFLAGS: "-buildvcs=false", GOTOOLCHAIN: "local" },
  },
  { language: "node", path: () => [toolDir("npm", "Install Node.js 20 or later with npm."), toolDir("node", "Install Node.js 20 or later.")], sharedCaches: { npm_config_cache: path.join(CACHE, "presets", "npm") } },
  {
    language: "python",
    path: () => [toolDir("python", "Install Python 3 with venv and pip as `python` (Debian: apt-get install python3-venv python-is-python3).")],
    sharedCaches: { PIP_CACHE_DIR: path.join(CACHE, "presets", "pip") },
  },
  {
    language: "maven",
    path: () => [toolDir("mvn", "Install Maven (Debian: apt-get install maven; .ci/run does)."), toolDir("java", "Install a JDK 17 or later.")],
    sharedCaches: { MAVEN_REPO_LOCAL: path.join(CACHE, "presets", "m2") },
  },
];

/** A copy of the sample app with a change's files laid over it. */
function sampleApp(language: Language, ...changes: string[]): string {
  const dir = path.join(tempDir(`preset-${language}-`), "app");
  fs.cpSync(path.join(FIXTURES, language, "app"), dir, { recursive: true });
  for (const change of changes) fs.cpSync(path.join(FIXTURES, language, change), dir, { recursive: true });
  return dir;
}

async function run(preset: Preset, which: "lint" | "test", source: string): Promise<TaskRunResult> {
  const apps = [appEntry("sample", { language: preset.language })];
  const task = plannedTask(which, {}, apps);
  const lint = plannedTask("lint", {}, apps);
  const toolPath = [...preset.path(lint), "/usr/bin", "/bin"].join(":");
  return runTask(task, { dir: tempDir(`preset-run-`), path: toolPath, workspaces: { source }, env: preset.sharedCaches });
}

const said = (r: TaskRunResult) => `${r.step} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;

describe("tekton: the presets' lint and test steps, run on this machine", function () {
  // A cold cache downloads the tools and their dependencies (pip, Maven Central, the Go module proxy).
  this.timeout(600000);

  for (const preset of PRESETS) {
    describe(`${preset.language} preset`, () => {
      it("passes the sample app's lint and test, one after the other in one checkout", async () => {
        const app = sampleApp(preset.language);
        const lint = await run(preset, "lint", app);
        assert.strictEqual(lint.code, 0, said(lint));
        const test = await run(preset, "test", app);
        assert.strictEqual(test.code, 0, said(test));
      });

      it("fails the test step on a failing test", async () => {
        const test = await run(preset, "test", sampleApp(preset.language, "failing-test"));
        assert.notStrictEqual(test.code, 0, said(test));
        // The failing assertion, in the test runner's words (go test shows the test, the others the expected value).
        assert.match(`${test.stdout}${test.stderr}`, /Goodbye, Ada!|--- FAIL: TestGreeting/, said(test));
      });

      it("fails the lint step on code its linter refuses", async () => {
        const lint = await run(preset, "lint", sampleApp(preset.language, "lint-error"));
        assert.notStrictEqual(lint.code, 0, said(lint));
        const expected: Record<string, RegExp> = { go: /errcheck/, node: /eqeqeq/, python: /F401/, maven: /UnusedImports|Unused import/ };
        assert.match(`${lint.stdout}${lint.stderr}`, expected[preset.language], said(lint));
      });
    });
  }

  it("node preset: without a lint script in package.json, the lint step installs and says there is nothing to lint", async () => {
    const lint = await run(PRESETS.find((p) => p.language === "node")!, "lint", sampleApp("node", "no-lint-script"));
    assert.strictEqual(lint.code, 0, said(lint));
    assert.match(lint.stdout, /package\.json has no lint script: nothing to lint/);
  });

  it("python preset: the project's own flake8 configuration picks flake8, which refuses the lint error too", async () => {
    const python = PRESETS.find((p) => p.language === "python")!;
    const clean = await run(python, "lint", sampleApp("python", "flake8"));
    assert.strictEqual(clean.code, 0, said(clean));
    const refused = await run(python, "lint", sampleApp("python", "flake8", "lint-error"));
    assert.notStrictEqual(refused.code, 0, said(refused));
    assert.match(refused.stdout, /F401 'sys' imported but unused/, said(refused));
  });

  it("an app's own test: its script runs in the checkout, with its own interpreter, and its exit status decides", async () => {
    const node = PRESETS.find((p) => p.language === "node")!;
    const own = (script: string) => plannedTask("test", {}, [appEntry("own", { test: { image: "docker.io/library/node:26.13.0", script } })]);
    const path_ = [...node.path(plannedTask("lint", {}, [appEntry("x", { language: "node" })])), "/usr/bin", "/bin"].join(":");
    const runOwn = (script: string, source: string) => runTask(own(script), { dir: tempDir("own-run-"), path: path_, workspaces: { source }, env: node.sharedCaches });
    // A #! script: node runs it, in the checkout (a relative require finds the app's module).
    const passing = await runOwn('#!/usr/bin/env node\nconst { greeting } = require(process.cwd() + "/src/greeting");\nif (greeting("Ada") !== "Hello, Ada!") process.exit(1);\nconsole.log("own test passed");\n', sampleApp("node"));
    assert.strictEqual(passing.code, 0, said(passing));
    assert.match(passing.stdout, /own test passed/);
    // No #!: sh runs it under `set -e` (Tekton's preamble): a failing command fails the step, not only the last.
    const failing = await runOwn("node --test test/\necho after the tests\n", sampleApp("node", "failing-test"));
    assert.notStrictEqual(failing.code, 0, said(failing));
    assert.doesNotMatch(failing.stdout, /after the tests/);
  });

  // The Gradle wrapper fetches its Gradle distribution from services.gradle.org, which neither this
  // machine nor CI reaches (only package registries), and Debian's gradle package is Gradle 4.4, older
  // than any current wrapper: Gradle itself does not run here (README, Presets). What the preset's own
  // steps do does: they call the project's wrapper, here a stand-in that knows only the two calls the
  // steps make, refuses any other, and ends as the test tells it to.
  describe("gradle preset, with a stand-in for the project's wrapper (Gradle itself cannot be had here)", () => {
    const WRAPPER_STAND_IN = [
      "#!/bin/sh",
      'case "$*" in',
      '  "--no-daemon check -x test") call=lint ;;',
      '  "--no-daemon check") call=test ;;',
      '  *) echo "gradlew stand-in: no such call: $*" >&2; exit 64 ;;',
      "esac",
      'echo "gradlew stand-in: $call, GRADLE_USER_HOME=$GRADLE_USER_HOME"',
      'exit "$(cat "outcome-$call" 2>/dev/null || echo 0)"',
      "",
    ].join("\n");
    const gradleApp = (outcomes: Record<string, number> = {}) => {
      const dir = path.join(tempDir("preset-gradle-"), "app");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "gradlew"), WRAPPER_STAND_IN);
      for (const [call, code] of Object.entries(outcomes)) fs.writeFileSync(path.join(dir, `outcome-${call}`), String(code));
      return dir;
    };
    const gradle: Preset = { language: "gradle", path: () => [], sharedCaches: {} };

    it("lint runs the wrapper's check without the tests, test its whole check, with Gradle's home in the pod's HOME volume", async () => {
      const app = gradleApp();
      const lint = await run(gradle, "lint", app);
      assert.strictEqual(lint.code, 0, said(lint));
      assert.match(lint.stdout, /gradlew stand-in: lint, GRADLE_USER_HOME=\S*\/home\/\.gradle\n/, said(lint));
      const test = await run(gradle, "test", app);
      assert.strictEqual(test.code, 0, said(test));
      assert.match(test.stdout, /gradlew stand-in: test, GRADLE_USER_HOME=\S*\/home\/\.gradle\n/, said(test));
    });

    it("fails the step the wrapper fails", async () => {
      const lint = await run(gradle, "lint", gradleApp({ lint: 1 }));
      assert.strictEqual(lint.code, 1, said(lint));
      const test = await run(gradle, "test", gradleApp({ test: 1 }));
      assert.strictEqual(test.code, 1, said(test));
    });
  });
});
