// The Pulumi program under Pulumi's mocks: what it registers, how it keeps secrets, who owns what,
// and that it sends exactly what `npm run render` writes.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { installMocks, outputValue, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { appEntry, FAKE_TOKEN, FAKE_WEBHOOK_SECRET, rawStack, SHA_A, stackProject } from "../helpers/fixtures";
import { revisionFile } from "../helpers/git-world";

installMocks();
// Imported after the mocks, as Pulumi requires.
import * as pulumi from "@pulumi/pulumi";
import { deployStack } from "../../components/pulumi/stack";
import { renderStack } from "../../scripts/render";
import { ConfigError } from "../../components/config/errors";

const SHA_B = "b".repeat(40);
const SECRETS = { githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET };

function configure(extra: Record<string, unknown> = {}, apps?: unknown[]): void {
  setStackConfig({ ...rawStack(extra, apps), ...SECRETS }, ["githubToken", "webhookSecret"]);
}

async function deploy(extra: Record<string, unknown> = {}, apps?: unknown[]) {
  resetWorld();
  configure(extra, apps);
  const outputs = deployStack();
  await settled(...Object.values(outputs.apps).map((a) => a.testedRevision));
  return outputs;
}

const byType = (type: string) => world.resources.filter((r) => r.type === type);

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
    assert.deepStrictEqual(hook.events, ["push"]);
    assert.strictEqual(hook.configuration.url, "https://hooks.example.com/go");
  });

  it("keeps the token and webhook secret secret in state and outputs", async () => {
    resetWorld();
    configure();
    deployStack();
    // The Secret objects are created from config.requireSecret: check the Outputs Pulumi holds.
    const config = new pulumi.Config();
    assert.ok(await pulumi.isSecret(config.requireSecret("githubToken")));
    await settled();
    const secret = byType("kubernetes:core/v1:Secret").find((r) => r.name.endsWith("github-token"));
    assert.deepStrictEqual(secret?.inputs.stringData, { GITHUB_TOKEN: FAKE_TOKEN }, "the cluster gets the real token");
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
    resetWorld();
    configure();
    const { BuildNamespace } = await import("../../components/pulumi/build-namespace");
    const { planStack } = await import("../../components/plan/stack");
    const { parseSettings } = await import("../../components/config/parse");
    const plan = planStack(parseSettings(rawStack()), {
      githubToken: pulumi.secret(FAKE_TOKEN),
      webhookSecret: pulumi.secret(FAKE_WEBHOOK_SECRET),
      derive: (secret, compute) => secret.apply(compute),
    });
    const ns = new BuildNamespace("ns-probe", { plan: plan.namespaces[0] });
    assert.ok(await pulumi.isSecret(ns.githubTokenSecret.stringData));
    assert.ok(await pulumi.isSecret(ns.webhookSecret.stringData));
    assert.ok(await pulumi.isSecret(ns.gitCredentialsSecret.stringData));
    // What the Secret holds is derived from the token, and is secret itself.
    const credentials = plan.namespaces[0].gitCredentials.stringData[".git-credentials"];
    assert.ok(pulumi.Output.isInstance(credentials) && (await pulumi.isSecret(credentials)));
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
    resetWorld();
    world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", revisionFile(SHA_B));
    configure();
    const out = deployStack();
    await settled(out.apps["go-sample-app"].testedRevision);
    assert.strictEqual(await outputValue(out.apps["go-sample-app"].testedRevision), SHA_B);
    const file = byType("github:index/repositoryFile:RepositoryFile").find((r) => r.inputs.file === "cicd/kpack/revision.yaml");
    assert.strictEqual(file?.inputs.content, revisionFile(SHA_B));
  });

  it("fails clearly when the recorded revision file is corrupt", async () => {
    resetWorld();
    world.githubFiles.set("go-sample-app-ops/main/cicd/kpack/revision.yaml", "spec: {}\n");
    configure();
    const out = deployStack();
    const failure = new Promise<string>((resolve) => {
      process.once("unhandledRejection", (err) => resolve(String(err)));
      out.apps["go-sample-app"].testedRevision.apply((v) => resolve(`resolved ${v}`));
    });
    assert.match(await failure, /go-sample-app-ops@main:cicd\/kpack\/revision\.yaml records no full commit SHA/);
  });

  it("fails before registering anything when the config is bad", () => {
    resetWorld();
    configure({}, [appEntry("Bad_Name", { initialRevision: "main" })]);
    assert.throws(() => deployStack(), (err: unknown) => err instanceof ConfigError && /apps\[0\]\.name/.test(err.message) && /apps\[0\]\.initialRevision/.test(err.message));
    assert.strictEqual(world.resources.length, 0);
  });

  it("index.ts deploys the stack its config describes", async () => {
    resetWorld();
    configure();
    const program = await import("../../index");
    await settled(program.apps["go-sample-app"].testedRevision);
    assert.deepStrictEqual(Object.keys(program.apps), ["go-sample-app"]);
    assert.strictEqual(program.apps["go-sample-app"].eventListenerService, "el-go-sample-app-listener");
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
    const clusterFiles = fs.readdirSync(path.join(out, "cluster"));
    assert.strictEqual(cluster.length + namespaces.length, clusterFiles.length);
    for (const r of [...cluster, ...namespaces]) {
      const o = r.inputs as { kind: string; metadata: { name: string; namespace?: string }; stringData?: Record<string, string> };
      const file = `cluster/${o.kind.toLowerCase()}-${o.metadata.namespace ? `${o.metadata.namespace}-` : ""}${o.metadata.name}.yaml`;
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

function stripUndefined(o: unknown): unknown {
  return JSON.parse(JSON.stringify(o));
}
