// An app's language (a preset), or its own lint and test, read at the edge: what each becomes in the
// settings, and what a wrong one is told, naming the key, the value and what is expected.
import * as assert from "assert";
import { ConfigError } from "../../components/config/errors";
import { STACK_KEYS } from "../../components/config/keys";
import { parseSettings } from "../../components/config/parse";
import { appEntry, rawStack, settings } from "../helpers/fixtures";

const RUST = "docker.io/library/rust:1.93.0";

/** The problems parseSettings reports for these apps (and stack keys), one message each. */
function problems(apps: unknown[], extra: Record<string, unknown> = {}): string[] {
  try {
    parseSettings(rawStack(extra, apps));
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
  return [];
}

describe("config: presets and an app's own lint and test", () => {
  it("runs the go preset unless an app names its language, each with the stack's toolchains unless the app names its own", () => {
    const s = settings({ nodeVersion: "24.11.1" }, [appEntry("a"), appEntry("b", { language: "python", pythonVersion: "3.14.10" }), appEntry("c", { language: "node" })]);
    assert.deepStrictEqual(s.apps.map((a) => a.checks), [{ kind: "preset", language: "go" }, { kind: "preset", language: "python" }, { kind: "preset", language: "node" }]);
    assert.deepStrictEqual(s.apps.map((a) => [a.toolchains.pythonVersion, a.toolchains.nodeVersion]), [
      [STACK_KEYS.pythonVersion.default, "24.11.1"],
      ["3.14.10", "24.11.1"],
      [STACK_KEYS.pythonVersion.default, "24.11.1"],
    ]);
    assert.deepStrictEqual(s.toolchains, { ...Object.fromEntries(["goVersion", "golangciLintVersion", "pythonVersion", "mavenVersion", "javaVersion"].map((k) => [k, (STACK_KEYS as Record<string, { default?: unknown }>)[k].default])), nodeVersion: "24.11.1" });
  });

  it("takes an app's own test, with or without its own lint, instead of a preset", () => {
    const test = { image: RUST, script: "cargo test" };
    const lint = { image: RUST, script: "cargo clippy -- -D warnings" };
    const s = settings({}, [appEntry("a", { test }), appEntry("b", { test, lint })]);
    assert.deepStrictEqual(s.apps.map((a) => a.checks), [{ kind: "custom", test }, { kind: "custom", test, lint }]);
  });

  it("refuses an unknown language, naming the ones there are", () => {
    assert.deepStrictEqual(problems([appEntry("a", { language: "rust" })]), [
      'apps[0].language: got "rust"; expected one of go, node, python, maven, gradle (or the app\'s own test: { image, script })',
    ]);
  });

  it("refuses a language beside the app's own test, and a lint of its own without a test", () => {
    const own = { image: RUST, script: "cargo test" };
    assert.deepStrictEqual(problems([appEntry("a", { language: "node", test: own })]), [
      'apps[0].language: got "node"; beside test; expected either a preset (language) or the app\'s own test and lint, not both',
    ]);
    assert.match(problems([appEntry("a", { lint: own })]).join("\n"), /^apps\[0\]\.lint: got \{.*\}; without test; expected test: \{ image, script \} beside it/);
  });

  it("refuses an own step whose image is not pinned, whose script is empty or names a param, or that has other fields", () => {
    assert.deepStrictEqual(problems([appEntry("a", { test: { image: "docker.io/library/rust", script: "cargo test" } })]), [
      'apps[0].test.image: got "docker.io/library/rust"; expected an image pinned to a version tag or a sha256 digest, not latest',
    ]);
    assert.deepStrictEqual(problems([appEntry("a", { test: { image: RUST, script: "  \n" } })]), ['apps[0].test.script: got "  \\n"; expected the commands to run, not an empty script']);
    assert.deepStrictEqual(problems([appEntry("a", { test: { image: RUST, script: "cargo test $(params.flags)" } })]), [
      'apps[0].test.script: got "cargo test $(params.flags)"; expected no $(params.flags): the app\'s own lint and test Tasks declare no params or results (the script runs in the app\'s checkout, $(workspaces.source.path))',
    ]);
    assert.deepStrictEqual(problems([appEntry("a", { test: { image: RUST, script: "cargo test", workingDir: "/src" } })]), [
      'apps[0].test: got {"image":"docker.io/library/rust:1.93.0","script":"cargo test","workingDir":"...; unknown field workingDir; expected { image: <pinned image>, script: <the commands, run in the app\'s checkout> }',
    ]);
    assert.deepStrictEqual(problems([appEntry("a", { test: "cargo test" })]), [
      'apps[0].test: got "cargo test"; expected { image: <pinned image>, script: <the commands, run in the app\'s checkout> }',
    ]);
    assert.deepStrictEqual(problems([appEntry("a", { test: { script: "cargo test" } })]), ["apps[0].test.image: got nothing; it is required"]);
  });

  it("refuses a toolchain tag that is not pinned, for the stack and for an app", () => {
    assert.deepStrictEqual(problems([appEntry("a", { nodeVersion: "latest" })], { mavenVersion: "latest" }), [
      'mavenVersion: got "latest"; expected a pinned version tag such as 1.27.3, not latest',
      'apps[0].nodeVersion: got "latest"; expected a pinned version tag such as 1.27.3, not latest',
    ]);
  });

  it("tells a stack that still sets a removed catalog key what replaced it", () => {
    const found = problems([appEntry()], { gitCloneBundle: "ghcr.io/tektoncd-catalog/git-clone/bundle:v1.7.0", catalogRevision: "5".repeat(40) });
    assert.strictEqual(found.length, 2);
    for (const [i, key] of ["gitCloneBundle", "catalogRevision"].entries()) {
      assert.match(found[i], new RegExp(`^${key}: removed: the pipeline's clone, lint and test Tasks are the project's own, committed with the Pipeline \\(no resolver fetches a catalog Task\\); choose the toolchain with each app's language`));
    }
  });
});
