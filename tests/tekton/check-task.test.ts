// The lint and test Tasks of each preset as rendered: the official image at the app's tag, the
// preset's script file, its caches under HOME; an app's own step as given, nothing of a preset's.
import * as assert from "assert";
import { Language, LANGUAGES } from "../../components/config/settings";
import { HOME_PATH } from "../../components/tekton/steps";
import { presetScript } from "../../components/tekton/presets";
import { appEntry, plannedTask } from "../helpers/fixtures";

const IMAGES: Record<Language, [string, string]> = {
  go: ["docker.io/golangci/golangci-lint:v2.15.0", "docker.io/library/golang:1.27.4"],
  node: ["docker.io/library/node:26.13.0", "docker.io/library/node:26.13.0"],
  python: ["docker.io/library/python:3.15.2", "docker.io/library/python:3.15.2"],
  maven: ["docker.io/library/maven:3.10.1-eclipse-temurin-25", "docker.io/library/maven:3.10.1-eclipse-temurin-25"],
  gradle: ["docker.io/library/eclipse-temurin:25-jdk", "docker.io/library/eclipse-temurin:25-jdk"],
};

describe("tekton: the lint and test Tasks", () => {
  for (const language of LANGUAGES) {
    it(`${language} preset: its official images at the stack's tags, its scripts, in the checkout, caches under HOME`, () => {
      const apps = [appEntry("sample", { language })];
      const [lint, test] = (["lint", "test"] as const).map((which) => plannedTask(which, {}, apps));
      assert.deepStrictEqual([lint.spec.steps[0].image, test.spec.steps[0].image], IMAGES[language]);
      for (const [which, task] of [["lint", lint], ["test", test]] as const) {
        const [step] = task.spec.steps;
        assert.strictEqual(step.script, presetScript(language, which));
        assert.match(step.script, /^#!\/bin\/sh\n/);
        assert.strictEqual(step.workingDir, "$(workspaces.source.path)");
        assert.deepStrictEqual(task.spec.workspaces?.map((w) => w.name), ["source"]);
        assert.strictEqual(task.spec.params, undefined, "no params: the API server would drop an empty list");
        for (const e of step.env ?? []) if (/CACHE|GOPATH|_HOME$|REPO_LOCAL|cache/.test(e.name)) assert.ok(e.value?.startsWith(`${HOME_PATH}/`), `${e.name}=${e.value}`);
      }
    });
  }

  it("runs an app's own tag of its preset's image", () => {
    const apps = [appEntry("sample", { language: "node", nodeVersion: "24.11.1" })];
    assert.strictEqual(plannedTask("test", { nodeVersion: "25.0.0" }, apps).spec.steps[0].image, "docker.io/library/node:24.11.1");
  });

  it("pins the Python tools the python preset installs, and passes the import path to the go preset", () => {
    const python = plannedTask("lint", {}, [appEntry("sample", { language: "python" })]).spec.steps[0].env ?? [];
    assert.deepStrictEqual(python.filter((e) => e.name.endsWith("_VERSION")), [
      { name: "RUFF_VERSION", value: "0.17.5" },
      { name: "FLAKE8_VERSION", value: "7.5.0" },
      { name: "PYTEST_VERSION", value: "9.2.0" },
    ]);
    const go = plannedTask("test", {}, [appEntry("sample", { goPackage: "example.com/team/sample" })]).spec.steps[0].env ?? [];
    assert.deepStrictEqual(go.find((e) => e.name === "GO_PACKAGE"), { name: "GO_PACKAGE", value: "example.com/team/sample" });
  });
});
