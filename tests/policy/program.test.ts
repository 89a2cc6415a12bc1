// The real program passes the pack: every resource it registers under Pulumi's mocks, for this
// repository's prod stack, meets every policy, the advisory ones included.
import * as assert from "assert";
import { createOpsBranches, installMocks, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET } from "../helpers/fixtures";

installMocks();
// Imported after the mocks, as Pulumi requires.
import { readStackFile } from "../../components/config/stack-file";
import { deployStack } from "../../components/pulumi/stack";
import { packPolicies } from "../../policy/rules";
import { PROJECT_DIR } from "../../policy/stack";
import { fakeStack, validateResource, validateStack } from "./harness";

const SECRETS = { githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET };
const ENGINE_CONFIG = {
  "deliberate-image-builds:githubToken": FAKE_TOKEN,
  "deliberate-image-builds:webhookSecret": FAKE_WEBHOOK_SECRET,
};

describe("policy pack: the program under Pulumi's mocks", function () {
  this.timeout(30000);

  async function reportsFor(stackConfig: Record<string, unknown>): Promise<string[]> {
    resetWorld();
    createOpsBranches(stackConfig.apps);
    setStackConfig({ ...stackConfig, ...SECRETS }, ["githubToken", "webhookSecret"]);
    const outputs = deployStack();
    await settled(...Object.values(outputs.apps).map((a) => a.testedRevision));
    const policies = packPolicies(fakeStack("prod", ENGINE_CONFIG));
    const reported: string[] = [];
    const note = (name: string, outcome: { violations: string[]; notApplicable?: string }) =>
      reported.push(...outcome.violations.map((v) => `${name}: ${v}`), ...(outcome.notApplicable ? [`${name} not applicable: ${outcome.notApplicable}`] : []));
    for (const policy of policies) {
      if ("validateStack" in policy) {
        note(policy.name, await validateStack(policy));
        continue;
      }
      for (const r of world.resources) note(policy.name, await validateResource(policy, { type: r.type, name: r.name, props: r.inputs }));
    }
    return reported;
  }

  it("registers nothing on the prod stack that any policy reports", async () => {
    assert.deepStrictEqual(await reportsFor(readStackFile(PROJECT_DIR, "prod").raw), []);
    const types = new Set(world.resources.map((r) => r.type));
    for (const t of ["github:index/repositoryFile:RepositoryFile", "kubernetes:argoproj.io/v1alpha1:Application", "kubernetes:core/v1:Secret", "github:index/repositoryWebhook:RepositoryWebhook", "pulumi:providers:github"]) {
      assert.ok(types.has(t), `${t} registered, and checked`);
    }
    assert.strictEqual(world.resources.filter((r) => r.type === "github:index/repositoryFile:RepositoryFile").length, 8, "both apps' files");
  });

  it("is seen through: with self-heal off on prod, the advisory policy names each registered Application", async () => {
    const reported = await reportsFor({ ...readStackFile(PROJECT_DIR, "prod").raw, argocdSelfHeal: false });
    assert.deepStrictEqual(
      reported.map((m) => m.replace(/ \(Pulumi resource .*?\)/, "").replace(/; expected .*/, "")),
      ["go-sample-app-image", "go-sample-app-tekton", "go-payments-image", "go-payments-tekton"].map(
        (name) => `argocd-self-heal-and-prune-in-prod: Application argocd/${name}: spec.syncPolicy.automated.selfHeal is false`,
      ),
    );
  });
});
