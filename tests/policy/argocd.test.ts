import * as assert from "assert";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { toYaml } from "../../components/synth/yaml";
import { argocdAutomatedSync, argocdSelfHealAndPruneInProd, checkAutomatedSync, checkSelfHealAndPrune } from "../../policy/rules";
import { DEFAULT_PROD_STACKS, isProdLike } from "../../policy/stack";
import { settings } from "../helpers/fixtures";
import { applicationResource, fakeStack, planResources, repositoryFileResource, validateResource, violations } from "./harness";

const plan = planStack(settings(), RENDER_SECRETS);
const [imageApp] = plan.apps[0].applications;
const SUBJECT = "Application argocd/go-sample-app-image (Pulumi resource app-go-sample-app-image)";

/** The planned Application with its syncPolicy replaced. */
function withSyncPolicy(syncPolicy: unknown): Record<string, unknown> {
  return { ...imageApp, spec: { ...imageApp.spec, syncPolicy } };
}

function automated(fields: Record<string, unknown>): Record<string, unknown> {
  return withSyncPolicy({ ...imageApp.spec.syncPolicy, automated: { ...imageApp.spec.syncPolicy.automated, ...fields } });
}

describe("policy argocd-automated-sync", () => {
  it("passes both Applications of every planned app, whatever prune and self-heal are set to", async () => {
    for (const extra of [{}, { argocdPrune: false, argocdSelfHeal: false }]) {
      for (const resource of planResources(planStack(settings(extra), RENDER_SECRETS))) {
        assert.deepStrictEqual((await validateResource(argocdAutomatedSync, resource)).violations, [], resource.name);
      }
    }
  });

  it("reports an Application without automated sync, naming it and its Pulumi resource", () => {
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(applicationResource(withSyncPolicy({ syncOptions: ["CreateNamespace=true"] })), r)), [
      `${SUBJECT}: spec.syncPolicy.automated is missing; expected automated sync, so what the pipeline records in the ops repository is applied without anyone pressing sync`,
    ]);
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(applicationResource(withSyncPolicy(undefined)), r)), [
      `${SUBJECT}: spec.syncPolicy.automated is missing; expected automated sync, so what the pipeline records in the ops repository is applied without anyone pressing sync`,
    ]);
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(applicationResource(withSyncPolicy({ automated: null })), r)), [
      `${SUBJECT}: spec.syncPolicy.automated is null; expected automated sync, so what the pipeline records in the ops repository is applied without anyone pressing sync`,
    ]);
  });

  it("reports automated sync switched off with enabled: false, and takes automated: {} as on", () => {
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(applicationResource(automated({ enabled: false })), r)), [
      `${SUBJECT}: spec.syncPolicy.automated.enabled is false; expected automated sync on (enabled true, or left out)`,
    ]);
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(applicationResource(withSyncPolicy({ automated: {} })), r)), []);
  });

  it("checks Applications committed to a repository (an app of apps) as well", () => {
    const file = repositoryFileResource(plan.apps[0].repoFiles[0], toYaml(withSyncPolicy({})));
    file.props.file = "apps/go-sample-app.yaml";
    assert.deepStrictEqual(violations((r) => checkAutomatedSync(file, r)), [
      "go-sample-app-ops@main:apps/go-sample-app.yaml, Application argocd/go-sample-app-image: spec.syncPolicy.automated is missing; expected automated sync, so what the pipeline records in the ops repository is applied without anyone pressing sync",
    ]);
  });
});

describe("policy argocd-self-heal-and-prune-in-prod (advisory)", () => {
  const prod = argocdSelfHealAndPruneInProd(fakeStack("prod"));

  it("takes stacks whose name starts with prod as prod-like, unless the pack config says otherwise", () => {
    assert.strictEqual(DEFAULT_PROD_STACKS, "^prod");
    for (const stack of ["prod", "prod-eu", "production"]) assert.ok(isProdLike(stack), stack);
    for (const stack of ["dev", "staging", "preprod", ""]) assert.ok(!isProdLike(stack), stack);
    assert.ok(isProdLike("live-eu", "^(prod|live)"));
    assert.throws(() => isProdLike("prod", "("), /^Error: prodStacks is "\("; expected a regular expression that prod-like stack names match/);
  });

  it("passes the program's Applications on prod with the defaults (prune and self-heal on)", async () => {
    assert.strictEqual(prod.enforcementLevel, "advisory");
    for (const resource of planResources(planStack(settings(), RENDER_SECRETS))) {
      assert.deepStrictEqual(await validateResource(prod, resource), { violations: [] }, resource.name);
    }
  });

  it("reports self-heal and prune off on a prod-like stack, each with why it matters", async () => {
    const [app] = planStack(settings({ argocdPrune: false, argocdSelfHeal: false }), RENDER_SECRETS).apps[0].applications;
    assert.deepStrictEqual((await validateResource(prod, applicationResource(app))).violations, [
      `${SUBJECT}: spec.syncPolicy.automated.selfHeal is false; expected true on prod-like stack prod, so changes made by hand in the cluster are reverted`,
      `${SUBJECT}: spec.syncPolicy.automated.prune is false; expected true on prod-like stack prod, so objects removed from the ops repository are deleted`,
    ]);
    const unset = withSyncPolicy({ ...imageApp.spec.syncPolicy, automated: { enabled: true } });
    assert.deepStrictEqual(violations((r) => checkSelfHealAndPrune(applicationResource(unset), "prod-eu", r)), [
      `${SUBJECT}: spec.syncPolicy.automated.selfHeal is unset; expected true on prod-like stack prod-eu, so changes made by hand in the cluster are reverted`,
      `${SUBJECT}: spec.syncPolicy.automated.prune is unset; expected true on prod-like stack prod-eu, so objects removed from the ops repository are deleted`,
    ]);
  });

  it("leaves Applications without automated sync to the mandatory policy", () => {
    assert.deepStrictEqual(violations((r) => checkSelfHealAndPrune(applicationResource(withSyncPolicy({})), "prod", r)), []);
    assert.deepStrictEqual(violations((r) => checkSelfHealAndPrune(applicationResource(automated({ enabled: false, prune: false })), "prod", r)), []);
  });

  it("is not applicable on a stack that is not prod-like, and follows the pack's prodStacks config", async () => {
    const [app] = planStack(settings({ argocdSelfHeal: false }), RENDER_SECRETS).apps[0].applications;
    const dev = argocdSelfHealAndPruneInProd(fakeStack("dev"));
    assert.deepStrictEqual(await validateResource(dev, applicationResource(app)), {
      violations: [],
      notApplicable: 'stack "dev" is not prod-like: its name does not match "^prod"',
    });
    const live = argocdSelfHealAndPruneInProd(fakeStack("live"));
    assert.deepStrictEqual((await validateResource(live, applicationResource(app), { prodStacks: "^(prod|live)$" })).violations, [
      `${SUBJECT}: spec.syncPolicy.automated.selfHeal is false; expected true on prod-like stack live, so changes made by hand in the cluster are reverted`,
    ]);
    const provider = { type: "pulumi:providers:github", name: "github", props: {} };
    assert.deepStrictEqual(await validateResource(dev, provider), { violations: [] }, "nothing to say about a resource without Applications");
  });
});
