// withGitHubReads: a team's usual mocks plus the components' GitHub reads, so its own unit tests of a
// program using the components work on the first try.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { catchComponentErrors, DeliberateImageBuilds, MockGitHub, withGitHubReads } from "../../components";
import { SHA_A } from "../helpers/fixtures";
import { installMocks } from "../helpers/pulumi-mocks";

const SHA_B = "1".repeat(40);

/** The mocks most programs start with: every resource's state is its inputs, every invoke answers its inputs. */
const usualMocks: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
  call: (args) => args.inputs,
};

/** One app under `mocks`: its tested revision, or the error it fails with. */
function deploy(mocks: pulumi.runtime.Mocks): Promise<string> {
  pulumi.runtime.setMocks(mocks, "platform", "test", false);
  return new Promise((resolve) => {
    const caught = catchComponentErrors();
    void caught.first.then((err) => {
      caught.stop();
      resolve(`failed: ${err.message}`);
    });
    const app = new DeliberateImageBuilds("go-sample-app", {
      githubOwner: "example-org",
      appRepository: "go-sample-app",
      branch: "main",
      opsRepository: "platform-ops",
      image: "registry.example.com/example-org/go-sample-app",
      initialRevision: SHA_A,
      namespace: "builds",
      webhookSecret: "fake-webhook-secret-of-32-characters-or-more",
    });
    app.testedRevision.apply((revision) => {
      caught.stop();
      resolve(revision);
    });
  });
}

describe("testing: withGitHubReads", function () {
  this.timeout(20000);
  // Each test sets mocks of its own; the other test files' mocks come back after, when one process runs them all.
  afterEach(() => installMocks());

  it("is needed: the usual mocks leave every app without a readable ops branch", async () => {
    assert.match(await deploy(usualMocks), /failed: .*the ops repository example-org\/platform-ops has no branch "main" that the token can read/);
  });

  it("answers the reads as GitHub does for a branch without revision.yaml yet: the app starts at its initialRevision", async () => {
    assert.strictEqual(await deploy(withGitHubReads(usualMocks)), SHA_A);
  });

  it("reads the revision a test puts on the branch, and fails as GitHub's 404 does for a branch a test leaves out", async () => {
    const revisionFile = ["apiVersion: kpack.io/v1alpha2", "kind: Image", "metadata:", "  name: go-sample-app-image", "  namespace: builds", "spec:", "  source:", "    git:", `      revision: "${SHA_B}"`, ""].join("\n");
    const github: MockGitHub = { file: (repository, branch, path) => (`${repository}@${branch}:${path}` === "platform-ops@main:cicd/kpack/revision.yaml" ? revisionFile : undefined) };
    assert.strictEqual(await deploy(withGitHubReads(usualMocks, github)), SHA_B);
    assert.match(await deploy(withGitHubReads(usualMocks, { branchHead: () => undefined })), /has no branch "main"/);
  });

  it("hands every other invoke and every resource to the program's own mocks", async () => {
    const seen: string[] = [];
    const own: pulumi.runtime.Mocks = {
      newResource: (args) => (seen.push(args.type), usualMocks.newResource(args)),
      call: (args) => (seen.push(args.token), { answer: 42 }),
    };
    const mocks = withGitHubReads(own);
    assert.deepStrictEqual(await mocks.call({ token: "aws:index/getRegion:getRegion", inputs: {}, provider: "" }), { answer: 42 });
    await deploy(mocks);
    // The files register once the seed read from GitHub resolves, a turn after the tested revision.
    for (let i = 0; i < 100 && !seen.includes("github:index/repositoryFile:RepositoryFile"); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(seen.includes("aws:index/getRegion:getRegion") && seen.includes("github:index/repositoryFile:RepositoryFile"), seen.join(", "));
    assert.ok(!seen.includes("github:index/getBranch:getBranch"));
  });
});

describe("testing: the README's unit-test snippet", () => {
  it("is the example's unit test, which the example's test type-checks and runs", () => {
    const root = path.resolve(__dirname, "../..");
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Testing a program that uses the components"));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.strictEqual(snippet, fs.readFileSync(path.join(root, "examples/platform-stack/index.test.ts"), "utf8"));
  });
});
