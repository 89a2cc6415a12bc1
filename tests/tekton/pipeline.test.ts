import * as assert from "assert";
import { execFileSync } from "child_process";
import { Pipeline, Task, TaskRef, TriggerTemplate } from "../../components/tekton/types";
import { catalogReferences, catalogTask, CatalogTask } from "../helpers/reference";
import { appEntry, plannedObject } from "../helpers/fixtures";

/**
 * The catalog Task a resolver reference fetches: the reference file whose README row gives exactly
 * these resolver params (a full SHA on the upstream default branch or of a release tag, or the bundle).
 */
function resolved(ref: TaskRef, ownTasks: Task[]): CatalogTask | Task {
  if ("kind" in ref) {
    const own = ownTasks.find((t) => t.metadata.name === ref.name);
    assert.ok(own, `no Task ${ref.name} in the ops repository`);
    return own;
  }
  const params = Object.fromEntries(ref.params.map((p) => [p.name, p.value]));
  const known = catalogReferences();
  const row = known.find((r) => r.resolver === ref.resolver && JSON.stringify(r.params) === JSON.stringify(params));
  assert.ok(row, `${ref.resolver} resolver ${JSON.stringify(params)} is none of the pinned references the reference README lists:\n${known.map((r) => `${r.file}: ${JSON.stringify(r.params)}`).join("\n")}`);
  if (ref.resolver === "git") assert.match(params.revision, /^[0-9a-f]{40}$/, "a git resolver reads at a full SHA");
  return catalogTask(row.file);
}

describe("tekton: build-pipeline", () => {
  const pipeline = plannedObject<Pipeline>("Pipeline", {}, undefined, "go-sample-app-build");
  const pullRequest = plannedObject<Pipeline>("Pipeline", {}, undefined, "go-sample-app-pr");
  const task = ["write-back", "status", "janitor"].map((n) => plannedObject<Task>("Task", {}, undefined, `go-sample-app-${n}`));

  it("runs clone → lint, test → update-image-revision, and builds no image", () => {
    assert.deepStrictEqual(
      pipeline.spec.tasks.map((t) => [t.name, t.runAfter ?? []]),
      [
        ["run-janitor", []],
        ["status-pending", []],
        ["fetch-repository", []],
        ["lint", ["fetch-repository"]],
        ["test", ["fetch-repository"]],
        ["update-image-revision", ["lint", "test"]],
      ],
    );
    assert.deepStrictEqual(pipeline.spec.finally?.map((t) => t.name), ["status-final", "status-recorded"]);
    assert.deepStrictEqual(pipeline.spec.params.map((p) => p.name), ["repo-url", "revision", "github-token-secret", "github-token-secret-key"]);
    assert.deepStrictEqual(pipeline.spec.workspaces.map((w) => w.name), ["shared-workspace", "git-credentials"]);
    const text = JSON.stringify(pipeline);
    for (const gone of ["build-image", "resources", "buildpacks", '"image"']) assert.ok(!text.includes(gone), `${gone} is still there`);
  });

  // Kept beside upstream-validate (npm run validate:upstream), which runs Tekton's own ValidateResolvedTask and
  // workspace.ValidateBindings for the write-back Task only: this also checks the catalog Tasks the
  // resolvers fetch (from the pinned reference copies), which upstream-validate cannot fetch.
  it("passes only params the referenced Tasks declare, and every param they require", () => {
    for (const pt of [pipeline, pullRequest].flatMap((p) => [...p.spec.tasks, ...(p.spec.finally ?? [])])) {
      const target = resolved(pt.taskRef, task);
      const declared = target.spec.params.map((p) => p.name);
      for (const p of pt.params) assert.ok(declared.includes(p.name), `${pt.name} passes ${p.name}, which ${target.metadata.name} does not declare`);
      for (const p of target.spec.params) {
        if (p.default === undefined) assert.ok(pt.params.some((q) => q.name === p.name), `${pt.name} omits required ${p.name}`);
      }
      const workspaces = target.spec.workspaces ?? [];
      for (const w of pt.workspaces ?? []) assert.ok(workspaces.some((d) => d.name === w.name), `${pt.name} binds unknown workspace ${w.name}`);
      for (const w of workspaces) if (!w.optional) assert.ok((pt.workspaces ?? []).some((b) => b.name === w.name), `${pt.name} leaves ${w.name} unbound`);
    }
  });

  it("pins every image the catalog Tasks would pull", () => {
    const version = (name: string) => pipeline.spec.tasks.find((t) => t.name === name)?.params.find((p) => p.name === "version")?.value;
    assert.strictEqual(version("test"), "1.27.3");
    assert.strictEqual(version("lint"), "v2.15.0");
    const golangTest = resolved(pipeline.spec.tasks.find((t) => t.name === "test")!.taskRef, task);
    assert.strictEqual(golangTest.spec.params.find((p) => p.name === "version")?.default, "latest", "without the param it would pull latest");
  });

  it("lints and tests for the node's architecture: the Go Tasks' steps get an empty GOARCH, which go reads as unset", () => {
    // Both catalog Tasks default GOARCH to amd64 and put $(params.GOARCH) in their step's env; an arm64
    // node would cross-compile, and golang-test's default -race then fails. What each step gets:
    for (const name of ["lint", "test"]) {
      const pt = pipeline.spec.tasks.find((t) => t.name === name)!;
      const target = resolved(pt.taskRef, task) as CatalogTask;
      const given = (param: string) => pt.params.find((p) => p.name === param)?.value ?? target.spec.params.find((p) => p.name === param)?.default;
      const goarch = target.spec.steps.map((step) => step.env?.find((e) => e.name === "GOARCH")?.value?.replace(/\$\(params\.([\w-]+)\)/g, (_, param: string) => given(param) ?? ""));
      assert.deepStrictEqual(goarch, [""], `${name} (${target.metadata.name}): GOARCH of each step`);
    }
    // The go command takes an empty GOARCH as unset and builds for its toolchain's own architecture
    // (go/src/cmd/go/internal/cfg/cfg.go, envOr), which is the node's in the multi-arch golang images.
    const goEnv = (env: NodeJS.ProcessEnv, key: string) => execFileSync("go", ["env", key], { env: { ...process.env, ...env }, encoding: "utf8" }).trim();
    assert.strictEqual(goEnv({ GOARCH: "" }, "GOARCH"), goEnv({ GOARCH: "" }, "GOHOSTARCH"));
  });

  it("records the pushed revision from a write-back that fetches the ops repository itself, after lint and test", () => {
    assert.strictEqual(pipeline.spec.tasks.find((t) => t.name === "fetch-ops-repository"), undefined, "no ops clone on the run's volume");
    const update = pipeline.spec.tasks.find((t) => t.name === "update-image-revision");
    assert.deepStrictEqual(update?.params.find((p) => p.name === "REVISION"), { name: "REVISION", value: "$(params.revision)" });
    assert.deepStrictEqual(update?.params.find((p) => p.name === "APP_URL"), { name: "APP_URL", value: "$(params.repo-url)" });
    assert.deepStrictEqual(update?.runAfter, ["lint", "test"]);
    assert.strictEqual(update?.workspaces, undefined, "the run's volume, which lint and test write, never meets the write-back's tokens");
  });

  it("clones the app into its folder of the volume, without submodules unless the app asks, where lint and test look", () => {
    const task = (name: string) => pipeline.spec.tasks.find((t) => t.name === name);
    const param = (name: string) => task("fetch-repository")?.params.find((p) => p.name === name)?.value;
    assert.strictEqual(param("subdirectory"), "app");
    assert.strictEqual(param("submodules"), "false");
    const withSubmodules = plannedObject<Pipeline>("Pipeline", {}, [appEntry("go-sample-app", { submodules: true })], "go-sample-app-build");
    assert.strictEqual(withSubmodules.spec.tasks.find((t) => t.name === "fetch-repository")?.params.find((p) => p.name === "submodules")?.value, "true");
    for (const name of ["lint", "test"]) assert.deepStrictEqual(task(name)?.workspaces, [{ name: "source", workspace: "shared-workspace", subPath: "app" }]);
  });

  it("gives the app's clone the git credentials Secret through git-clone's basic-auth workspace", () => {
    const run = plannedObject<TriggerTemplate>("TriggerTemplate", {}, undefined, "go-sample-app-build-run").spec.resourcetemplates[0];
    const auth = pipeline.spec.tasks.find((t) => t.name === "fetch-repository")?.workspaces?.find((w) => w.name === "basic-auth");
    const binding = run.spec.workspaces.find((b) => b.name === auth?.workspace);
    assert.deepStrictEqual(binding, { name: "git-credentials", secret: { secretName: "github-git-credentials" } });
  });

  it("gives the TriggerTemplate's PipelineRun a fresh volume writable by git-clone's user, removed when the run ends", () => {
    const tt = plannedObject<TriggerTemplate>("TriggerTemplate", {}, undefined, "go-sample-app-build-run");
    const [run] = tt.spec.resourcetemplates;
    assert.strictEqual(run.apiVersion, "tekton.dev/v1");
    assert.strictEqual(run.metadata.generateName, "go-sample-app-build-");
    assert.strictEqual(run.spec.taskRunTemplate.serviceAccountName, "go-sample-app-pipeline");
    // git-clone v1.7.0 runs as 65532 (its step's securityContext); the kubelet gives the volume to fsGroup.
    const gitClone = catalogTask("git-clone-v1.7.0.yaml") as unknown as { spec: { steps: { securityContext?: { runAsUser?: number } }[] } };
    assert.strictEqual(run.spec.taskRunTemplate.podTemplate.securityContext.fsGroup, gitClone.spec.steps[0].securityContext?.runAsUser);
    assert.strictEqual(run.spec.taskRunTemplate.podTemplate.securityContext.fsGroup, 65532);
    // tektoncd/pipeline deletes the claims of a finished run only for exactly "true" (Tekton >= 1.11).
    assert.strictEqual(run.metadata.annotations?.["tekton.dev/auto-cleanup-pvc"], "true");
    assert.deepStrictEqual(
      run.spec.workspaces.map((w) => ("volumeClaimTemplate" in w ? [w.name, w.volumeClaimTemplate.spec.accessModes] : [w.name, w.secret.secretName])),
      [
        ["shared-workspace", ["ReadWriteOnce"]],
        ["git-credentials", "github-git-credentials"],
      ],
    );
    assert.deepStrictEqual(
      run.spec.params.map((p) => `${p.name}=${p.value}`),
      ["repo-url=$(tt.params.REPO_URL)", "revision=$(tt.params.REVISION)", "github-token-secret=github-token", "github-token-secret-key=GITHUB_TOKEN"],
    );
    const bound = new Set(pipeline.spec.params.map((p) => p.name));
    assert.deepStrictEqual(run.spec.params.map((p) => p.name).filter((n) => !bound.has(n)), []);
  });
});
