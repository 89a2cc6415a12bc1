// The Go and golangci-lint the lint and test Tasks run: defaults that take a module as today's Go writes
// it, and an app's own choice of both.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
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

describe("config: toolchains", () => {
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
