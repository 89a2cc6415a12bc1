// The Pulumi program under Pulumi's mocks: what it registers, how it keeps secrets, who owns what,
// and that it sends exactly what `npm run render` writes.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { createOpsBranches, installMocks, outputValue, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { appEntry, FAKE_TOKEN, FAKE_WEBHOOK_SECRET, rawStack, SHA_A, stackProject } from "../helpers/fixtures";
import { revisionFile } from "../helpers/git-world";

installMocks();
// Imported after the mocks, as Pulumi requires.
import * as pulumi from "@pulumi/pulumi";
import { deployStack } from "../../components/pulumi/stack";
import { catchComponentErrors, nextComponentError } from "../../components/pulumi/failures";
import { renderStack } from "../../scripts/render";
import { clusterPath } from "../../components/synth/render";
import { ConfigError } from "../../components/config/errors";

const SHA_B = "b".repeat(40);
const SECRETS = { githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET };

function configure(extra: Record<string, unknown> = {}, apps?: unknown[]): void {
  setStackConfig({ ...rawStack(extra, apps), ...SECRETS }, ["githubToken", "webhookSecret"]);
}

/** A fake GitHub and engine with nothing in them but each app's ops branch. */
function freshWorld(apps: unknown[] = [appEntry()]): void {
  resetWorld();
  createOpsBranches(apps);
}

async function deploy(extra: Record<string, unknown> = {}, apps?: unknown[]) {
  freshWorld(apps);
  configure(extra, apps);
  const outputs = deployStack();
  await settled(...Object.values(outputs.apps).map((a) => a.testedRevision));
  return outputs;
}

const byType = (type: string) => world.resources.filter((r) => r.type === type);

/**
 * Runs the program and returns every failure it ends in (they surface as unhandled rejections); empty
 * when every app's tested revision resolves instead.
 */
async function failuresOf(run: () => { apps: Record<string, { testedRevision: pulumi.Output<string> }> }): Promise<string[]> {
  const failures: string[] = [];
  let failed: () => void = () => undefined;
  const firstFailure = new Promise<void>((resolve) => (failed = resolve));
  const note = (err: unknown) => {
    failures.push(String(err));
    failed();
  };
  process.on("unhandledRejection", note);
  const caught = catchComponentErrors();
  try {
    const out = run();
    const resolved = Promise.all(Object.values(out.apps).map((a) => outputValue(a.testedRevision)));
    await Promise.race([firstFailure, resolved]);
    await settled();
  } finally {
    process.off("unhandledRejection", note);
    caught.stop();
  }
  return failures;
}

describe("pulumi: the program under mocks", function () {
  this.timeout(20000);

  it("registers components with their tokens, providers, Secrets, Applications and repository files", async () => {
    await deploy({}, [appEntry("go-sample-app", { webhookUrl: "https://hooks.example.com/go" })]);
    const types = new Set(world.resources.map((r) => r.type));
    for (const t of [
      "deliberate-image-builds:app:DeliberateImageBuilds",
      "deliberate-image-builds:cluster:BuildNamespace",
      "pulumi:providers:kubernetes",
      "pulumi:providers:github",
      "kubernetes:core/v1:Secret",
      "kubernetes:argoproj.io/v1alpha1:Application",
      "github:index/repositoryFile:RepositoryFile",
      "github:index/repositoryWebhook:RepositoryWebhook",
    ]) {
      assert.ok(types.has(t), `${t} not registered`);
    }
    // Nothing Tekton or kpack is applied by Pulumi: Argo CD applies those from the ops repository.
    assert.deepStrictEqual(world.resources.filter((r) => /tekton|kpack/.test(r.type)), []);
    const hook = byType("github:index/repositoryWebhook:RepositoryWebhook")[0].inputs as { events: string[]; configuration: { url: string; secret: string } };
    assert.deepStrictEqual(hook.events, ["push", "pull_request"]);
    assert.strictEqual(hook.configuration.url, "https://hooks.example.com/go");
  });

  it("keeps the token and webhook secret secret in state and outputs", async () => {
    freshWorld();
    configure();
    deployStack();
    // The Secret objects are created from config.requireSecret: check the Outputs Pulumi holds.
    const config = new pulumi.Config();
    assert.ok(await pulumi.isSecret(config.requireSecret("githubToken")));
    await settled();
    const secret = byType("kubernetes:core/v1:Secret").find((r) => r.name.endsWith("github-token"));
    assert.deepStrictEqual(secret?.inputs.stringData, { GITHUB_TOKEN: FAKE_TOKEN, READ_TOKEN: FAKE_TOKEN }, "the cluster gets the real token");
    assert.deepStrictEqual(secret?.secretPaths, ["stringData"], "and Pulumi holds it as a secret");
    const hook = await deploy({}, [appEntry("go-sample-app", { webhookUrl: "https://hooks.example.com/go" })]).then(() => byType("github:index/repositoryWebhook:RepositoryWebhook")[0]);
    assert.ok(hook.secretPaths.some((p) => p.startsWith("configuration")), "the webhook secret stays secret");
    const provider = byType("pulumi:providers:github")[0];
    assert.ok(provider.secretPaths.includes("token"), "the provider's token stays secret");
    // Nothing but the Secrets and the GitHub provider ever receives it.
    const holders = world.resources.filter((r) => JSON.stringify(r.inputs).includes(FAKE_TOKEN)).map((r) => r.type);
    assert.deepStrictEqual([...new Set(holders)].sort(), ["kubernetes:core/v1:Secret", "pulumi:providers:github"]);
    for (const file of byType("github:index/repositoryFile:RepositoryFile")) {
      assert.ok(!String(file.inputs.content).includes(FAKE_TOKEN) && !String(file.inputs.content).includes(FAKE_WEBHOOK_SECRET));
    }
  });

  it("marks the Secret resources' values as secret outputs", async () => {
    freshWorld();
    configure();
    const { BuildNamespace } = await import("../../components/pulumi/build-namespace");
    // Plain values in: the component keeps them secret by itself.
    const ns = new BuildNamespace("ns-probe", { namespace: "default", githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    assert.ok(await pulumi.isSecret(ns.githubTokenSecret.stringData));
    assert.ok(await pulumi.isSecret(ns.webhookSecretRoot));
    assert.ok(await pulumi.isSecret(ns.gitCredentialsSecret.stringData));
    await settled();
    // What the Secret holds is derived from the token, and reaches the engine as a secret itself.
    const credentials = byType("kubernetes:core/v1:Secret").find((r) => r.name === "ns-probe-git-credentials");
    assert.deepStrictEqual(credentials?.secretPaths, ["stringData"]);
    assert.match(JSON.stringify(credentials?.inputs.stringData), new RegExp(FAKE_TOKEN));
  });

  it("rotates the token in place: the cluster provider may patch Secrets, and no Secret is immutable", async () => {
    await deploy({}, [appEntry("go-sample-app"), appEntry("second", { namespace: "builds" })]);
    const provider = byType("pulumi:providers:kubernetes")[0];
    // The provider compares its config with the string "true" (pulumi-kubernetes provider/pkg/provider/provider.go).
    assert.strictEqual(provider.inputs.enableSecretMutable, "true");
    const secrets = byType("kubernetes:core/v1:Secret");
    assert.ok(secrets.length >= 4);
    for (const secret of secrets) {
      // `immutable: true` would bring the replacement back (diff.go: IsSecret && (!mutable || IsImmutable)).
      assert.strictEqual(secret.inputs.immutable, undefined, secret.name);
      assert.deepStrictEqual([secret.options.replaceOnChanges, secret.options.deleteBeforeReplace], [[], false], secret.name);
    }
  });

  it("rotates the token in place: a new token changes only a Secret's values, never what forces a replacement", async () => {
    const { planStack, plainSecretValues } = await import("../../components/plan/stack");
    const { parseSettings } = await import("../../components/config/parse");
    const stack = parseSettings(rawStack({}, [appEntry("go-sample-app"), appEntry("second", { namespace: "builds" })]));
    const before = planStack(stack, plainSecretValues({ githubToken: "ghp_fakeOLD", webhookSecret: FAKE_WEBHOOK_SECRET }));
    const after = planStack(stack, plainSecretValues({ githubToken: "ghp_fakeNEW", webhookSecret: FAKE_WEBHOOK_SECRET }));
    // With enableSecretMutable, pulumi-kubernetes replaces a Secret only when one of these changes
    // (provider/pkg/provider/diff.go: metadataForceNewProperties and core/v1 Secret ".type").
    const forcesReplacement = ["metadata.name", "metadata.namespace", "type"];
    let changed = 0;
    before.namespaces.forEach((ns, i) => {
      const secretsOf = (plan: typeof ns) => Object.values(plan).filter((o): o is { kind: "Secret" } => typeof o === "object" && o !== null && (o as { kind?: unknown }).kind === "Secret");
      const [olds, news] = [secretsOf(ns), secretsOf(after.namespaces[i])];
      assert.strictEqual(olds.length, news.length);
      olds.forEach((old, j) => {
        for (const path of changedPaths(old, news[j])) {
          changed++;
          assert.ok(!forcesReplacement.some((p) => path === p || path.startsWith(`${p}.`)), `${path} would force a replacement`);
          assert.match(path, /^stringData\./);
        }
      });
    });
    // With no token split off, github-token's GITHUB_TOKEN and READ_TOKEN, github-git-credentials'
    // .git-credentials (derived from the read token) and commit-status-token's STATUS_TOKEN, in each namespace.
    assert.strictEqual(changed, 8, "the token's three Secrets of each namespace change, four values");
  });

  it("hands the GitHub provider its write budget from the stack config", async () => {
    await deploy({ githubWriteDelayMs: 1500, githubMaxRetries: 5, githubRetryableErrors: [409, 502] });
    const provider = byType("pulumi:providers:github")[0];
    // Provider config travels as strings, lists as JSON (what terraform-provider-github's schema reads).
    assert.deepStrictEqual(
      [provider.inputs.writeDelayMs, provider.inputs.maxRetries, provider.inputs.retryableErrors],
      ["1500", "5", "[409,502]"],
    );
    await deploy();
    const defaults = byType("pulumi:providers:github")[0];
    assert.deepStrictEqual(
      [defaults.inputs.writeDelayMs, defaults.inputs.maxRetries, defaults.inputs.retryableErrors],
      ["1000", "3", "[409,500,502,503,504]"],
    );
  });

  it("bounds pulumi destroy: each Application waits a few minutes for Argo CD's finalizer, and the revision file stays", async () => {
    await deploy();
    const applications = byType("kubernetes:argoproj.io/v1alpha1:Application");
    assert.strictEqual(applications.length, 2);
    for (const application of applications) {
      assert.deepStrictEqual((application.inputs as { metadata: { finalizers: string[] } }).metadata.finalizers, ["resources-finalizer.argocd.argoproj.io/background"]);
      // Pulumi sends the timeout as a duration string; well below the provider's 10-minute default.
      assert.strictEqual(application.options.customTimeouts.delete, "3m", application.name);
    }
    const files = byType("github:index/repositoryFile:RepositoryFile");
    assert.deepStrictEqual(
      files.filter((f) => f.options.retainOnDelete).map((f) => f.inputs.file),
      ["cicd/kpack/revision.yaml"],
      "only the tested revision outlives the stack",
    );
  });

  it("writes the revision file from initialRevision when the ops repository has none yet", async () => {
    const out = await deploy();
    assert.strictEqual(await outputValue(out.apps["go-sample-app"].testedRevision), SHA_A);
    const read = world.invokes.find((i) => i.token === "github:index/getRepositoryFile:getRepositoryFile");
    assert.deepStrictEqual(read?.inputs, { repository: "go-sample-app-ops", file: "cicd/kpack/revision.yaml", branch: "main" });
    const file = byType("github:index/repositoryFile:RepositoryFile").find((r) => r.inputs.file === "cicd/kpack/revision.yaml");
    assert.strictEqual(file?.inputs.content, revisionFile(SHA_A));
  });

  it("never moves a revision the pipeline recorded: it keeps what the repository holds", async () => {
    freshWorld();
    world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", revisionFile(SHA_B));
    configure();
    const out = deployStack();
    await settled(out.apps["go-sample-app"].testedRevision);
    assert.strictEqual(await outputValue(out.apps["go-sample-app"].testedRevision), SHA_B);
    const file = byType("github:index/repositoryFile:RepositoryFile").find((r) => r.inputs.file === "cicd/kpack/revision.yaml");
    assert.strictEqual(file?.inputs.content, revisionFile(SHA_B));
  });

  it("checks the ops branch before trusting an empty file answer: a missing branch stops the update before any write", async () => {
    resetWorld(); // no branch: GitHub's 404 for a missing repository, branch or access
    configure();
    const failures = await failuresOf(() => deployStack());
    assert.ok(
      failures.some((f) => f.includes('the ops repository example-org/go-sample-app-ops has no branch "main" that the token can read')),
      failures.join("\n"),
    );
    assert.deepStrictEqual(byType("github:index/repositoryFile:RepositoryFile"), [], "nothing written, revision.yaml least of all");
    assert.deepStrictEqual(
      world.invokes.map((i) => i.token),
      ["github:index/getBranch:getBranch"],
      "the file is not asked for on a branch that cannot be read",
    );
  });

  it("reads where the last update recorded the revision from its own outputs, through a StackReference", async () => {
    const out = await deploy();
    const reference = byType("pulumi:pulumi:StackReference");
    // The file backend's organization is "organization"; Pulumi Cloud's is the stack's own.
    assert.deepStrictEqual(reference.map((r) => r.inputs.name), ["organization/deliberate-image-builds/test"]);
    assert.deepStrictEqual(await outputValue(out.apps["go-sample-app"].revisionFile), {
      repository: "go-sample-app-ops",
      branch: "main",
      path: "cicd/kpack/revision.yaml",
    });
  });

  describe("changing opsBranch never moves kpack backwards", () => {
    const moved = [appEntry("go-sample-app", { opsBranch: "release" })];
    const lastUpdate = { apps: { "go-sample-app": { testedRevision: SHA_B, revisionFile: { repository: "go-sample-app-ops", branch: "main", path: "cicd/kpack/revision.yaml" } } } };

    it("carries the revision recorded on the old branch over to the new one", async () => {
      freshWorld(moved);
      world.previousOutputs = lastUpdate;
      world.githubBranches.set("go-sample-app-ops/main", "d".repeat(40));
      // Recorded by the pipeline after the last pulumi up: newer than the stack's own testedRevision output.
      const SHA_C = "c".repeat(40);
      world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", revisionFile(SHA_C));
      configure({}, moved);
      const out = deployStack();
      await settled(out.apps["go-sample-app"].testedRevision, out.apps["go-sample-app"].revisionFile);
      assert.strictEqual(await outputValue(out.apps["go-sample-app"].testedRevision), SHA_C);
      const file = byType("github:index/repositoryFile:RepositoryFile").find((r) => r.inputs.file === "cicd/kpack/revision.yaml");
      assert.deepStrictEqual([file?.inputs.branch, file?.inputs.content], ["release", revisionFile(SHA_C)]);
      assert.strictEqual((await outputValue(out.apps["go-sample-app"].revisionFile)).branch, "release", "the next update starts from the new branch");
    });

    it("refuses, before any write, when the old branch's revision cannot be read", async () => {
      freshWorld(moved);
      world.previousOutputs = lastUpdate; // main is gone
      configure({}, moved);
      const failures = await failuresOf(() => deployStack());
      assert.ok(failures.some((f) => /recorded the tested revision in example-org\/go-sample-app-ops@main:cicd\/kpack\/revision\.yaml, which cannot be read now/.test(f)), failures.join("\n"));
      assert.deepStrictEqual(byType("github:index/repositoryFile:RepositoryFile"), []);
    });

    it("refuses a new branch that records another revision than the old one", async () => {
      freshWorld(moved);
      world.previousOutputs = lastUpdate;
      world.githubBranches.set("go-sample-app-ops/main", "d".repeat(40));
      world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", revisionFile(SHA_B));
      world.githubFiles.set("go-sample-app-ops/release/cicd/kpack/revision.yaml", revisionFile(SHA_A));
      configure({}, moved);
      const failures = await failuresOf(() => deployStack());
      assert.ok(failures.some((f) => f.includes(`recorded ${SHA_B} in example-org/go-sample-app-ops@main`) && f.includes(`records ${SHA_A}`)), failures.join("\n"));
      assert.deepStrictEqual(byType("github:index/repositoryFile:RepositoryFile"), []);
    });
  });

  it("moves an app to apps/<name> when a second app joins its ops repository, the same resources, its tested revision carried over", async () => {
    const shared = [appEntry("go-sample-app"), appEntry("second-app", { opsRepo: "go-sample-app-ops" })];
    freshWorld(shared);
    world.previousOutputs = { apps: { "go-sample-app": { testedRevision: SHA_B, revisionFile: { repository: "go-sample-app-ops", branch: "main", path: "cicd/kpack/revision.yaml" } } } };
    const SHA_C = "c".repeat(40);
    world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", revisionFile(SHA_C));
    configure({}, shared);
    const out = deployStack();
    await settled(out.apps["go-sample-app"].testedRevision, out.apps["second-app"].testedRevision);
    assert.strictEqual(await outputValue(out.apps["go-sample-app"].testedRevision), SHA_C);
    const files = byType("github:index/repositoryFile:RepositoryFile").filter((r) => r.name.startsWith("go-sample-app-"));
    // The resource names stay those of cicd/: the engine replaces each file at its new path, renames nothing.
    assert.deepStrictEqual(
      files.map((f) => [f.name, f.inputs.file]),
      [
        ["go-sample-app-cicd-kpack-kustomization-yaml", "apps/go-sample-app/kpack/kustomization.yaml"],
        ["go-sample-app-cicd-kpack-image-yaml", "apps/go-sample-app/kpack/image.yaml"],
        ["go-sample-app-cicd-kpack-revision-yaml", "apps/go-sample-app/kpack/revision.yaml"],
        ["go-sample-app-cicd-tekton-build-pipeline-yaml", "apps/go-sample-app/tekton/build-pipeline.yaml"],
      ],
    );
    assert.strictEqual(files[2].inputs.content, revisionFile(SHA_C));
    assert.strictEqual((await outputValue(out.apps["second-app"].revisionFile)).path, "apps/second-app/kpack/revision.yaml");
  });

  it("fails clearly when the recorded revision file is corrupt", async () => {
    freshWorld();
    world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", "spec: {}\n");
    configure();
    const out = deployStack();
    const failure = new Promise<string>((resolve) => {
      void nextComponentError().then((err) => resolve(String(err)));
      out.apps["go-sample-app"].testedRevision.apply((v) => resolve(`resolved ${v}`));
    });
    assert.match(await failure, /go-sample-app-ops@main:cicd\/kpack\/revision\.yaml records no full commit SHA/);
  });

  it("fails before registering anything when the config is bad, as a pulumi.RunError (printed without stack trace)", () => {
    resetWorld();
    configure({}, [appEntry("Bad_Name", { initialRevision: "main" })]);
    assert.throws(
      () => deployStack(),
      (err: unknown) => err instanceof ConfigError && pulumi.RunError.isInstance(err) && /apps\[0\]\.name/.test(err.message) && /apps\[0\]\.initialRevision/.test(err.message),
    );
    assert.strictEqual(world.resources.length, 0);
  });

  it("refuses an Argo CD destination other than its own cluster before registering anything, saying what to do; render too", () => {
    resetWorld();
    const remote = "https://prod.example.com:6443";
    configure({ argocdDestinationServer: remote });
    const expected =
      /deliberate-image-builds:argocdDestinationServer: got "https:\/\/prod\.example\.com:6443"; expected https:\/\/kubernetes\.default\.svc, the cluster Argo CD runs in: this stack creates the build namespaces' Secrets, kpack's credentials and service accounts there .* Run this stack against the destination cluster .* or use the DeliberateImageBuilds and BuildNamespace components/;
    assert.throws(() => deployStack(), (err: unknown) => err instanceof ConfigError && expected.test(err.message));
    assert.strictEqual(world.resources.length, 0, "nothing is registered, so pulumi preview stops");
    const dir = stackProject("remote", rawStack({ argocdDestinationServer: remote }));
    assert.throws(() => renderStack({ projectDir: dir, stack: "remote", out: path.join(dir, "out") }), expected);
  });

  it("index.ts deploys the stack its config describes", async () => {
    freshWorld();
    configure();
    const program = await import("../../index");
    await settled(program.apps["go-sample-app"].testedRevision);
    assert.deepStrictEqual(Object.keys(program.apps), ["go-sample-app"]);
    assert.strictEqual(await outputValue(program.apps["go-sample-app"].eventListenerService), "el-go-sample-app-listener");
    assert.strictEqual(byType("deliberate-image-builds:app:DeliberateImageBuilds").length, 1);
  });

  it("sends exactly what npm run render writes (one code path), secrets aside", async () => {
    const apps = [appEntry("go-sample-app", { webhookUrl: "https://hooks.example.com/go" }), appEntry("second", { namespace: "builds" })];
    await deploy({ argocdPrune: false }, apps);
    // The same stack as a stack file, rendered offline.
    const dir = stackProject("eq", rawStack({ argocdPrune: false }, apps));
    const out = path.join(dir, "out");
    renderStack({ projectDir: dir, stack: "eq", out });
    const read = (rel: string) => fs.readFileSync(path.join(out, rel), "utf8");

    const files = byType("github:index/repositoryFile:RepositoryFile");
    const rendered = fs.readdirSync(path.join(out, "repos/example-org"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.strictEqual(files.length, rendered.length);
    for (const f of files) {
      assert.strictEqual(f.inputs.content, read(`repos/example-org/${f.inputs.repository}/${f.inputs.file}`), String(f.inputs.file));
    }

    const cluster = world.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:core/v1:NamespacePatch"));
    const namespaces = byType("kubernetes:core/v1:NamespacePatch");
    const clusterFiles = fs.readdirSync(path.join(out, "cluster"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.strictEqual(cluster.length + namespaces.length, clusterFiles.length);
    for (const r of [...cluster, ...namespaces]) {
      const o = r.inputs as { kind: string; metadata: { name: string; namespace?: string }; stringData?: Record<string, string> };
      const file = clusterPath(o);
      const fromRender = parseAllDocuments(read(file))[0].toJS();
      if (o.stringData) {
        // The only difference allowed: a secret value (or one derived from it), which render never has.
        for (const key of Object.keys(o.stringData)) {
          if (fromRender.stringData[key] === o.stringData[key]) continue;
          assert.match(fromRender.stringData[key], /^\[secret: set with pulumi config set --secret/);
          fromRender.stringData[key] = o.stringData[key];
        }
      }
      assert.deepStrictEqual(stripUndefined(o), fromRender, file);
    }
  });
});

/** Dotted paths of the leaves that differ between two JSON-like values. */
function changedPaths(a: unknown, b: unknown, at = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  return a === b ? [] : [at];
}

function stripUndefined(o: unknown): unknown {
  return JSON.parse(JSON.stringify(o));
}
