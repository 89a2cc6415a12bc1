// kpack's and Argo CD's credentials from the library, as a program of its own uses them: made from the
// args, held as secrets, waited for by each app that lists them, and left to the program where it
// brings its own.
import * as assert from "assert";
import { installMocks, resetWorld, settled, world } from "../helpers/pulumi-mocks";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET, SHA_A } from "../helpers/fixtures";

installMocks();
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BuildCredentials, BuildNamespace, ComponentArgsError, DeliberateImageBuilds, DeliberateImageBuildsArgs, nextComponentError } from "../../components";

const FAKE_REGISTRY = JSON.stringify({ auths: { "registry.example.com": { auth: Buffer.from("robot:fake-registry-password").toString("base64") } } });
const SECRET = "kubernetes:core/v1:Secret";

function app(name: string, extra: Partial<DeliberateImageBuildsArgs> = {}): DeliberateImageBuildsArgs {
  return {
    githubOwner: "example-org",
    appRepository: name,
    branch: "main",
    opsRepository: "platform-ops",
    opsPath: `apps/${name}`,
    image: `registry.example.com/example-org/${name}`,
    initialRevision: SHA_A,
    namespace: "builds",
    webhookSecret: FAKE_WEBHOOK_SECRET,
    ...extra,
  };
}

/** A new program: fresh mocks, and GitHub holding the shared ops branch. */
function ready(): void {
  installMocks();
  resetWorld();
  world.githubBranches.set("platform-ops/main", "c".repeat(40));
}

const named = (type: string, name: string) => world.resources.find((r) => r.type === type && (r.inputs.metadata as { name: string }).name === name);

describe("pulumi: BuildCredentials, kpack's and Argo CD's credentials for a program of its own", function () {
  this.timeout(20000);

  it("makes kpack's Secrets, each app's image account and Argo CD's repo-creds, and each app waits for its own", async () => {
    ready();
    const ns = new BuildNamespace("builds", { namespace: "builds", githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const credentials = new BuildCredentials("credentials", {
      githubOwner: "example-org",
      githubToken: FAKE_TOKEN,
      registryCredentials: FAKE_REGISTRY,
      apps: [
        { name: "app-a", namespace: "builds" },
        { name: "app-b", namespace: "builds" },
      ],
      namespaces: { builds: [ns] },
    });
    const apps = ["app-a", "app-b"].map((name) => new DeliberateImageBuilds(name, app(name, { namespace: ns, credentials })));
    await settled(...apps.map((a) => a.testedRevision));
    assert.deepStrictEqual(named(SECRET, "repo-creds-example-org")?.inputs.stringData, { type: "git", url: "https://github.com/example-org/", username: "x-access-token", password: FAKE_TOKEN });
    assert.deepStrictEqual(named(SECRET, "kpack-git-credentials")?.inputs.stringData, { username: "x-access-token", password: FAKE_TOKEN });
    assert.deepStrictEqual(named(SECRET, "kpack-registry-credentials")?.inputs.stringData, { ".dockerconfigjson": FAKE_REGISTRY });
    for (const name of ["repo-creds-example-org", "kpack-git-credentials", "kpack-registry-credentials"]) assert.deepStrictEqual(named(SECRET, name)?.secretPaths, ["stringData"], name);
    for (const name of ["app-a", "app-b"]) {
      const account = named("kubernetes:core/v1:ServiceAccount", `${name}-image-builder`);
      assert.deepStrictEqual(account?.inputs.secrets, [{ name: "kpack-git-credentials" }, { name: "kpack-registry-credentials" }]);
      const image = world.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.name === `${name}-image`);
      const waited = image?.options.dependsOn.filter((urn) => urn.includes("deliberate-image-builds:cluster:Credentials")).map((urn) => urn.split("::").pop()).sort();
      assert.deepStrictEqual(waited, ["credentials-argocd-repo-creds-example-org", `credentials-builds.${name}-image-builder`, "credentials-builds.kpack-git-credentials", "credentials-builds.kpack-registry-credentials"]);
    }
  });

  it("leaves what a program brings to it: its own account (patched, never made) and no repo-creds", async () => {
    ready();
    const credentials = new BuildCredentials("credentials", {
      githubOwner: "example-org",
      githubToken: FAKE_TOKEN,
      argocdRepositoryCredentials: false,
      apps: [{ name: "app-a", namespace: "builds", imageServiceAccount: "team-builder" }],
    });
    const a = new DeliberateImageBuilds("app-a", app("app-a", { credentials, imageServiceAccount: "team-builder" }));
    await settled(a.testedRevision);
    assert.strictEqual(named(SECRET, "repo-creds-example-org"), undefined);
    assert.deepStrictEqual(world.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name.startsWith("credentials")), [], "no image account is made");
    assert.deepStrictEqual(world.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccountPatch").map((r) => r.inputs.metadata), [{ name: "team-builder", namespace: "builds" }]);
  });

  it("refuses an app its credentials do not list, or list with another account or namespace, and bad args", () => {
    ready();
    const credentials = new BuildCredentials("credentials", { githubOwner: "example-org", githubToken: FAKE_TOKEN, apps: [{ name: "app-a", namespace: "builds" }] });
    assert.throws(() => new DeliberateImageBuilds("app-b", app("app-b", { credentials })), (err: unknown) => err instanceof ComponentArgsError && /args\.credentials: got a BuildCredentials without an app "app-b"; expected one listing this app/.test(String(err)));
    assert.throws(() => new DeliberateImageBuilds("app-a", app("app-a", { credentials, imageServiceAccount: "other" })), /args\.imageServiceAccount: got "other"; the BuildCredentials list "app-a-image-builder" for this app/);
    assert.throws(() => new DeliberateImageBuilds("app-a", app("app-a", { credentials, namespace: "elsewhere" })), /args\.namespace: got "elsewhere"; the BuildCredentials list "builds" for this app/);
    assert.throws(
      () => new BuildCredentials("bad", { githubOwner: "not an owner", githubToken: FAKE_TOKEN, registryCredentials: "robot:fake-registry-password", apps: [{ name: "App", namespace: "builds" }] }),
      (err: unknown) => {
        const message = String(err);
        assert.ok(err instanceof ComponentArgsError, message);
        assert.match(message, /BuildCredentials "bad": invalid args \(3 problems\)/);
        assert.match(message, /args\.githubOwner: got "not an owner"/);
        assert.match(message, /args\.apps\[0\]\.name: got "App"; expected a DNS-1123 label/);
        assert.match(message, /args\.registryCredentials: got a value of the wrong shape/);
        assert.doesNotMatch(message, /fake-registry-password/);
        return true;
      },
    );
  });

  it("takes each app's namespace as the app does, its BuildNamespace from a Namespace's metadata.name, named once", async () => {
    ready();
    const namespace = new k8s.core.v1.Namespace("builds", { metadata: { name: "builds" } });
    const builds = new BuildNamespace("builds", { namespace: namespace.metadata.name, githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const credentials = new BuildCredentials("credentials", {
      githubOwner: "example-org",
      githubToken: FAKE_TOKEN,
      apps: [
        { name: "app-a", namespace: builds },
        { name: "app-b", namespace: builds },
      ],
    });
    const apps = ["app-a", "app-b"].map((name) => new DeliberateImageBuilds(name, app(name, { namespace: builds, credentials })));
    await settled(...apps.map((a) => a.testedRevision));
    for (const object of ["kpack-git-credentials", "app-a-image-builder", "app-b-image-builder"]) {
      const made = world.resources.find((r) => r.name.startsWith("credentials-") && (r.inputs.metadata as { name: string }).name === object);
      assert.strictEqual((made?.inputs.metadata as { namespace?: string } | undefined)?.namespace, "builds", object);
      assert.strictEqual(made?.name, `credentials-builds.${object}`, "named after the BuildNamespace until the namespace is known");
      assert.ok(made?.options.dependsOn.some((urn) => urn.endsWith("::builds-github-token")), `${object} waits for the BuildNamespace without a namespaces arg`);
    }
  });

  it("refuses an app whose namespace is another than the one its credentials list, naming the arg, once both resolve", async () => {
    ready();
    const builds = new BuildNamespace("builds", { namespace: pulumi.output("builds"), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const credentials = new BuildCredentials("credentials", { githubOwner: "example-org", githubToken: FAKE_TOKEN, apps: [{ name: "app-a", namespace: builds }] });
    const failure = nextComponentError();
    new DeliberateImageBuilds("app-a", app("app-a", { namespace: pulumi.output("biulds"), credentials }));
    assert.strictEqual(
      (await failure).message,
      'DeliberateImageBuilds "app-a": invalid args (1 problem):\n  - args.namespace: got "biulds" (a namespace from another resource); the BuildCredentials list "builds" (the namespace of BuildNamespace "builds") for this app, expected the same namespace',
    );
    // A plain name against a BuildNamespace's plain name: at once.
    ready();
    const plainBuilds = new BuildNamespace("plain", { namespace: "builds", githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const listed = new BuildCredentials("credentials", { githubOwner: "example-org", githubToken: FAKE_TOKEN, apps: [{ name: "app-a", namespace: plainBuilds }] });
    assert.throws(() => new DeliberateImageBuilds("app-a", app("app-a", { namespace: "biulds", credentials: listed })), /args\.namespace: got "biulds"; the BuildCredentials list "builds" for this app/);
  });

  it("refuses one namespace given two ways to the credentials, naming the app's arg", async () => {
    ready();
    const builds = new BuildNamespace("builds", { namespace: pulumi.output("builds"), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    assert.throws(
      () => new BuildCredentials("credentials", { githubOwner: "example-org", githubToken: FAKE_TOKEN, apps: [{ name: "app-a", namespace: "builds" }, { name: "app-b", namespace: builds }] }),
      /args\.apps\[1\]\.namespace: got the namespace of BuildNamespace "builds", whose objects would take the names of apps\[0\]'s \("builds"\)/,
    );
    const other = new BuildNamespace("other", { namespace: pulumi.output("builds"), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    const failure = nextComponentError();
    new BuildCredentials("credentials", { githubOwner: "example-org", githubToken: FAKE_TOKEN, apps: [{ name: "app-a", namespace: builds }, { name: "app-b", namespace: other }] });
    assert.match((await failure).message, /args\.apps\[0\]\.namespace: got "builds" \(the namespace of BuildNamespace "builds"\), which the namespace of BuildNamespace "other" is too/);
  });

  it("checks registryCredentials from config (an Output) once it resolves, naming the key and never showing the value", async () => {
    ready();
    const failure = nextComponentError();
    new BuildCredentials("credentials", {
      githubOwner: "example-org",
      githubToken: FAKE_TOKEN,
      registryCredentials: pulumi.secret("robot:fake-registry-password"),
      apps: [{ name: "app-a", namespace: "builds" }],
    });
    const message = (await failure).message;
    assert.match(message, /^BuildCredentials "credentials": invalid args \(1 problem\):\n {2}- args\.registryCredentials: got a value of the wrong shape \(not shown: it is secret\); expected a docker config\.json/);
    assert.doesNotMatch(message, /robot|fake-registry-password/);
  });

  it("warns when nothing given to an app makes the account kpack builds with", async () => {
    ready();
    world.warnings.length = 0;
    new DeliberateImageBuilds("app-a", app("app-a"));
    new DeliberateImageBuilds("app-b", app("app-b", { imageServiceAccount: "team-builder" }));
    assert.deepStrictEqual(world.warnings, [
      `DeliberateImageBuilds "app-a": kpack builds with the service account app-a-image-builder, which nothing given to it makes; pass credentials (a BuildCredentials listing this app), or imageServiceAccount naming an account of yours`,
    ]);
  });
});
