// The pack as the Pulumi CLI runs it: @pulumi/pulumi/cmd/run-policy-pack started in policy/ (what the
// CLI's pulumi-analyzer-policy script does), spoken to over its gRPC Analyzer service. And the rules
// module on its own, which must start nothing.
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/analyzer_pb";
import { TEKTON_FILE } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET, settings, stackProject } from "../helpers/fixtures";
import { editedFileResource, planFile, planResources, repositoryFileResource } from "./harness";
import { Task } from "../../components/tekton/types";
import { PolicedResource } from "../../policy/objects";

const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policy");

describe("policy pack: the rules module", () => {
  it("loads no policy server: requiring it leaves the process free to exit, with no port printed", () => {
    const script = `
      const rules = require("./policy/rules");
      const names = rules.packPolicies().map((p) => p.name);
      const loaded = Object.keys(require.cache).filter((f) => f.includes(require("path").join("@pulumi", "policy")));
      console.log(JSON.stringify({ names, loaded }));`;
    const child = spawnSync(process.execPath, ["--require", "./scripts/register-ts.js", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 20000 });
    assert.strictEqual(child.status, 0, `exited on its own (a server would keep it running): ${child.stderr}`);
    assert.deepStrictEqual(JSON.parse(child.stdout), {
      names: ["images-pinned", "kpack-revision-full-sha", "no-secrets-in-repository-files", "argocd-automated-sync", "argocd-self-heal-and-prune-in-prod", "secret-config-encrypted"],
      loaded: [],
    });
  });
});

/** Starts the pack as the CLI does, and resolves with the port it prints once its server listens. */
function startPack(env: NodeJS.ProcessEnv): { child: ChildProcess; port: Promise<number> } {
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] });
  const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:1", "."], { cwd: PACK, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  const port = new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      stdout += d;
      const m = /^(\d+)\n/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before listening:\n${stdout}\n${stderr}`)));
  });
  return { child, port };
}

function call<Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(req, (e, res) => (e ? reject(e) : resolve(res))));
}

function analyzeRequest(resource: PolicedResource): rpc.AnalyzeRequest {
  return new rpc.AnalyzeRequest()
    .setType(resource.type)
    .setName(resource.name)
    .setUrn(`urn:pulumi:prod::deliberate-image-builds::${resource.type}::${resource.name}`)
    .setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(resource.props))))
    .setOptions(new rpc.AnalyzerResourceOptions());
}

const diagnostics = (res: rpc.AnalyzeResponse) =>
  res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), mandatory: d.getEnforcementlevel() === rpc.EnforcementLevel.MANDATORY, message: d.getMessage() }));

describe("policy pack: run as the Pulumi CLI runs it", function () {
  // The CLI's runner type-checks the pack with ts-node before it listens: a few seconds.
  this.timeout(60000);
  let pack: ReturnType<typeof startPack>;
  let client: AnalyzerClient;

  before(async () => {
    pack = startPack({
      PULUMI_NODEJS_STACK: "prod",
      PULUMI_NODEJS_PROJECT: "deliberate-image-builds",
      PULUMI_CONFIG: JSON.stringify({ "deliberate-image-builds:githubToken": FAKE_TOKEN, "deliberate-image-builds:webhookSecret": FAKE_WEBHOOK_SECRET }),
    });
    client = new AnalyzerClient(`127.0.0.1:${await pack.port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    pack?.child.kill();
  });

  it("serves the pack named in PulumiPolicy.yaml's folder, with each policy's enforcement level", async () => {
    const info = await call<Empty, rpc.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    assert.strictEqual(info.getName(), "deliberate-image-builds");
    assert.strictEqual(info.getVersion(), "0.1.0");
    assert.deepStrictEqual(
      info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel() === rpc.EnforcementLevel.MANDATORY ? "mandatory" : "advisory"]),
      [
        ["images-pinned", "mandatory"],
        ["kpack-revision-full-sha", "mandatory"],
        ["no-secrets-in-repository-files", "mandatory"],
        ["argocd-automated-sync", "mandatory"],
        ["argocd-self-heal-and-prune-in-prod", "advisory"],
        ["secret-config-encrypted", "mandatory"],
      ],
    );
  });

  it("passes the program's planned files and Applications, and reports an unpinned image and the stack's token", async () => {
    const plan = planStack(settings(), RENDER_SECRETS);
    for (const resource of planResources(plan)) {
      assert.deepStrictEqual(diagnostics(await call(client.analyze.bind(client), analyzeRequest(resource))), [], resource.name);
    }
    const tekton = planFile(plan, TEKTON_FILE);
    const latest = String(
      editedFileResource<Task>(tekton, "Task", (task) => {
        if (task.metadata.name === "go-sample-app-write-back") task.spec.steps[0].image = "docker.io/alpine/git:latest";
      }).props.content,
    );
    const tokenLine = latest.split("\n").length;
    const bad = repositoryFileResource(tekton, `${latest}# ${FAKE_TOKEN}\n`);
    assert.deepStrictEqual(
      diagnostics(await call(client.analyze.bind(client), analyzeRequest(bad))).map((d) => [d.policy, d.mandatory, d.message.split("\n")[1].replace(/; expected .*/, "")]),
      [
        ["images-pinned", true, 'go-sample-app-ops@main:cicd/tekton/build-pipeline.yaml, Task default/go-sample-app-write-back: spec.steps[0].image is "docker.io/alpine/git:latest"'],
        ["no-secrets-in-repository-files", true, `go-sample-app-ops@main:cicd/tekton/build-pipeline.yaml: line ${tokenLine} of the content holds what looks like a GitHub token (ghp_…)`],
        ["no-secrets-in-repository-files", true, `go-sample-app-ops@main:cicd/tekton/build-pipeline.yaml: line ${tokenLine} of the content holds the value of the secret config deliberate-image-builds:githubToken`],
      ],
    );
  });

  it("takes the stack name from the CLI: the prod-only policy applies, and its config reaches it", async () => {
    const [app] = planStack(settings({ argocdPrune: false }), RENDER_SECRETS).apps[0].applications;
    const resource = { type: "kubernetes:argoproj.io/v1alpha1:Application", name: "app", props: { ...app } };
    const advisory = diagnostics(await call(client.analyze.bind(client), analyzeRequest(resource)));
    assert.deepStrictEqual(advisory.map((d) => [d.policy, d.mandatory]), [["argocd-self-heal-and-prune-in-prod", false]]);

    const dir = stackProject("prod", "config:\n  deliberate-image-builds:githubToken: ghp_FAKE_plaintext_token_0000000000\n");
    const config = new rpc.ConfigureAnalyzerRequest();
    config.getPolicyconfigMap().set(
      "secret-config-encrypted",
      new rpc.PolicyConfig().setEnforcementlevel(rpc.EnforcementLevel.MANDATORY).setProperties(Struct.fromJavaScript({ projectDir: dir })),
    );
    await call(client.configure.bind(client), config);
    const stack = diagnostics(await call(client.analyzeStack.bind(client), new rpc.AnalyzeStackRequest()));
    assert.deepStrictEqual(stack.map((d) => [d.policy, d.mandatory, d.message.split("\n")[1].replace(/; expected .*/, "")]), [
      ["secret-config-encrypted", true, "Pulumi.prod.yaml holds deliberate-image-builds:githubToken in plain text"],
    ]);
  });
});
