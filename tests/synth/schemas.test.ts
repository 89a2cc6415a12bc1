// Every rendered object against the upstream schemas, with unknown fields rejected.
import * as assert from "assert";
import { planStack } from "../../components/plan/stack";
import { KubernetesObject } from "../../components/kubernetes/types";
import { kubernetesObjectsIn } from "../../components/plan/ops-repository";
import { opsFileContent } from "../../components/synth/ops-file";
import { RENDER_SECRETS } from "../../components/synth/render";
import { TriggerTemplate } from "../../components/tekton/types";
import { appEntry, settings } from "../helpers/fixtures";
import { kustomizeBuild } from "../helpers/kustomize";
import { closeSchema, servedApiVersions, validateAgainstUpstream } from "../helpers/reference";

const plan = planStack(settings({}, [appEntry("go-sample-app", { webhookUrl: "https://hooks.example.com/x" }), appEntry("second")]), RENDER_SECRETS);

function repoObjects(): KubernetesObject[] {
  return plan.apps.flatMap((a) => {
    const tekton = kubernetesObjectsIn(a.repoFiles.filter((f) => f.path.startsWith("cicd/tekton/")));
    // kpack's folder as Argo CD builds it: kustomize over the files as written.
    const kpack = kustomizeBuild(Object.fromEntries(a.repoFiles.filter((f) => f.path.startsWith("cicd/kpack/")).map((f) => [f.path.slice(11), opsFileContent(f)])));
    return [...tekton, ...kpack];
  });
}

describe("synth: rendered objects against the upstream schemas", () => {
  const CRD_GROUPS = /^(tekton\.dev|triggers\.tekton\.dev|kpack\.io|argoproj\.io)\//;
  const crdObjects = [...repoObjects(), ...plan.apps.flatMap((a) => a.applications)].filter((o) => CRD_GROUPS.test(o.apiVersion));

  it("uses only API versions upstream serves", () => {
    for (const o of crdObjects) assert.ok(servedApiVersions(o.kind).includes(o.apiVersion), `${o.apiVersion} ${o.kind} is not served`);
    const kinds = new Set(crdObjects.map((o) => `${o.apiVersion} ${o.kind}`));
    for (const k of ["tekton.dev/v1 Task", "tekton.dev/v1 Pipeline", "triggers.tekton.dev/v1beta1 TriggerBinding", "triggers.tekton.dev/v1beta1 TriggerTemplate", "triggers.tekton.dev/v1beta1 EventListener", "kpack.io/v1alpha2 Image", "argoproj.io/v1alpha1 Application"]) {
      assert.ok(kinds.has(k), `nothing of ${k} rendered`);
    }
  });

  it("validates Tasks, Pipelines, PipelineRuns, kpack Images and Applications, rejecting unknown fields", () => {
    const runs = repoObjects()
      .filter((o): o is TriggerTemplate => o.kind === "TriggerTemplate")
      .flatMap((t) => t.spec.resourcetemplates);
    let checked = 0;
    for (const o of [...crdObjects, ...runs]) {
      const { checked: had, errors } = validateAgainstUpstream(o);
      assert.deepStrictEqual(errors, [], `${o.kind} ${o.metadata.name ?? o.metadata.generateName}`);
      if (had) checked++;
    }
    // Triggers' CRDs publish no field schema; everything else must have been checked.
    const triggers = crdObjects.filter((o) => o.apiVersion.startsWith("triggers.")).length;
    assert.strictEqual(checked, crdObjects.length - triggers + runs.length);
  });

  it("would catch a misspelt field (the closed schema is not a formality)", () => {
    const app = plan.apps[0].applications[0];
    const typo = { ...app, spec: { ...app.spec, syncPolicy: { ...app.spec.syncPolicy, automated: { ...app.spec.syncPolicy.automated, selfheal: true } } } };
    assert.ok(validateAgainstUpstream(typo).errors.some((e) => e.includes("must NOT have additional properties") && e.includes("selfheal")));
    const task = repoObjects().find((o) => o.kind === "Task") as KubernetesObject & { spec: { steps: object[] } };
    const unnamed = { ...task, spec: { ...task.spec, steps: [{ ...task.spec.steps[0], scirpt: "x" }] } };
    assert.notDeepStrictEqual(validateAgainstUpstream(unnamed).errors, []);
    assert.deepStrictEqual(closeSchema({ properties: { a: { type: "string" } } }), { properties: { a: { type: "string" } }, additionalProperties: false });
  });
});
