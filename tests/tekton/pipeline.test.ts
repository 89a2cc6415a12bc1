import * as assert from "assert";
import { NON_ROOT_USER, restrictedPodSecurityContext, restrictedSecurityContext } from "../../components/kubernetes/types";
import { Pipeline, PipelineTask, Task, TriggerTemplate } from "../../components/tekton/types";
import { appEntry, plannedObject, settings } from "../helpers/fixtures";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";

/** Every object of the first app's Tekton file, for a stack of these apps. */
function tektonObjects(apps?: unknown[]) {
  const documents = planStack(settings({}, apps), RENDER_SECRETS).apps[0].repoFiles.flatMap((f) => f.documents);
  return {
    pipeline: documents.find((d): d is Pipeline => d.kind === "Pipeline")!,
    tasks: documents.filter((d): d is Task => d.kind === "Task"),
    text: JSON.stringify(documents),
  };
}

/** The Task a pipeline task runs: by name, in the same file (no resolver fetches one). */
function taskOf(pt: PipelineTask, tasks: Task[]): Task {
  const found = tasks.find((t) => t.metadata.name === pt.taskRef.name);
  assert.ok(found, `${pt.name} runs Task ${pt.taskRef.name}, which the file does not hold`);
  return found;
}

describe("tekton: build-pipeline", () => {
  const { pipeline, tasks, text } = tektonObjects();
  const pipelineTask = (name: string) => pipeline.spec.tasks.find((t) => t.name === name);

  it("runs clone → lint → test → update-image-revision, one after another in the one checkout, and builds no image", () => {
    assert.deepStrictEqual(
      pipeline.spec.tasks.map((t) => [t.name, t.runAfter ?? []]),
      [
        ["fetch-repository", []],
        ["lint", ["fetch-repository"]],
        ["test", ["lint"]],
        ["update-image-revision", ["test"]],
      ],
    );
    assert.deepStrictEqual(pipeline.spec.params.map((p) => p.name), ["repo-url", "revision", "github-token-secret", "github-token-secret-key"]);
    assert.deepStrictEqual(pipeline.spec.workspaces.map((w) => w.name), ["shared-workspace", "git-credentials"]);
    for (const gone of ["build-image", "resources", "buildpacks"]) assert.ok(!JSON.stringify(pipeline).includes(gone), `${gone} is still there`);
  });

  it("runs only Tasks of its own file, by name: no resolver fetches a Task from a catalog", () => {
    assert.deepStrictEqual(
      pipeline.spec.tasks.map((pt) => taskOf(pt, tasks).metadata.name),
      ["go-sample-app-clone", "go-sample-app-lint", "go-sample-app-test", "go-sample-app-write-back"],
    );
    assert.doesNotMatch(text, /resolver|bundle|tektoncd\/catalog|tektoncd-catalog/);
  });

  // Kept beside upstream-validate (npm run validate:upstream), which runs Tekton's own validation.
  it("passes only params the Tasks declare, every param they require, and binds exactly their workspaces", () => {
    for (const pt of pipeline.spec.tasks) {
      const target = taskOf(pt, tasks);
      const declared = (target.spec.params ?? []).map((p) => p.name);
      for (const p of pt.params ?? []) assert.ok(declared.includes(p.name), `${pt.name} passes ${p.name}, which ${target.metadata.name} does not declare`);
      for (const p of target.spec.params ?? []) {
        if (p.default === undefined) assert.ok((pt.params ?? []).some((q) => q.name === p.name), `${pt.name} omits required ${p.name}`);
      }
      const workspaces = target.spec.workspaces ?? [];
      for (const w of pt.workspaces ?? []) assert.ok(workspaces.some((d) => d.name === w.name), `${pt.name} binds unknown workspace ${w.name}`);
      for (const w of workspaces) if (!w.optional) assert.ok((pt.workspaces ?? []).some((b) => b.name === w.name), `${pt.name} leaves ${w.name} unbound`);
    }
  });

  it("lints and tests the go preset in the official images at the stack's pinned tags, for the node's architecture", () => {
    const image = (name: string) => taskOf(pipelineTask(name)!, tasks).spec.steps.map((s) => s.image);
    assert.deepStrictEqual(image("lint"), ["docker.io/golangci/golangci-lint:v2.15.0"]);
    assert.deepStrictEqual(image("test"), ["docker.io/library/golang:1.27.4"]);
    // No GOARCH or GOOS: go builds for its toolchain's own architecture, the node's in the multi-arch images.
    for (const task of tasks) for (const step of task.spec.steps) assert.ok(!(step.env ?? []).some((e) => /^GO(ARCH|OS)$/.test(e.name)), `${task.metadata.name} sets ${JSON.stringify(step.env)}`);
  });

  it("runs every step of every Task restricted, as the fixed user, from the Task's stepTemplate", () => {
    for (const task of tasks) {
      assert.deepStrictEqual(task.spec.stepTemplate.securityContext, restrictedSecurityContext(), task.metadata.name);
      for (const step of task.spec.steps) assert.strictEqual(step.securityContext, undefined, `${task.metadata.name} ${step.name} overrides the template`);
    }
    assert.deepStrictEqual(restrictedSecurityContext(), {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("gives clone, lint and test a HOME on an emptyDir of their pod, and caches under it, never in the image", () => {
    for (const name of ["fetch-repository", "lint", "test"]) {
      const task = taskOf(pipelineTask(name)!, tasks);
      const env = Object.fromEntries([...(task.spec.stepTemplate.env ?? []), ...task.spec.steps.flatMap((s) => s.env ?? [])].map((e) => [e.name, e.value ?? ""]));
      const mount = task.spec.stepTemplate.volumeMounts?.find((m) => m.mountPath === env.HOME);
      assert.ok(mount, `${task.metadata.name}: HOME ${env.HOME} is on no volume`);
      assert.deepStrictEqual(task.spec.volumes?.find((v) => v.name === mount.name), { name: mount.name, emptyDir: {} });
      for (const [key, value] of Object.entries(env)) {
        if (/CACHE|GOPATH|_HOME$|cache/.test(key)) assert.ok(value.startsWith(`${env.HOME}/`), `${task.metadata.name}: ${key}=${value} is outside HOME`);
      }
    }
    const go = taskOf(pipelineTask("test")!, tasks).spec.steps[0].env ?? [];
    assert.deepStrictEqual(go.filter((e) => ["GOPATH", "GOCACHE", "GOLANGCI_LINT_CACHE"].includes(e.name)).map((e) => e.name), ["GOPATH", "GOCACHE", "GOLANGCI_LINT_CACHE"]);
  });

  it("records the pushed revision from a write-back that fetches the ops repository itself, after lint and test", () => {
    assert.strictEqual(pipelineTask("fetch-ops-repository"), undefined, "no ops clone on the run's volume");
    const update = pipelineTask("update-image-revision");
    assert.deepStrictEqual(update?.params?.find((p) => p.name === "REVISION"), { name: "REVISION", value: "$(params.revision)" });
    assert.deepStrictEqual(update?.params?.find((p) => p.name === "APP_URL"), { name: "APP_URL", value: "$(params.repo-url)" });
    assert.deepStrictEqual(update?.runAfter, ["test"]);
    assert.strictEqual(update?.workspaces, undefined, "the run's volume, which lint and test write, never meets the write-back's tokens");
  });

  it("clones the app into its folder of the volume, without submodules unless the app asks, where lint and test look", () => {
    const param = (name: string) => pipelineTask("fetch-repository")?.params?.find((p) => p.name === name)?.value;
    assert.strictEqual(param("subdirectory"), "app");
    assert.strictEqual(param("submodules"), "false");
    const withSubmodules = plannedObject<Pipeline>("Pipeline", {}, [appEntry("go-sample-app", { submodules: true })]);
    assert.strictEqual(withSubmodules.spec.tasks[0].params?.find((p) => p.name === "submodules")?.value, "true");
    for (const name of ["lint", "test"]) assert.deepStrictEqual(pipelineTask(name)?.workspaces, [{ name: "source", workspace: "shared-workspace", subPath: "app" }]);
  });

  it("gives the app's clone the git credentials Secret through the clone's basic-auth workspace, and no other Task any", () => {
    const run = plannedObject<TriggerTemplate>("TriggerTemplate").spec.resourcetemplates[0];
    const auth = pipelineTask("fetch-repository")?.workspaces?.find((w) => w.name === "basic-auth");
    const binding = run.spec.workspaces.find((b) => b.name === auth?.workspace);
    assert.deepStrictEqual(binding, { name: "git-credentials", secret: { secretName: "github-git-credentials" } });
    const others = pipeline.spec.tasks.filter((t) => t.name !== "fetch-repository").flatMap((t) => t.workspaces ?? []);
    assert.ok(!others.some((w) => w.workspace === "git-credentials"));
    for (const task of tasks.filter((t) => t.metadata.name !== "go-sample-app-write-back")) {
      assert.doesNotMatch(JSON.stringify(task), /secretKeyRef/, `${task.metadata.name} reads a Secret`);
    }
  });

  it("runs an app's own test without a lint when it gives none, and its own lint before its own test", () => {
    const own = (extra: Record<string, unknown>) => tektonObjects([appEntry("rust-app", { test: { image: "docker.io/library/rust:1.93.0", script: "cargo test" }, ...extra })]);
    const alone = own({});
    assert.deepStrictEqual(alone.pipeline.spec.tasks.map((t) => [t.name, t.runAfter ?? []]), [
      ["fetch-repository", []],
      ["test", ["fetch-repository"]],
      ["update-image-revision", ["test"]],
    ]);
    assert.deepStrictEqual(alone.tasks.map((t) => t.metadata.name), ["rust-app-write-back", "rust-app-clone", "rust-app-test"]);
    const test = alone.tasks.find((t) => t.metadata.name === "rust-app-test")!;
    assert.deepStrictEqual(test.spec.steps, [{ name: "test", image: "docker.io/library/rust:1.93.0", workingDir: "$(workspaces.source.path)", script: "cargo test" }]);
    assert.deepStrictEqual(test.spec.stepTemplate.securityContext, restrictedSecurityContext());
    const both = own({ lint: { image: "docker.io/library/rust:1.93.0", script: "cargo clippy -- -D warnings" } });
    assert.deepStrictEqual(both.pipeline.spec.tasks.map((t) => t.name), ["fetch-repository", "lint", "test", "update-image-revision"]);
  });

  it("gives the TriggerTemplate's PipelineRun a fresh volume, every TaskRun's pod restricted as the steps' user, and removes the volume when the run ends", () => {
    const tt = plannedObject<TriggerTemplate>("TriggerTemplate");
    const [run] = tt.spec.resourcetemplates;
    assert.strictEqual(run.apiVersion, "tekton.dev/v1");
    assert.strictEqual(run.metadata.generateName, "go-sample-app-build-");
    assert.strictEqual(run.spec.taskRunTemplate.serviceAccountName, "go-sample-app-pipeline");
    // The kubelet gives the fresh volume to fsGroup: the steps' user's group writes it.
    assert.deepStrictEqual(run.spec.taskRunTemplate.podTemplate.securityContext, restrictedPodSecurityContext());
    assert.deepStrictEqual(run.spec.taskRunTemplate.podTemplate.securityContext, {
      runAsNonRoot: true,
      runAsUser: NON_ROOT_USER,
      runAsGroup: NON_ROOT_USER,
      fsGroup: NON_ROOT_USER,
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const task of tasks) assert.strictEqual(task.spec.stepTemplate.securityContext.runAsUser, run.spec.taskRunTemplate.podTemplate.securityContext.fsGroup);
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
