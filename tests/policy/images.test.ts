import * as assert from "assert";
import { planStack } from "../../components/plan/stack";
import { TEKTON_FILE } from "../../components/plan/ops-repository";
import { RENDER_SECRETS } from "../../components/synth/render";
import { CATALOG_IMAGE_PARAMS, catalogTaskOf, imagesIn, unpinnedImages } from "../../policy/images";
import { at, Data, isData, yamlDocuments } from "../../policy/objects";
import { Param, Task } from "../../components/tekton/types";
import { checkImagesPinned, imagesPinned } from "../../policy/rules";
import { appEntry, settings } from "../helpers/fixtures";
import { catalogReferences, catalogTask } from "../helpers/reference";
import { editedFileResource, planFile, planResources, repositoryFileResource, validateResource, violations } from "./harness";

const plan = planStack(settings(), RENDER_SECRETS);
const tekton = planFile(plan, TEKTON_FILE);
const WHERE = "go-sample-app-ops@main:cicd/tekton/build-pipeline.yaml";

/** The Tekton file with the write-back step's image changed. */
const stepImage = (image: string) =>
  editedFileResource<Task>(tekton, "Task", (task) => {
    if (task.metadata.name === "go-sample-app-write-back") task.spec.steps[0].image = image;
  });

/**
 * A Pipeline running tektoncd-catalog/golang's golang-test by the git resolver, with these params: the
 * program's own Pipelines run only Tasks of their file, but one of an operator's own may still do so.
 */
function catalogTestPipeline(params: Param[]): Data {
  const ref = { resolver: "git", params: [{ name: "revision", value: "ba30a4886564e2455c065ef871c05c39b49b6fd6" }, { name: "pathInRepo", value: "task/golang-test/golang-test.yaml" }] };
  return { apiVersion: "tekton.dev/v1", kind: "Pipeline", metadata: { name: "p" }, spec: { tasks: [{ name: "test", taskRef: ref, params }] } } as unknown as Data;
}

describe("policy images-pinned", () => {
  it("finds every image the Tekton file makes the cluster pull: each Task's step, all written out", () => {
    const uses = tekton.documents.flatMap((doc) => imagesIn(doc).map((u) => [`${doc.kind} ${"metadata" in doc ? doc.metadata.name : ""} ${u.path}`, u.image]));
    assert.deepStrictEqual(uses, [
      ["Task go-sample-app-write-back spec.steps[0].image", "docker.io/alpine/git:v2.49.1"],
      ["Task go-sample-app-clone spec.steps[0].image", "docker.io/alpine/git:v2.49.1"],
      ["Task go-sample-app-lint spec.steps[0].image", "docker.io/golangci/golangci-lint:v2.15.0"],
      ["Task go-sample-app-test spec.steps[0].image", "docker.io/library/golang:1.27.4"],
    ]);
  });

  it("knows the catalog Tasks' image params as upstream declares them (../shared/reference)", () => {
    const files: Record<string, string> = { "golang-test": "golang-test-golang-v1.0.0.yaml", "golangci-lint": "golangci-lint-0.2.yaml", "git-clone": "git-clone-v1.7.0.yaml" };
    for (const c of CATALOG_IMAGE_PARAMS) {
      const task: unknown = catalogTask(files[c.task]);
      const [version, fallback] = Object.entries(c.defaults)[0];
      const row = catalogReferences().find((r) => r.file === files[c.task]);
      const fetched = `${row?.params.bundle ?? ""} ${row?.params.revision ?? ""} ${row?.params.pathInRepo ?? ""}`;
      assert.ok(fetched.includes(version), `${c.task}: the recorded default is for ${version}, the reference is ${fetched}`);
      const params = at(task, "spec.params");
      const declared = Array.isArray(params) ? params.filter(isData).find((p) => p.name === c.param) : undefined;
      assert.strictEqual(declared?.default, fallback, `${c.task} ${c.param} default`);
      const steps = at(task, "spec.steps");
      const images = Array.isArray(steps) ? steps.filter(isData).map((s) => s.image) : [];
      const expected = c.repository ? `${c.repository}:$(params.${c.param})` : `$(params.${c.param})`;
      assert.ok(images.includes(expected), `${c.task} runs ${images.join(", ")}, not ${expected}`);
    }
  });

  it("tells which catalog Task and version a resolver reference points at", () => {
    const git = (pathInRepo: string): Data => ({ resolver: "git", params: [{ name: "pathInRepo", value: pathInRepo }] });
    assert.deepStrictEqual(catalogTaskOf(git("task/golang-test/0.2/golang-test.yaml")), { task: "golang-test", version: "0.2" });
    assert.strictEqual(catalogTaskOf(git("task/golang-test/0.2/other.yaml")), undefined);
    const atCommit: Data = { resolver: "git", params: [{ name: "revision", value: "b".repeat(40) }, { name: "pathInRepo", value: "task/golang-test/golang-test.yaml" }] };
    assert.deepStrictEqual(catalogTaskOf(atCommit), { task: "golang-test", version: "b".repeat(40) });
    const bundle = (ref: string): Data => ({ resolver: "bundles", params: [{ name: "bundle", value: ref }, { name: "name", value: "git-clone" }] });
    assert.deepStrictEqual(catalogTaskOf(bundle("ghcr.io/tektoncd-catalog/git-clone/bundle:v1.7.0")), { task: "git-clone", version: "v1.7.0" });
    assert.deepStrictEqual(catalogTaskOf(bundle(`ghcr.io/tektoncd-catalog/git-clone/bundle@sha256:${"a".repeat(64)}`)), { task: "git-clone", version: `sha256:${"a".repeat(64)}` });
    assert.strictEqual(catalogTaskOf({ kind: "Task", name: "update-image-revision" }), undefined);
  });

  it("passes every repository file and Application the program plans", () => {
    const twoInOneNamespace = [appEntry("a", { namespace: "builds" }), appEntry("b", { namespace: "builds" })];
    for (const resource of planResources(planStack(settings({}, twoInOneNamespace), RENDER_SECRETS))) {
      assert.deepStrictEqual(violations((r) => checkImagesPinned(resource, r)), [], resource.name);
    }
  });

  it("reports a step image without a tag, naming the file, the Task, the field and the image", () => {
    assert.deepStrictEqual(violations((r) => checkImagesPinned(stepImage("docker.io/alpine/git"), r)), [
      `${WHERE}, Task default/go-sample-app-write-back: spec.steps[0].image is "docker.io/alpine/git"; expected an image pinned to a version tag or a sha256 digest, not latest`,
    ]);
  });

  it("reports a step image tagged latest, and accepts one pinned by digest alone", async () => {
    const latest = stepImage("docker.io/alpine/git:latest");
    assert.deepStrictEqual((await validateResource(imagesPinned, latest)).violations, [
      `${WHERE}, Task default/go-sample-app-write-back: spec.steps[0].image is "docker.io/alpine/git:latest"; expected an image pinned to a version tag or a sha256 digest, not latest`,
    ]);
    const digest = stepImage(`docker.io/alpine/git@sha256:${"0".repeat(64)}`);
    assert.deepStrictEqual((await validateResource(imagesPinned, digest)).violations, []);
  });

  it("reports a catalog Task a Pipeline runs at latest, through its version param", () => {
    assert.deepStrictEqual(unpinnedImages(catalogTestPipeline([{ name: "version", value: "latest" }])), [
      `spec.tasks[0] (test) runs golang-test ba30a4886564e2455c065ef871c05c39b49b6fd6 with version "latest", so it pulls "docker.io/library/golang:latest"; expected an image pinned to a version tag or a sha256 digest, not latest`,
    ]);
  });

  it("reports a catalog Task whose version param is left out when its default is latest", () => {
    assert.deepStrictEqual(unpinnedImages(catalogTestPipeline([])), [
      `spec.tasks[0] (test) runs golang-test ba30a4886564e2455c065ef871c05c39b49b6fd6 without version (default "latest"), so it pulls "docker.io/library/golang:latest"; expected an image pinned to a version tag or a sha256 digest, not latest`,
    ]);
  });

  it("reports a catalog version whose default is unknown here when the param is left out, and an unpinned bundle", () => {
    const pipeline: Data = {
      apiVersion: "tekton.dev/v1",
      kind: "Pipeline",
      metadata: { name: "p" },
      spec: {
        tasks: [
          { name: "t", taskRef: { resolver: "git", params: [{ name: "pathInRepo", value: "task/golang-test/0.3/golang-test.yaml" }] }, params: [] },
          { name: "c", taskRef: { resolver: "bundles", params: [{ name: "bundle", value: "ghcr.io/tektoncd-catalog/git-clone/bundle" }, { name: "name", value: "git-clone" }] } },
        ],
      },
    };
    assert.deepStrictEqual(unpinnedImages(pipeline), [
      "spec.tasks[0] (t) runs golang-test 0.3 without version, and that version's default image is not known here; expected version passed, pinned",
      'spec.tasks[1] (c) runs git-clone latest without gitInitImage, and that version\'s default image is not known here; expected gitInitImage passed, pinned',
      'spec.tasks[1].taskRef.params.bundle is "ghcr.io/tektoncd-catalog/git-clone/bundle"; expected an image pinned to a version tag or a sha256 digest, not latest',
    ]);
  });

  it("reports an image a parameter chooses at run time: it cannot be shown to be pinned", () => {
    const task: Data = { kind: "Task", spec: { steps: [{ name: "s", image: "$(params.image)" }] } };
    assert.deepStrictEqual(unpinnedImages(task), [
      'spec.steps[0].image is "$(params.image)"; expected an image pinned to a version tag or a sha256 digest, written out: one a parameter chooses at run time cannot be checked',
    ]);
  });

  it("checks the pod specs of Kubernetes resources and of any object in a repository file", () => {
    const deployment = {
      type: "kubernetes:apps/v1:Deployment",
      name: "web",
      props: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "builds" },
        spec: { template: { spec: { initContainers: [{ name: "init", image: "registry.example.com/team/init:1.0" }], containers: [{ name: "web", image: "registry.example.com/team/web" }] } } },
      },
    };
    assert.deepStrictEqual(violations((r) => checkImagesPinned(deployment, r)), [
      'Deployment builds/web (Pulumi resource web): spec.template.spec.containers[0].image is "registry.example.com/team/web"; expected an image pinned to a version tag or a sha256 digest, not latest',
    ]);
    const stack = { apiVersion: "kpack.io/v1alpha2", kind: "ClusterStack", metadata: { name: "base" }, spec: { buildImage: { image: "paketobuildpacks/build" }, runImage: { image: "index.docker.io/paketobuildpacks/run:base" } } };
    assert.deepStrictEqual(unpinnedImages(stack), [
      'spec.buildImage.image is "paketobuildpacks/build"; expected an image pinned to a version tag or a sha256 digest, not latest',
    ]);
  });

  it("ignores resources that hold no objects and files that are not YAML", () => {
    const provider = { type: "pulumi:providers:github", name: "github", props: { owner: "example-org", token: "x" } };
    assert.deepStrictEqual(violations((r) => checkImagesPinned(provider, r)), []);
    const readme = repositoryFileResource({ ...tekton, path: "README.md" }, "# ops\nimage: [not: yaml\n");
    assert.strictEqual(yamlDocuments("# ops\nimage: [not: yaml\n"), undefined);
    assert.deepStrictEqual(violations((r) => checkImagesPinned(readme, r)), []);
  });
});
