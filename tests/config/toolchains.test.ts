// The toolchains the presets run: defaults that are current, each checked against a record of its
// ecosystem's releases that this machine can read (the Go module proxy, the node-releases package the
// lockfile pins, the download list of the uv release CI pins, Maven Central), and an app's own choice.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../components/config/errors";
import { STACK_KEYS } from "../../components/config/keys";
import { parseSettings } from "../../components/config/parse";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { Task } from "../../components/tekton/types";
import { appEntry, rawStack, tempDir } from "../helpers/fixtures";

/** [1, 27, 3] of `1.27.3` or `go1.27.3`; a missing patch is 0. */
function versionParts(version: string): number[] {
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  assert.ok(m, `${version} is not a Go version`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** a >= b, on the first `parts` numbers: 3 for a toolchain against a go line, 2 for language versions. */
function atLeast(a: string, b: string, parts: 2 | 3): boolean {
  const [x, y] = [versionParts(a).slice(0, parts), versionParts(b).slice(0, parts)];
  const first = x.findIndex((n, i) => n !== y[i]);
  return first < 0 || x[first] > y[first];
}

/** The `go` line of a new module, as this machine's `go mod init` writes it. */
function newModuleGoLine(): string {
  const dir = tempDir("go-mod-init-");
  execFileSync("go", ["mod", "init", "example.com/app"], { cwd: dir, stdio: "pipe" });
  const line = /^go (\S+)$/m.exec(fs.readFileSync(path.join(dir, "go.mod"), "utf8"));
  assert.ok(line, "go mod init wrote no go line");
  return line[1];
}

/** The Go a golangci-lint release is built with, from its own sources as the Go module proxy serves them. */
function golangciLintBuiltWith(release: string): string {
  const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `github.com/golangci/golangci-lint/v2@${release}`], { encoding: "utf8" })) as { Dir: string };
  // .goreleaser.yml builds the binary the image (dockers_v2, build/buildx.Dockerfile) copies in,
  // in the release workflow, with the workflow's GO_VERSION.
  const workflow = fs.readFileSync(path.join(info.Dir, ".github/workflows/release.yml"), "utf8");
  const goVersion = /GO_VERSION:\s*'?([\w.]+)'?/.exec(workflow);
  assert.ok(goVersion, `golangci-lint ${release}: no GO_VERSION in its release workflow`);
  return goVersion[1];
}

/** The tag of the image each app's lint and test step runs in. */
const pipelineOf = (apps: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  planStack(parseSettings(rawStack(extra, apps)), RENDER_SECRETS).apps.map((app) => {
    const tasks = app.repoFiles.flatMap((f) => f.documents).filter((o): o is Task => o.kind === "Task");
    const version = (check: string) => tasks.find((t) => t.metadata.labels?.["app.kubernetes.io/component"] === check)?.spec.steps[0].image.split(":").pop();
    return { test: version("test"), lint: version("lint") };
  });

const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "deliberate-image-builds");

/** A tool on PATH, or an error naming it and how to get it. */
function tool(name: string, howToGet: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0) throw new Error(`${name} not found on PATH: ${howToGet}`);
  return found.stdout.trim();
}

/** Numeric version order: 26.9.0 < 26.13.0. */
const byVersion = (a: string, b: string) => {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  const i = x.findIndex((n, k) => n !== y[k]);
  return i < 0 ? 0 : x[i] - y[i];
};

describe("config: toolchains", () => {
  it("defaults Go to a patch the Go module proxy serves as a toolchain (go1.27.4: the newest, with its security fixes)", function () {
    this.timeout(120000);
    const goVersion = STACK_KEYS.goVersion.default;
    assert.match(goVersion, /^\d+\.\d+\.\d+$/, "a patch release, not a line");
    // The module the go command itself downloads to switch toolchains (cmd/go/internal/toolchain).
    const info = JSON.parse(execFileSync("go", ["mod", "download", "-json", `golang.org/toolchain@v0.0.1-go${goVersion}.linux-amd64`], { encoding: "utf8" })) as { Version?: string; Error?: string };
    assert.strictEqual(info.Error, undefined);
    assert.strictEqual(info.Version, `v0.0.1-go${goVersion}.linux-amd64`);
  });

  it("defaults Node.js to the newest release of the newest LTS line, as the pinned node-releases records them", () => {
    const schedule = require("node-releases/data/release-schedule/release-schedule.json") as Record<string, { lts?: string }>;
    const releases = require("node-releases/data/processed/envs.json") as { version: string; date: string }[];
    const newest = releases.map((r) => r.date).sort().pop()!;
    const ltsLines = Object.entries(schedule).filter(([, line]) => line.lts && line.lts <= newest).map(([line]) => Number(line.slice(1)));
    const line = Math.max(...ltsLines);
    const latest = releases.map((r) => r.version).filter((v) => v.startsWith(`${line}.`) && !v.includes("-")).sort(byVersion).pop();
    assert.strictEqual(STACK_KEYS.nodeVersion.default, latest, `the newest release of Node.js ${line} (LTS since ${schedule[`v${line}`].lts})`);
  });

  it("defaults Python to the newest release of the newest feature release, as the download list of the pinned uv records them", () => {
    const uv = tool("uv", "the Python default is checked against uv's download list: pip install uv==0.13.8 (.ci/run does)");
    const list = execFileSync(uv, ["python", "list", "--only-downloads", "--all-versions", "--offline"], { encoding: "utf8" });
    const finals = [...list.matchAll(/^cpython-(\d+\.\d+\.\d+)-linux-x86_64-gnu\s/gm)].map((m) => m[1]).sort(byVersion);
    assert.ok(finals.length > 0, `uv lists no CPython release:\n${list}`);
    assert.strictEqual(STACK_KEYS.pythonVersion.default, finals[finals.length - 1]);
  });

  it("defaults Maven to a release Maven Central serves, on Temurin's JDK 25 (the newest LTS)", function () {
    this.timeout(300000);
    const [release, jdk] = /^(\d+\.\d+\.\d+)-eclipse-temurin-(\d+)$/.exec(STACK_KEYS.mavenVersion.default)!.slice(1);
    assert.strictEqual(jdk, "25");
    const mvn = tool("mvn", "the Maven default is checked against Maven Central with Maven (Debian: apt-get install maven; .ci/run does)");
    const repo = path.join(CACHE, "presets", "m2");
    const got = spawnSync(mvn, ["-B", "-q", `-Dmaven.repo.local=${repo}`, "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get", `-Dartifact=org.apache.maven:maven-core:${release}:pom`, "-Dtransitive=false"], { encoding: "utf8" });
    assert.strictEqual(got.status, 0, `${got.stdout}${got.stderr}`);
    assert.ok(fs.existsSync(path.join(repo, "org/apache/maven/maven-core", release, `maven-core-${release}.pom`)));
  });

  it("defaults to a Go and a golangci-lint that take a module as today's go mod init writes it", function () {
    this.timeout(180000); // the first download of the golangci-lint module
    const goLine = newModuleGoLine();
    const goVersion = STACK_KEYS.goVersion.default;
    const golangciLint = STACK_KEYS.golangciLintVersion.default;
    // The golang images set GOTOOLCHAIN=local: a go line newer than the image's Go stops the tests
    // ("go.mod requires go >= ...").
    assert.ok(atLeast(goVersion, goLine, 3), `golang:${goVersion} cannot build a module with go ${goLine}`);
    // golangci-lint v2 pkg/goutil/version.go, CheckGoVersion: it refuses a module whose go line's language
    // version (major.minor, TrimGoVersion) is newer than that of the Go it was built with (version.Lang).
    const builtWith = golangciLintBuiltWith(golangciLint);
    assert.ok(atLeast(builtWith, goLine, 2), `golangci-lint ${golangciLint} is built with Go ${builtWith} and refuses a module with go ${goLine}`);
    assert.ok(atLeast(builtWith, goVersion, 2), `golangci-lint ${golangciLint} (Go ${builtWith}) refuses modules that golang:${goVersion} builds`);
  });

  it("runs each app with its own Go and golangci-lint where it names them, else the stack's", () => {
    const apps = [appEntry("pinned", { goVersion: "1.26.8", golangciLintVersion: "v2.14.0" }), appEntry("stack-default")];
    assert.deepStrictEqual(pipelineOf(apps), [
      { test: "1.26.8", lint: "v2.14.0" },
      { test: STACK_KEYS.goVersion.default, lint: STACK_KEYS.golangciLintVersion.default },
    ]);
    assert.deepStrictEqual(pipelineOf(apps, { goVersion: "1.27.1", golangciLintVersion: "v2.13.2" }), [
      { test: "1.26.8", lint: "v2.14.0" },
      { test: "1.27.1", lint: "v2.13.2" },
    ]);
  });

  it("rejects an app's toolchain that is not a pinned version, naming the app's key", () => {
    assert.throws(
      () => parseSettings(rawStack({}, [appEntry("a", { goVersion: "latest", golangciLintVersion: "v2 .1" })])),
      (err) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /apps\[0\]\.goVersion: got "latest"; expected a pinned version tag/);
        assert.match(err.message, /apps\[0\]\.golangciLintVersion: got "v2 \.1"; expected a pinned version tag/);
        return true;
      },
    );
  });
});
