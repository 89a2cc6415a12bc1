import * as assert from "assert";
import { Pipeline, Task, TaskRef, TriggerTemplate } from "../../components/tekton/types";
import { catalogReferences, catalogTask, CatalogTask } from "../helpers/reference";
import { plannedObject } from "../helpers/fixtures";

/**
 * The catalog Task a resolver reference fetches: the reference file whose README row gives exactly
 * these resolver params (a full SHA on the upstream default branch or of a release tag, or the bundle).
 */
function resolved(ref: TaskRef, updateTask: Task): CatalogTask | Task {
  if ("kind" in ref) {
    assert.strictEqual(ref.name, updateTask.metadata.name);
    return updateTask;
  }
  const params = Object.fromEntries(ref.params.map((p) => [p.name, p.value]));
  const known = catalogReferences();
  const row = known.find((r) => r.resolver === ref.resolver && JSON.stringify(r.params) === JSON.stringify(params));
  assert.ok(row, `${ref.resolver} resolver ${JSON.stringify(params)} is none of the pinned references the reference README lists:\n${known.map((r) => `${r.file}: ${JSON.stringify(r.params)}`).join("\n")}`);
  if (ref.resolver === "git") assert.match(params.revision, /^[0-9a-f]{40}$/, "a git resolver reads at a full SHA");
  return catalogTask(row.file);
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
    const golangTest = resolved(pipeline.spec.tasks.find((t) => t.name === "test")!.taskRef, task);
    assert.strictEqual(golangTest.spec.params.find((p) => p.name === "version")?.default, "latest", "without the param it would pull latest");
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
