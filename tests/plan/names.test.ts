// Every accepted app name renders objects whose names upstream accepts, and an app's names depend on
// that app alone. The limits below are upstream's, stated here independently of components/plan/names.ts.
import * as assert from "assert";
import { ConfigError } from "../../components/config/errors";
import { parseSettings } from "../../components/config/parse";
import { KubernetesObject } from "../../components/kubernetes/types";
import { kubernetesObjectsIn } from "../../components/plan/ops-repository";
import { accessObjects, planStack, StackPlan } from "../../components/plan/stack";
import { RENDER_SECRETS, renderPlan } from "../../components/synth/render";
import { TriggerTemplate } from "../../components/tekton/types";
import { appEntry, rawStack } from "../helpers/fixtures";
import { labels } from "../helpers/random";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The longest name upstream accepts for each kind we create. */
function nameProblems(o: KubernetesObject): string[] {
  const problems: string[] = [];
  const name = o.metadata.name ?? "";
  const id = `${o.kind} ${name || o.metadata.generateName}`;
  const within = (text: string, max: number, shape: RegExp, what: string) => {
    if (text.length > max || !shape.test(text)) problems.push(`${id}: ${what} ${JSON.stringify(text)} (${text.length}) is over ${max} or malformed`);
  };
  // Task, Pipeline, EventListener and kpack Image names are judged by upstream's own code in
  // npm run validate:upstream (Tekton's validate.ObjectMetadata, Triggers' 60-character EventListener rule,
  // kpack's label-value Image rule), on a stack holding the longest app name accepted. What stays here
  // checks more than that code does:
  switch (o.kind) {
    case "Task":
    case "Pipeline":
    case "EventListener":
    case "Image":
      break;
    // Tekton validates the name the API server generated, which cuts generateName to 58 characters
    // (k8s.io/apiserver names.SimpleNameGenerator); ours keeps the whole prefix, so runs stay recognisable.
    case "PipelineRun":
      within(`${o.metadata.generateName}abcde`, 63, DNS1123_LABEL, "generated name");
      break;
    // Argo CD's code is not run by upstream-validate: it can track by a label with the Application's name.
    case "Application":
      within(name, 63, LABEL_VALUE, "name (a label value)");
      within(name, 253, DNS1123_SUBDOMAIN, "name");
      break;
    // The API server's rules for every other kind: no webhook of Tekton, Triggers or kpack checks them.
    default:
      within(name, 253, DNS1123_SUBDOMAIN, "name");
  }
  // Label values are the API server's rule too.
  for (const [key, value] of Object.entries(o.metadata.labels ?? {})) within(value, 63, LABEL_VALUE, `label ${key}`);
  return problems;
}

function renderedObjects(plan: StackPlan<string>): KubernetesObject[] {
  const objects: KubernetesObject[] = plan.namespaces.flatMap((n) => [n.namespace, n.githubToken].filter((o): o is NonNullable<typeof o> => !!o));
  for (const app of plan.apps) {
    objects.push(...app.applications);
    objects.push(...accessObjects(app.access));
    objects.push(...kubernetesObjectsIn(app.repoFiles));
  }
  const runs = objects.filter((o): o is TriggerTemplate => o.kind === "TriggerTemplate").flatMap((t) => t.spec.resourcetemplates);
  return [...objects, ...runs];
}

function accepted(apps: Record<string, unknown>[]): StackPlan<string> | ConfigError {
  try {
    return planStack(parseSettings(rawStack({}, apps)), RENDER_SECRETS);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

describe("plan: object names", () => {
  it("renders names upstream accepts for every accepted app name, and rejects the rest naming the key and the limit", () => {
    const label = labels(9);
    let acceptedCount = 0;
    let rejectedCount = 0;
    for (let i = 0; i < 40; i++) {
      // Lengths spread over 1..63 for names and namespaces alike.
      const namespace = label(1 + ((i * 7) % 63));
      const name = label(1 + ((i * 37) % 63));
      // Two apps share the namespace: names must fit, and differ, there too.
      const apps = [appEntry(name, { namespace }), appEntry(`${name.slice(0, 40)}x2`, { namespace })];
      const result = accepted(apps);
      if (result instanceof ConfigError) {
        rejectedCount++;
        assert.match(result.message, /apps\[\d\]\.name: got "[a-z0-9-]+"; expected at most \d+ characters: \w+ "[^"]+" would be \d+, over .* \(\d+\)/, result.message);
        continue;
      }
      acceptedCount++;
      const problems = renderedObjects(result).flatMap(nameProblems);
      assert.deepStrictEqual(problems, [], `app ${name} in ${namespace}`);
    }
    assert.ok(acceptedCount > 20 && rejectedCount > 5, `${acceptedCount} accepted, ${rejectedCount} rejected: the sample must cover both`);
  });

  it("accepts app names up to the longest that fits, and no longer", () => {
    const label = labels(3);
    const fits = (n: number) => !(accepted([appEntry(label(n))]) instanceof ConfigError);
    const longest = [...Array(63).keys()].map((i) => i + 1).filter(fits).pop() ?? 0;
    assert.ok(longest >= 40, `only ${longest} characters fit`);
    for (let n = 1; n <= 63; n++) assert.strictEqual(fits(n), n <= longest, `length ${n}`);
    const error = accepted([appEntry(label(longest + 1))]);
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, new RegExp(`deliberate-image-builds:apps\\[0\\]\\.name: got "[a-z0-9-]+"; expected at most ${longest} characters: .*over Tekton Triggers' limit for an EventListener name \\(60\\)`));
  });

  it("gives an app the same names whoever else shares its namespace", () => {
    const label = labels(5);
    for (let i = 0; i < 20; i++) {
      const app = appEntry(label(3 + i), { namespace: "builds" });
      const others = Array.from({ length: 1 + (i % 3) }, (_, k) => appEntry(`other-${i}-${k}`, { namespace: "builds" }));
      const alone = accepted([app]);
      const together = accepted([...others, app]);
      assert.ok(!(alone instanceof ConfigError) && !(together instanceof ConfigError));
      const namesOf = (plan: StackPlan<string>) => plan.apps.find((a) => a.app.name === app.name)?.names;
      assert.deepStrictEqual(namesOf(together), namesOf(alone));
      const files = (plan: StackPlan<string>) => plan.apps.find((a) => a.app.name === app.name)?.repoFiles;
      assert.deepStrictEqual(files(together), files(alone), "its ops files too");
    }
  });

  it("gives two apps of different namespaces different cluster-scoped names and render paths, for random pairs", () => {
    const label = labels(17);
    let tried = 0;
    for (let i = 0; i < 80; i++) {
      const [a, b, c] = [label(1 + (i % 6)), label(1 + ((i * 3) % 8)), label(1 + ((i * 5) % 9))];
      // Every other pair is one that joining namespace and app with "-" confuses: (a, b-c) and (a-b, c).
      const [[ns1, app1], [ns2, app2]] =
        i % 2 === 0
          ? [[a, `${b}-${c}`], [`${a}-${b}`, c]]
          : [[label(1 + (i % 30)), label(1 + ((i * 7) % 40))], [label(1 + ((i * 11) % 30)), label(1 + ((i * 13) % 40))]];
      if (app1 === app2 || ns1 === ns2) continue; // one stack names each app once; one namespace is the test above
      const plan = accepted([appEntry(app1, { namespace: ns1 }), appEntry(app2, { namespace: ns2 })]);
      if (plan instanceof ConfigError) throw plan;
      tried++;
      for (const kind of ["ClusterRoleBinding", "ClusterRole", "AppProject"]) {
        const named: (string | undefined)[] = renderedObjects(plan).filter((o) => o.kind === kind).map((o) => o.metadata.name);
        assert.strictEqual(new Set(named).size, 2, `${kind}: ${app1} in ${ns1}, ${app2} in ${ns2}: ${named}`);
      }
      // render refuses two objects on one path; every object gets its own.
      assert.doesNotThrow(() => renderPlan(plan), `${app1} in ${ns1}, ${app2} in ${ns2}`);
    }
    assert.ok(tried > 60, `${tried} pairs`);
  });
});
