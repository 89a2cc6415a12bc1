// A program of one's own with several apps in one ops repository, and names from its own resources:
// each app in a folder of its own, two apps in one folder refused, the branch read waiting for the
// repository the program creates.
import * as assert from "assert";
import { installMocks, outputValue, resetWorld, settled, world } from "../helpers/pulumi-mocks";
import { FAKE_WEBHOOK_SECRET, SHA_A } from "../helpers/fixtures";

installMocks();
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { BuildNamespace, ComponentArgsError, DeliberateImageBuilds, DeliberateImageBuildsArgs, nextComponentError } from "../../components";

const OPS = "platform-ops";
const FILES = "github:index/repositoryFile:RepositoryFile";
const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";
/** What a value not known during a preview arrives as in the mocks (@pulumi/pulumi output.js Unknown). */
const isUnknown = (value: unknown) => (value as { __pulumiUnknown?: boolean } | undefined)?.__pulumiUnknown === true;

function app(name: string, extra: Partial<DeliberateImageBuildsArgs> = {}): DeliberateImageBuildsArgs {
  return {
    githubOwner: "example-org",
    appRepository: name,
    branch: "main",
    opsRepository: OPS,
    image: `registry.example.com/example-org/${name}`,
    initialRevision: SHA_A,
    namespace: "builds",
    webhookSecret: FAKE_WEBHOOK_SECRET,
    ...extra,
  };
}

/** The next error a component raises once an Input resolves (under mocks it fails the running test unless caught). */
function nextFailure(): Promise<string> {
  return nextComponentError().then(String);
}

/** A new program: fresh mocks (so a fresh run for the folder claims) and a GitHub holding `branches`. */
function ready(branches: string[] = [`${OPS}/main`]): void {
  installMocks();
  resetWorld();
  for (const b of branches) world.githubBranches.set(b, "c".repeat(40));
}

const ofApp = (type: string, name: string) => world.resources.filter((r) => r.type === type && r.name.startsWith(`${name}-`));

describe("pulumi: apps sharing one ops repository", function () {
  this.timeout(20000);

  it("writes each app's files in its own folder, and points its Applications there", async () => {
    ready();
    const a = new DeliberateImageBuilds("app-a", app("app-a", { opsPath: "apps/app-a" }));
    const b = new DeliberateImageBuilds("app-b", app("app-b", { opsPath: "apps/app-b" }));
    await settled(a.testedRevision, b.testedRevision);
    for (const name of ["app-a", "app-b"]) {
      assert.deepStrictEqual(
        ofApp(FILES, name).map((f) => [f.name, f.inputs.repository, f.inputs.branch, f.inputs.file]),
        [
          [`${name}-cicd-kpack-kustomization-yaml`, OPS, "main", `apps/${name}/kpack/kustomization.yaml`],
          [`${name}-cicd-kpack-image-yaml`, OPS, "main", `apps/${name}/kpack/image.yaml`],
          [`${name}-cicd-kpack-revision-yaml`, OPS, "main", `apps/${name}/kpack/revision.yaml`],
          [`${name}-cicd-tekton-build-pipeline-yaml`, OPS, "main", `apps/${name}/tekton/build-pipeline.yaml`],
        ],
      );
      assert.deepStrictEqual(
        ofApp(APPLICATION, name).map((r) => (r.inputs.spec as { source: { path: string } }).source.path),
        [`apps/${name}/kpack`, `apps/${name}/tekton`],
      );
      // The write-back edits the app's own revision.yaml.
      const tekton = String(ofApp(FILES, name).find((f) => String(f.inputs.file).endsWith("build-pipeline.yaml"))?.inputs.content);
      assert.match(tekton, new RegExp(`- name: REVISION_FILE\\n\\s+type: string\\n\\s+default: apps/${name}/kpack/revision.yaml\\n`));
    }
    // An app alone keeps the folder every install had.
    ready([`solo-ops/main`]);
    const solo = new DeliberateImageBuilds("solo", app("solo", { opsRepository: "solo-ops" }));
    await settled(solo.testedRevision);
    assert.deepStrictEqual(ofApp(APPLICATION, "solo").map((r) => (r.inputs.spec as { source: { path: string } }).source.path), ["cicd/kpack", "cicd/tekton"]);
  });

  it("refuses a second app in a folder another app of the program writes, or inside it, before registering it", async () => {
    ready([`${OPS}/main`, `${OPS}/release`]);
    new DeliberateImageBuilds("first", app("first", { opsPath: "apps/first" }));
    const refused = ["second", "third", "fourth"];
    for (const [name, opsPath] of [["second", "apps/first"], ["third", "apps"], ["fourth", "apps/first/fourth"]] as const) {
      assert.throws(
        () => new DeliberateImageBuilds(name, app(name, { opsPath, opsRepository: OPS })),
        (err: unknown) => {
          assert.ok(err instanceof ComponentArgsError, String(err));
          assert.match(
            (err as Error).message,
            new RegExp(`^DeliberateImageBuilds "${name}": invalid args \\(1 problem\\):\\n  - args\\.opsPath: got "${OPS}@main:[a-z/]+"; DeliberateImageBuilds "first" writes "${OPS}@main:apps/first" of example-org's ops repository, expected a folder of this app's own \\(not inside another app's\\), e\\.g\\. apps/${name}$`),
          );
          return true;
        },
      );
    }
    // Another branch of the same repository is another folder.
    assert.doesNotThrow(() => new DeliberateImageBuilds("fifth", app("fifth", { opsPath: "apps/first", opsBranch: "release" })));
    // And a folder beside it, or one whose name only starts the same.
    assert.doesNotThrow(() => new DeliberateImageBuilds("sixth", app("sixth", { opsPath: "apps/first-b" })));
    assert.doesNotThrow(() => new DeliberateImageBuilds("seventh", app("seventh")));
    await settled();
    // Nothing of a refused app was registered: no file was written over the other app's.
    assert.deepStrictEqual(world.resources.filter((r) => r.type !== "deliberate-image-builds:app:DeliberateImageBuilds" && refused.some((n) => r.name.startsWith(`${n}-`))), []);
    assert.strictEqual(world.resources.filter((r) => r.name.startsWith("first-") && r.type === FILES).length, 4);
  });

  it("refuses a shared folder named by an Output once it resolves", async () => {
    ready(["out-ops/main"]);
    new DeliberateImageBuilds("first-out", app("first-out", { opsRepository: "out-ops" }));
    const failure = nextFailure();
    new DeliberateImageBuilds("second-out", app("second-out", { opsRepository: pulumi.output("out-ops") }));
    assert.match(await failure, /DeliberateImageBuilds "second-out": invalid args \(1 problem\):\n {2}- args\.opsPath: got "out-ops@main:cicd"; DeliberateImageBuilds "first-out" writes "out-ops@main:cicd"/);
  });
});

describe("pulumi: names from the program's own resources", function () {
  this.timeout(20000);

  it("takes repository and branch names as Outputs, and registers what the same plain names give", async () => {
    const registered = async (names: Partial<DeliberateImageBuildsArgs>) => {
      ready([`named-ops/release`]);
      const c = new DeliberateImageBuilds("named", app("named", { opsRepository: "named-ops", opsBranch: "release", ...names }));
      await settled(c.testedRevision);
      return world.resources.filter((r) => r.type.startsWith("github:") || r.type.includes("argoproj")).map((r) => [r.name, r.inputs]);
    };
    const plain = await registered({});
    const fromOutputs = await registered({
      appRepository: pulumi.output("named"),
      branch: pulumi.output("main"),
      opsRepository: pulumi.output("named-ops"),
      opsBranch: pulumi.output("release"),
    });
    assert.strictEqual(plain.length, 7, "four files, the AppProject, two Applications");
    assert.deepStrictEqual(fromOutputs, plain);
  });

  it("checks a name from an Output once it resolves, naming the arg", async () => {
    ready();
    const failure = nextFailure();
    new DeliberateImageBuilds("bad-branch", app("bad-branch", { opsRepository: "bad-ops", opsBranch: pulumi.output("no..branch") }));
    assert.match(await failure, /DeliberateImageBuilds "bad-branch".*\n.*args\.opsBranch: got "no\.\.branch"; expected a git branch name/);
  });

  it("reads the ops branch after the repository the program creates with the app, in the same update", async () => {
    ready([`made-ops/main`]);
    const repo = new github.Repository("made-ops", { name: "made-ops", autoInit: true });
    const c = new DeliberateImageBuilds("made", app("made", { opsRepository: repo.name }), { dependsOn: [repo] });
    await settled(c.testedRevision);
    assert.strictEqual(await outputValue(c.testedRevision), SHA_A);
    const reads = world.invokes.filter((i) => i.token === "github:index/getBranch:getBranch");
    assert.deepStrictEqual(reads.map((i) => i.inputs.repository), ["made-ops"]);
  });
});

describe("pulumi: preview of a new stack whose ops repository exists", function () {
  this.timeout(20000);
  // The build namespace's Secrets are new: the preview does not make them, but GitHub is there to read.
  before(() => installMocks({ toCreate: ["ns-builds-github-token", "ns-builds-webhook-secret", "ns-builds-git-credentials"] }));
  after(() => installMocks());

  it("still reads the ops branch, so a missing one stops the preview before any write", async () => {
    resetWorld(); // no branch anywhere
    const namespace = new BuildNamespace("ns-builds", { namespace: "builds", githubToken: pulumi.secret("ghp_fake_preview_token"), webhookSecret: pulumi.secret("fake-preview-secret-of-32-characters-or-more") });
    const failure = nextFailure();
    const c = new DeliberateImageBuilds("missing-branch", app("missing-branch", { namespace }));
    void c.testedRevision;
    const outcome = await Promise.race([failure, new Promise<string>((resolve) => setTimeout(() => resolve("(the preview went on: no failure)"), 3000))]);
    assert.match(outcome, /ops repository example-org\/platform-ops has no branch "main" that the token can read/);
    assert.deepStrictEqual(world.invokes.map((i) => i.token), ["github:index/getBranch:getBranch"]);
  });
});

describe("pulumi: preview of a program creating its ops repository with the app", function () {
  this.timeout(20000);
  before(() => installMocks({ toCreate: ["preview-ops"] }));
  after(() => installMocks());

  it("reads nothing from the repository not there yet: the files' contents preview as unknown, and nothing fails", async () => {
    resetWorld(); // GitHub has no such repository: a read would find no branch and stop the preview
    const failures: string[] = [];
    const record = (err: unknown) => failures.push(String(err));
    process.on("unhandledRejection", record);
    try {
      const repo = new github.Repository("preview-ops", { name: "preview-ops", autoInit: true });
      // The repository's name as an Output, and the same name plain: the dependency alone holds the read.
      const c = new DeliberateImageBuilds("previewed", app("previewed", { opsRepository: repo.name }), { dependsOn: [repo] });
      const plain = new DeliberateImageBuilds("previewed-plain", app("previewed-plain", { opsRepository: "preview-ops", opsPath: "apps/plain" }), { dependsOn: [repo] });
      await settled(c.eventListenerService, plain.eventListenerService);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepStrictEqual(failures, []);
      assert.deepStrictEqual(world.invokes, [], "no read of a repository the preview has not created");
      const files = world.resources.filter((r) => r.type === FILES);
      assert.deepStrictEqual(files.map((f) => [f.inputs.file, isUnknown(f.inputs.content)]).sort(), [
        ["apps/plain/kpack/image.yaml", true],
        ["apps/plain/kpack/kustomization.yaml", true],
        ["apps/plain/kpack/revision.yaml", true],
        ["apps/plain/tekton/build-pipeline.yaml", true],
        ["cicd/kpack/image.yaml", true],
        ["cicd/kpack/kustomization.yaml", true],
        ["cicd/kpack/revision.yaml", true],
        ["cicd/tekton/build-pipeline.yaml", true],
      ]);
      assert.ok(files.every((f) => f.inputs.repository === "preview-ops"));
      // Unknown: a preview runs no apply on it.
      let seen = false;
      c.testedRevision.apply(() => (seen = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.strictEqual(seen, false);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});
