import * as assert from "assert";
import { Pipeline, Task, TaskRef, TriggerTemplate } from "../../components/tekton/types";
import { catalogTask, CatalogTask } from "../helpers/reference";
import { plannedObject } from "../helpers/fixtures";

const CATALOG: Record<string, CatalogTask> = {
  "git-clone": catalogTask("git-clone-v1.7.0.yaml"),
  "golangci-lint": catalogTask("golangci-lint-0.2.yaml"),
  "golang-test": catalogTask("golang-test-0.2.yaml"),
};

function resolved(ref: TaskRef, updateTask: Task): CatalogTask | Task {
  if ("kind" in ref) {
    assert.strictEqual(ref.name, updateTask.metadata.name);
    return updateTask;
  }
  const param = (n: string) => ref.params.find((p) => p.name === n)?.value;
  if (ref.resolver === "bundles") {
    assert.strictEqual(param("bundle"), "ghcr.io/tektoncd-catalog/git-clone/bundle:v1.7.0");
    assert.strictEqual(param("kind"), "task");
    return CATALOG[param("name") ?? ""];
  }
  assert.strictEqual(param("url"), "https://github.com/tektoncd/catalog.git");
  assert.match(param("revision") ?? "", /^[0-9a-f]{40}$/, "the catalog is read at a pinned commit");
  const m = /^task\/([a-z-]+)\/0\.2\/\1\.yaml$/.exec(param("pathInRepo") ?? "");
  assert.ok(m, `unexpected pathInRepo ${param("pathInRepo")}`);
  return CATALOG[m[1]];
}

describe("tekton: build-pipeline", () => {
  const pipeline = plannedObject<Pipeline>("Pipeline");
  const task = plannedObject<Task>("Task");

  it("runs clone → lint, test → clone ops → update-image-revision, and builds no image", () => {
    assert.deepStrictEqual(
      pipeline.spec.tasks.map((t) => [t.name, t.runAfter ?? []]),
      [
        ["fetch-repository", []],
        ["lint", ["fetch-repository"]],
        ["test", ["fetch-repository"]],
        ["fetch-ops-repository", ["lint", "test"]],
        ["update-image-revision", ["fetch-ops-repository"]],
      ],
    );
    assert.deepStrictEqual(pipeline.spec.params.map((p) => p.name), ["repo-url", "revision", "github-token-secret", "github-token-secret-key"]);
    assert.deepStrictEqual(pipeline.spec.workspaces.map((w) => w.name), ["shared-workspace", "shared-ops-workspace"]);
    const text = JSON.stringify(pipeline);
    for (const gone of ["build-image", "resources", "buildpacks", '"image"']) assert.ok(!text.includes(gone), `${gone} is still there`);
  });

  it("passes only params the referenced Tasks declare, and every param they require", () => {
    for (const pt of pipeline.spec.tasks) {
      const target = resolved(pt.taskRef, task);
      const declared = target.spec.params.map((p) => p.name);
      for (const p of pt.params) assert.ok(declared.includes(p.name), `${pt.name} passes ${p.name}, which ${target.metadata.name} does not declare`);
      for (const p of target.spec.params) {
        if (p.default === undefined) assert.ok(pt.params.some((q) => q.name === p.name), `${pt.name} omits required ${p.name}`);
      }
      const workspaces = target.spec.workspaces;
      for (const w of pt.workspaces) assert.ok(workspaces.some((d) => d.name === w.name), `${pt.name} binds unknown workspace ${w.name}`);
      for (const w of workspaces) if (!w.optional) assert.ok(pt.workspaces.some((b) => b.name === w.name), `${pt.name} leaves ${w.name} unbound`);
    }
  });

  it("pins every image the catalog Tasks would pull", () => {
    const version = (name: string) => pipeline.spec.tasks.find((t) => t.name === name)?.params.find((p) => p.name === "version")?.value;
    assert.strictEqual(version("test"), "1.24.4");
    assert.strictEqual(version("lint"), "v2.1.6");
    assert.notStrictEqual(CATALOG["golang-test"].spec.params.find((p) => p.name === "version")?.default, version("test"));
  });

  it("clones the ops repository at the ops branch and records the pushed revision", () => {
    const ops = pipeline.spec.tasks.find((t) => t.name === "fetch-ops-repository");
    assert.deepStrictEqual(ops?.params.filter((p) => p.name !== "deleteExisting"), [
      { name: "url", value: "https://github.com/example-org/go-sample-app-ops.git" },
      { name: "revision", value: "main" },
    ]);
    const update = pipeline.spec.tasks.find((t) => t.name === "update-image-revision");
    assert.deepStrictEqual(update?.params.find((p) => p.name === "REVISION"), { name: "REVISION", value: "$(params.revision)" });
    assert.deepStrictEqual(update?.workspaces, [
      { name: "source", workspace: "shared-ops-workspace" },
      { name: "app-source", workspace: "shared-workspace" },
    ]);
  });

  it("gives the TriggerTemplate's PipelineRun a fresh volume per workspace and the token secret", () => {
    const tt = plannedObject<TriggerTemplate>("TriggerTemplate");
    const [run] = tt.spec.resourcetemplates;
    assert.strictEqual(run.apiVersion, "tekton.dev/v1");
    assert.strictEqual(run.metadata.generateName, "build-pipeline-run-");
    assert.strictEqual(run.spec.taskRunTemplate.serviceAccountName, "build-bot");
    assert.deepStrictEqual(run.spec.workspaces.map((w) => [w.name, w.volumeClaimTemplate.spec.accessModes]), [
      ["shared-workspace", ["ReadWriteOnce"]],
      ["shared-ops-workspace", ["ReadWriteOnce"]],
    ]);
    assert.deepStrictEqual(
      run.spec.params.map((p) => `${p.name}=${p.value}`),
      ["repo-url=$(tt.params.REPO_URL)", "revision=$(tt.params.REVISION)", "github-token-secret=github-token", "github-token-secret-key=GITHUB_TOKEN"],
    );
    const bound = new Set(pipeline.spec.params.map((p) => p.name));
    assert.deepStrictEqual(run.spec.params.map((p) => p.name).filter((n) => !bound.has(n)), []);
  });
});
