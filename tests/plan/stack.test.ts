import * as assert from "assert";
import { planStack } from "../../components/plan/stack";
import { appWebhookSecret } from "../../components/plan/names";
import { KubernetesObject } from "../../components/kubernetes/types";
import { RENDER_SECRETS } from "../../components/synth/render";
import * as path from "path";
import { appEntry, manyApps, plannedImage, rawStack, settings, SHA_A, stackProject, tempDir } from "../helpers/fixtures";
import { kustomizeBuild, kustomizeFolder } from "../helpers/kustomize";
import { KPACK_FOLDER, kubernetesObjectsIn, revisionFileOf, testedRevisionOf } from "../../components/plan/ops-repository";
import { opsFileContent } from "../../components/synth/ops-file";
import { imagesIn } from "../../policy/images";
import { renderStack } from "../../scripts/render";

function objectsOf(plan: ReturnType<typeof planStack<string>>): KubernetesObject[] {
  return [
    ...plan.namespaces.flatMap((n) => [n.namespace, n.githubToken].filter((o): o is NonNullable<typeof o> => !!o)),
    ...plan.apps.flatMap((a) => [
      a.webhookSecret,
      ...a.applications,
      ...kubernetesObjectsIn(a.repoFiles.filter((f) => f.path.startsWith("cicd/tekton/"))),
    ]),
  ];
}

describe("plan: the stack", () => {
  it("names an app's objects after the app", () => {
    const [app] = planStack(settings(), RENDER_SECRETS).apps;
    assert.deepStrictEqual(
      [app.names.pipeline, app.names.task, app.names.eventListenerService, app.names.kpackImage, app.names.imageApplication, app.names.tektonApplication],
      ["go-sample-app-build", "go-sample-app-write-back", "el-go-sample-app-listener", "go-sample-app-image-dw42v", "go-sample-app-image", "go-sample-app-tekton"],
    );
  });

  it("keeps every name unique when apps share a namespace", () => {
    const plan = planStack(settings({}, [...manyApps(3), appEntry("solo", { namespace: "solo" })]), RENDER_SECRETS);
    const ids = objectsOf(plan).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    assert.strictEqual(new Set(ids).size, ids.length, `duplicates: ${ids.filter((x, i) => ids.indexOf(x) !== i)}`);
    assert.strictEqual(plan.apps[0].names.pipeline, "app-000-build");
    assert.strictEqual(plan.apps[3].names.pipeline, "solo-build");
    assert.deepStrictEqual(plan.namespaces.map((n) => [n.name, n.namespace?.metadata.name]), [["default", undefined], ["solo", "solo"]]);
    // Pod Security enforces `restricted` on a namespace the program labels; never on default.
    assert.deepStrictEqual(plan.namespaces.map((n) => n.namespace?.metadata.labels?.["pod-security.kubernetes.io/enforce"]), [undefined, "restricted"]);
  });

  it("puts the Secrets in each build namespace with the given values only", () => {
    const plan = planStack(settings(), { githubToken: "T", webhookSecret: "W", derive: (value, compute) => compute(value) });
    const [ns] = plan.namespaces;
    assert.deepStrictEqual([ns.githubToken.metadata.name, ns.githubToken.stringData], ["github-token", { GITHUB_TOKEN: "T", READ_TOKEN: "T" }]);
    // Each app's webhook secret is its own, derived from the root, which stays out of the cluster.
    const [app] = plan.apps;
    assert.deepStrictEqual([app.webhookSecret.metadata.name, app.webhookSecret.stringData], ["go-sample-app-webhook", { secretToken: appWebhookSecret("W", { namespace: "default", name: "go-sample-app" }) }]);
    assert.ok(!JSON.stringify(plan).includes('"W"'), "the root is in no object");
    assert.deepStrictEqual([ns.gitCredentials.metadata.name, ns.gitCredentials.stringData], [
      "github-git-credentials",
      { ".gitconfig": '[credential "https://github.com"]\n\thelper = store\n', ".git-credentials": "https://x-access-token:T@github.com\n" },
    ]);
  });

  it("splits the kpack Image: Pulumi owns image.yaml, the pipeline owns the revision", () => {
    const [app] = planStack(settings(), RENDER_SECRETS).apps;
    const kpack = app.repoFiles.filter((f) => f.path.startsWith("cicd/kpack/"));
    assert.deepStrictEqual(kpack.map((f) => [f.path, f.ownedBy]), [
      ["cicd/kpack/kustomization.yaml", "pulumi"],
      ["cicd/kpack/image.yaml", "pulumi"],
      ["cicd/kpack/revision.yaml", "pipeline"],
    ]);
    assert.deepStrictEqual(plannedImage(app).spec.source.git, { url: "https://github.com/example-org/go-sample-app.git" }, "image.yaml must not carry a revision a pulumi up could put back");
    assert.strictEqual(testedRevisionOf(revisionFileOf(app.repoFiles)), SHA_A);
    // The folder as render writes it, built by the real kustomize as Argo CD builds it.
    const out = tempDir("render-kpack-");
    renderStack({ projectDir: stackProject("k", rawStack()), stack: "k", out });
    const built = kustomizeFolder(path.join(out, "repos/example-org/go-sample-app-ops", KPACK_FOLDER));
    assert.strictEqual(built.length, 1);
    assert.deepStrictEqual((built[0] as unknown as { spec: unknown }).spec, {
      tag: "registry.example.com/example-org/go-sample-app",
      builder: { kind: "ClusterBuilder", name: "default" },
      serviceAccountName: "go-sample-app-image-builder",
      source: { git: { url: "https://github.com/example-org/go-sample-app.git", revision: SHA_A } },
    });
    // Every other file is Pulumi's.
    assert.deepStrictEqual(app.repoFiles.filter((f) => f.ownedBy === "pipeline").map((f) => f.path), ["cicd/kpack/revision.yaml"]);
  });

  it("keeps a revision of digits a string through kustomize, and kustomize rejects what it does not know", () => {
    const digits = "1234567890".repeat(4);
    const [app] = planStack(settings({}, [appEntry("go-sample-app", { initialRevision: digits })]), RENDER_SECRETS).apps;
    const files = Object.fromEntries(app.repoFiles.filter((f) => f.path.startsWith(`${KPACK_FOLDER}/`)).map((f) => [path.basename(f.path), opsFileContent(f)]));
    const [image] = kustomizeBuild(files) as unknown as { spec: { source: { git: { revision: unknown } } } }[];
    assert.strictEqual(image.spec.source.git.revision, digits);
    // A JSON merge would have ignored this; kustomize v5 refuses a field it does not know.
    const typo = { ...files, "kustomization.yaml": files["kustomization.yaml"].replace("patches:", "patchez:") };
    assert.throws(() => kustomizeBuild(typo), /kubectl kustomize .* failed: .*patchez/);
  });

  it("says what to install when kubectl is missing, instead of skipping the kustomize checks", () => {
    const empty = tempDir("no-kubectl-");
    assert.throws(() => kustomizeBuild({ "kustomization.yaml": "resources: []\n" }, { PATH: empty }), /kubectl not found .*install kubectl 1\.27 or later/);
  });

  it("points both Argo CD Applications at the ops branch, syncing with prune and self-heal as configured", () => {
    const [app] = planStack(settings({ argocdSelfHeal: false }), RENDER_SECRETS).apps;
    const [image, tekton] = app.applications;
    assert.deepStrictEqual([image.spec.source.path, tekton.spec.source.path], ["cicd/kpack", "cicd/tekton"]);
    for (const a of app.applications) {
      assert.strictEqual(a.spec.source.targetRevision, "main");
      assert.strictEqual(a.spec.source.repoURL, "https://github.com/example-org/go-sample-app-ops.git");
      assert.deepStrictEqual(a.spec.syncPolicy.automated, { enabled: true, prune: true, selfHeal: false });
      assert.deepStrictEqual(a.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io/background"]);
      assert.strictEqual(a.metadata.namespace, "argocd");
    }
  });

  it("plans a webhook only for apps with a webhookUrl, signed with the webhook secret, for pull requests too unless they are off", () => {
    const plan = planStack(
      settings({}, [appEntry("a"), appEntry("b", { webhookUrl: "https://hooks.example.com/b" }), appEntry("c", { webhookUrl: "https://hooks.example.com/c", pullRequests: "off" })]),
      RENDER_SECRETS,
    );
    assert.strictEqual(plan.apps[0].webhook, undefined);
    assert.deepStrictEqual(plan.apps[1].webhook, {
      owner: "example-org",
      repository: "b",
      url: "https://hooks.example.com/b",
      secret: RENDER_SECRETS.webhookSecret,
      events: ["push", "pull_request"],
    });
    assert.deepStrictEqual(plan.apps[2].webhook?.events, ["push"]);
  });

  it("pins every container image", () => {
    const plan = planStack(settings(), RENDER_SECRETS);
    const uses = plan.apps.flatMap((a) => kubernetesObjectsIn(a.repoFiles)).flatMap((o) => imagesIn(o));
    assert.ok(uses.length > 0);
    for (const { path: where, image } of uses) {
      assert.ok(image, `${where}: no image recorded`);
      assert.match(image, /(:v?\d[\w.-]*|@sha256:[0-9a-f]{64})$/, `${where}: ${image} is not pinned`);
    }
  });
});
