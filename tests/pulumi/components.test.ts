// The public components as a platform team's own program uses them: documented args, Inputs from its
// own resources, errors that name the component and the arg.
import * as assert from "assert";
import { createOpsBranches, installMocks, outputValue, resetWorld, settled, world } from "../helpers/pulumi-mocks";
import { appEntry, FAKE_TOKEN, FAKE_WEBHOOK_SECRET, settings, SHA_A } from "../helpers/fixtures";

installMocks();
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BuildNamespace, catchComponentErrors, ComponentArgsError, DeliberateImageBuilds, DeliberateImageBuildsArgs, nextComponentError } from "../../components";
import { plainSecretValues, planNamespace } from "../../components/plan/stack";
import { appWebhookSecret } from "../../components/plan/names";

const byType = (type: string) => world.resources.filter((r) => r.type === type);

function args(extra: Partial<DeliberateImageBuildsArgs> = {}): DeliberateImageBuildsArgs {
  return {
    githubOwner: "example-org",
    appRepository: "go-sample-app",
    branch: "main",
    opsRepository: "go-sample-app-ops",
    image: "registry.example.com/example-org/go-sample-app",
    initialRevision: SHA_A,
    namespace: "builds",
    webhookSecret: FAKE_WEBHOOK_SECRET,
    ...extra,
  };
}

function ready(): void {
  resetWorld();
  createOpsBranches([appEntry()]);
}

/** The next error a component raises once an Input resolves (under mocks it fails the running test unless caught). */
function nextFailure(): Promise<string> {
  return nextComponentError().then(String);
}

describe("pulumi: the public components", function () {
  this.timeout(20000);

  it("refuses wrong args before registering anything, naming the component, each arg and what it expects", () => {
    ready();
    assert.throws(
      () => new DeliberateImageBuilds("go-sample-app", args({ initialRevision: "main", appRepository: "not a repo", writeBackAttempts: 0 })),
      (err: unknown) => {
        assert.ok(err instanceof ComponentArgsError);
        const message = (err as Error).message;
        assert.match(message, /^DeliberateImageBuilds "go-sample-app": invalid args \(3 problems\)/);
        assert.match(message, /args\.initialRevision: got "main"; expected a full commit SHA: 40 lowercase hex characters/);
        assert.match(message, /args\.appRepository: got "not a repo"; expected a GitHub owner or repository name/);
        assert.match(message, /args\.writeBackAttempts: got 0; expected a whole number from 1 to 20/);
        return true;
      },
    );
    assert.throws(() => new DeliberateImageBuilds("Go_App", args()), /DeliberateImageBuilds "Go_App".*\n.*args\.name \(the resource name\): got "Go_App"; expected a DNS-1123 label/);
    assert.throws(() => new DeliberateImageBuilds("go-sample-app", args({ webhook: {} })), /args\.webhook\.url: got nothing; expected the EventListener's https URL, or an ingressHost/);
    // An empty URL reads as none, as an empty stack config value does.
    assert.throws(() => new DeliberateImageBuilds("go-sample-app", args({ webhook: { url: "" } })), /args\.webhook\.url: got nothing; expected the EventListener's https URL, or an ingressHost/);
    assert.throws(() => new BuildNamespace("ns", { namespace: "builds", githubToken: "t", webhookSecret: "w", gitHost: "http://git.example.com" }), /BuildNamespace "ns".*\n.*args\.gitHost: got "http:\/\/git\.example\.com"; expected an absolute https:\/\/ URL/);
    assert.deepStrictEqual(world.resources, []);
  });

  it("gives each app a webhook secret of its own: derived from its BuildNamespace's root, or given and at least 32 characters", async () => {
    ready();
    createOpsBranches([appEntry(), appEntry("second")]);
    const buildNamespace = new BuildNamespace("builds", { namespace: "builds", githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const derived = ["go-sample-app", "second"].map((name) => new DeliberateImageBuilds(name, args({ appRepository: name, opsRepository: `${name}-ops`, namespace: buildNamespace, webhookSecret: undefined })));
    await settled(...derived.map((a) => a.testedRevision));
    const valueOf = (name: string) => (byType("kubernetes:core/v1:Secret").find((r) => (r.inputs.metadata as { name: string }).name === `${name}-webhook`)?.inputs.stringData as { secretToken: string }).secretToken;
    assert.strictEqual(valueOf("go-sample-app"), appWebhookSecret(FAKE_WEBHOOK_SECRET, { namespace: "builds", name: "go-sample-app" }));
    assert.notStrictEqual(valueOf("go-sample-app"), valueOf("second"), "no two apps share one");
    assert.strictEqual(valueOf("go-sample-app").length, 64, "32 bytes");
    assert.ok(!JSON.stringify(world.resources.map((r) => r.inputs)).includes(FAKE_WEBHOOK_SECRET), "the root never reaches a resource");

    ready();
    assert.throws(
      () => new DeliberateImageBuilds("go-sample-app", args({ webhookSecret: undefined })),
      /args\.webhookSecret: got nothing, and a bare namespace to derive none from; expected the app's webhook secret, or its BuildNamespace as namespace/,
    );
    const failure = nextFailure();
    new DeliberateImageBuilds("go-sample-app", args({ webhookSecret: pulumi.output("too-short-a-secret") }));
    const message = await failure;
    assert.match(message, /args\.webhookSecret: got a value too short \(not shown: it is secret\); expected at least 32 random characters, got 18/);
    assert.ok(!message.includes("too-short-a-secret"));
  });

  it("plans with a namespace and webhook URL from other resources, as with the same plain values", async () => {
    ready();
    const ns = new k8s.core.v1.Namespace("team-builds", { metadata: { name: "builds" } });
    const url = pulumi.output("https://hooks.example.com/go");
    const buildNamespace = new BuildNamespace("builds", { namespace: ns.metadata.name, githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const fromInputs = new DeliberateImageBuilds(
      "go-sample-app",
      args({ namespace: buildNamespace.namespace, webhook: { url } }),
      { dependsOn: [buildNamespace] },
    );
    await settled(fromInputs.testedRevision);
    // In a set order: the SDK registers each resource once its inputs resolve.
    const inputsOf = () => world.resources.filter((r) => r.type.startsWith("github:") || r.type.includes("argoproj")).map((r) => JSON.stringify(r.inputs)).sort();
    const inputs = inputsOf();
    const secrets = byType("kubernetes:core/v1:Secret");
    assert.deepStrictEqual(secrets.map((s) => (s.inputs.metadata as { namespace: string }).namespace), ["builds", "builds", "builds", "builds"]);
    assert.ok(secrets.every((s) => s.secretPaths.includes("stringData")), "plain values in, secrets in state");

    ready();
    const plain = new DeliberateImageBuilds("go-sample-app", args({ webhook: { url: "https://hooks.example.com/go" } }));
    await settled(plain.testedRevision);
    const plainInputs = inputsOf();
    assert.strictEqual(inputs.length, 8, "four files, an AppProject, two Applications, a webhook");
    assert.deepStrictEqual(inputs, plainInputs);

    // A namespace from another resource beside a plain URL.
    ready();
    const mixedNamespace = new BuildNamespace("builds", { namespace: pulumi.output("builds"), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const mixed = new DeliberateImageBuilds("go-sample-app", args({ namespace: mixedNamespace.namespace, webhook: { url: "https://hooks.example.com/go" } }));
    await settled(mixed.testedRevision);
    assert.deepStrictEqual(inputsOf(), plainInputs);
    const image = plainInputs.map((i) => JSON.parse(i) as { file?: string; content?: string }).find((i) => i.file === "cicd/kpack/image.yaml");
    assert.match(String(image?.content), /namespace: builds/);
    assert.strictEqual(await outputValue(plain.eventListenerService), "el-go-sample-app-listener");
    assert.deepStrictEqual(plain.opsFiles.length + plain.applications.length, 6);
  });

  it("registers a build namespace's Secrets as planNamespace plans them, with the stack config's gitHost when given none", async () => {
    const registered = async (gitHost?: string) => {
      ready();
      const ns = new BuildNamespace("builds", { namespace: pulumi.output("builds"), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET, gitHost, labelNamespace: true });
      await settled(ns.namespace);
      // In the order of their names: the SDK registers each once its inputs resolve, in no set order.
      return world.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => [r.type, r.name, r.inputs]).sort(byName);
    };
    const planned = (gitHost: string) => {
      const p = planNamespace({ gitHost }, "builds", plainSecretValues({ githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET }));
      return [
        ["kubernetes:core/v1:NamespacePatch", "builds-namespace", p.namespace],
        ["kubernetes:core/v1:Secret", "builds-github-token", p.githubToken],
        ["kubernetes:core/v1:Secret", "builds-git-credentials", p.gitCredentials],
        ["kubernetes:core/v1:Secret", "builds-commit-status-token", p.statusToken],
      ].sort(byName);
    };
    const byName = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
    assert.deepStrictEqual(await registered(), planned(settings().gitHost));
    assert.deepStrictEqual(await registered("https://git.example.com:8443/"), planned("https://git.example.com:8443"));
  });

  it("checks a namespace from another resource once it resolves", async () => {
    ready();
    const failure = nextFailure();
    new DeliberateImageBuilds("go-sample-app", args({ namespace: pulumi.output("Not_A_Label") }));
    assert.match(await failure, /DeliberateImageBuilds "go-sample-app".*\n.*args\.namespace: got "Not_A_Label"; expected a DNS-1123 label/);
  });

  it("refuses a webhook URL from an Output that resolves to nothing as one error, though three fields read it", async () => {
    ready();
    createOpsBranches([appEntry()]);
    const failures = new Set<unknown>();
    const collect = (err: unknown) => failures.add(err);
    process.on("unhandledRejection", collect);
    const caught = catchComponentErrors();
    try {
      new DeliberateImageBuilds("go-sample-app", args({ webhook: { url: pulumi.output<string | undefined>(undefined) as pulumi.Output<string> } }));
      await caught.first;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off("unhandledRejection", collect);
      caught.stop();
    }
    assert.strictEqual(caught.errors.length, 1, caught.errors.map(String).join("\n"));
    assert.match(caught.errors[0].message, /args\.webhook\.url: got nothing; expected the EventListener's https URL, or an ingressHost/);
    assert.deepStrictEqual([...failures], caught.errors, "one error object: the language host shows it once");
  });

  it("fails as a pulumi.RunError whose message appears once, unwrapped, when the error comes from an Output", async () => {
    ready();
    const failures: unknown[] = [];
    const collect = (err: unknown) => failures.push(err);
    process.on("unhandledRejection", collect);
    const caught = catchComponentErrors();
    try {
      // The namespace and URL feed every file, both Applications and the webhook: each of their inputs
      // fails with the one error, and the SDK prefixes its message once per input it serializes.
      const app = new DeliberateImageBuilds("go-sample-app", args({ namespace: pulumi.output("Not_A_Label"), webhook: { url: pulumi.output("https://hooks.example.com/go") } }));
      await settled(app.eventListenerService);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off("unhandledRejection", collect);
      caught.stop();
    }
    assert.deepStrictEqual(caught.errors, [failures[0]], "the test sees the same error, once");
    assert.ok(failures.length > 0, "the program fails");
    assert.ok(failures.every((f) => f === failures[0]), "one error, reported once by the language host (it dedupes by identity)");
    const err = failures[0];
    assert.ok(err instanceof ComponentArgsError);
    assert.strictEqual(err.message, "DeliberateImageBuilds \"go-sample-app\": invalid args (1 problem):\n  - args.namespace: got \"Not_A_Label\"; expected a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending alphanumeric");
    assert.ok(pulumi.RunError.isInstance(err), "the language host prints a RunError's message alone, no stack trace, no colours");
  });

  it("fails as a pulumi.RunError on wrong plain args, the message alone", () => {
    ready();
    let thrown: unknown;
    try {
      new BuildNamespace("ns", { namespace: "builds", githubToken: "t", webhookSecret: "w", gitHost: "http://git.example.com" });
    } catch (err) {
      thrown = err;
    }
    assert.ok(pulumi.RunError.isInstance(thrown));
  });

  it("names resources after the app once, and aliases the Applications' names from before", async () => {
    ready();
    const app = new DeliberateImageBuilds("go-sample-app", args());
    await settled(app.testedRevision);
    const names = world.resources.map((r) => r.name);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(!/go-sample-app.*go-sample-app/.test(name), name);
    const applications = byType("kubernetes:argoproj.io/v1alpha1:Application");
    assert.deepStrictEqual(
      applications.map((a) => [a.name, a.options.aliasNames]),
      [
        ["go-sample-app-image", ["go-sample-app-go-sample-app-image"]],
        ["go-sample-app-tekton", ["go-sample-app-go-sample-app-tekton"]],
      ],
    );
  });

  it("takes its namespace and its dependency from a BuildNamespace", async () => {
    ready();
    const buildNamespace = new BuildNamespace("builds", { namespace: "builds", githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const app = new DeliberateImageBuilds("go-sample-app", args({ namespace: buildNamespace }));
    await settled(app.testedRevision);
    const secretUrns = byType("kubernetes:core/v1:Secret").map((s) => s.name).sort();
    assert.deepStrictEqual(secretUrns, ["builds-commit-status-token", "builds-git-credentials", "builds-github-token", "go-sample-app-webhook-secret"]);
    for (const application of byType("kubernetes:argoproj.io/v1alpha1:Application")) {
      assert.strictEqual((application.inputs.spec as { destination: { namespace: string } }).destination.namespace, "builds");
      // The BuildNamespace's Secrets, though the app's opts name no dependency.
      const waited = application.options.dependsOn.filter((urn) => urn.includes("kubernetes:core/v1:Secret"));
      assert.deepStrictEqual(waited.map((urn) => urn.split("::").pop()).sort(), [...secretUrns].sort(), application.name);
    }
    assert.match(String(byType("github:index/repositoryFile:RepositoryFile").find((f) => f.inputs.file === "cicd/kpack/image.yaml")?.inputs.content), /namespace: builds/);
  });
});
