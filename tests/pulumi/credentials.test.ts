// Argo CD's and kpack's credentials under Pulumi's mocks: applied as secret outputs, from the right token,
// an existing service account patched rather than taken over, and the fallback warned about.
import * as assert from "assert";
import { createOpsBranches, installMocks, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { appEntry, FAKE_READ_TOKEN, FAKE_TOKEN, FAKE_WEBHOOK_SECRET, rawStack } from "../helpers/fixtures";

installMocks();
import { deployStack } from "../../components/pulumi/stack";
import { ConfigError } from "../../components/config/errors";

const FAKE_ARGOCD_TOKEN = "ghp_FAKE_READ_ONLY_not_a_real_credential_0000";
const FAKE_WRITE_BACK_TOKEN = "ghp_FAKE_WRITE_BACK_not_a_real_credential_0000";
const FAKE_STATUS_TOKEN = "ghp_FAKE_STATUS_TOKEN_not_a_real_credential_00";
const FAKE_REGISTRY = JSON.stringify({ auths: { "registry.example.com": { auth: Buffer.from("robot:fake-registry-password").toString("base64") } } });

async function deploy(extra: Record<string, unknown>, apps?: unknown[]): Promise<string[]> {
  resetWorld();
  createOpsBranches(rawStack({}, apps).apps);
  const secrets = { githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET, ...extra };
  setStackConfig({ ...rawStack({}, apps), ...secrets }, Object.keys(secrets).filter((k) => ["githubToken", "writeBackToken", "readToken", "webhookSecret", "argocdToken", "registryCredentials"].includes(k)));
  const out = deployStack();
  await settled(...Object.values(out.apps).map((a) => a.testedRevision));
  return [...world.warnings];
}

const secretNamed = (name: string) => world.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as { name: string }).name === name);

describe("pulumi: credentials for private repositories and registries", function () {
  this.timeout(20000);

  it("applies Argo CD's and kpack's Secrets with their values held as secrets, Argo CD's from argocdToken, kpack's from readToken", async () => {
    const warnings = await deploy({ argocdToken: FAKE_ARGOCD_TOKEN, registryCredentials: FAKE_REGISTRY, readToken: FAKE_READ_TOKEN, writeBackToken: FAKE_WRITE_BACK_TOKEN, statusToken: FAKE_STATUS_TOKEN });
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(secretNamed("commit-status-token")?.inputs.stringData, { STATUS_TOKEN: FAKE_STATUS_TOKEN }, "the status steps' own token, in a Secret of its own");
    const argocd = secretNamed("repo-creds-example-org");
    assert.deepStrictEqual(argocd?.inputs.stringData, { type: "git", url: "https://github.com/example-org/", username: "x-access-token", password: FAKE_ARGOCD_TOKEN });
    assert.deepStrictEqual(secretNamed("kpack-git-credentials")?.inputs.stringData, { username: "x-access-token", password: FAKE_READ_TOKEN });
    assert.deepStrictEqual(secretNamed("github-token")?.inputs.stringData, { GITHUB_TOKEN: FAKE_WRITE_BACK_TOKEN, READ_TOKEN: FAKE_READ_TOKEN });
    assert.doesNotMatch(JSON.stringify(world.resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.inputs)), new RegExp(FAKE_TOKEN), "githubToken stays in Pulumi");
    assert.deepStrictEqual(secretNamed("kpack-registry-credentials")?.inputs.stringData, { ".dockerconfigjson": FAKE_REGISTRY });
    for (const name of ["repo-creds-example-org", "kpack-git-credentials", "kpack-registry-credentials"]) {
      assert.deepStrictEqual(secretNamed(name)?.secretPaths, ["stringData"], `${name}'s values reach Pulumi as secrets`);
    }
    // Neither token nor registry password reaches anything but the cluster's Secrets and the GitHub provider.
    for (const value of [FAKE_ARGOCD_TOKEN, FAKE_REGISTRY]) {
      const holders = world.resources.filter((r) => JSON.stringify(r.inputs).includes(JSON.stringify(value).slice(1, -1))).map((r) => r.type);
      assert.deepStrictEqual([...new Set(holders)], ["kubernetes:core/v1:Secret"], value);
    }
    const account = world.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name.endsWith("image-builder"));
    assert.deepStrictEqual([account?.inputs.secrets, account?.inputs.imagePullSecrets], [[{ name: "kpack-git-credentials" }, { name: "kpack-registry-credentials" }], [{ name: "kpack-registry-credentials" }]]);
  });

  it("makes each app's Applications wait for Argo CD's Secret, kpack's Secrets in its namespace and its own image account, nothing of other apps", async () => {
    const apps = [appEntry("a"), appEntry("b"), appEntry("c", { namespace: "builds" }), appEntry("d", { namespace: "builds", imageServiceAccount: "existing" })];
    await deploy({ argocdToken: FAKE_ARGOCD_TOKEN, registryCredentials: FAKE_REGISTRY }, apps);
    const waitsFor = (application: string) => {
      const registered = world.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.name === application);
      assert.ok(registered, application);
      return registered.options.dependsOn.filter((urn) => urn.includes("deliberate-image-builds:cluster:Credentials")).map((urn) => urn.split("::").pop()).sort();
    };
    const kpack = (ns: string) => [`credentials-${ns}.kpack-git-credentials`, `credentials-${ns}.kpack-registry-credentials`];
    const expected: Record<string, string[]> = {
      a: [...kpack("default"), "credentials-default.a-image-builder"],
      b: [...kpack("default"), "credentials-default.b-image-builder"],
      c: [...kpack("builds"), "credentials-builds.c-image-builder"],
      // An account the stack names is patched, not created: the app waits for the patch.
      d: [...kpack("builds"), "credentials-builds.existing-secrets"],
    };
    for (const [app, own] of Object.entries(expected)) {
      for (const role of ["image", "tekton"]) assert.deepStrictEqual(waitsFor(`${app}-${role}`), ["credentials-argocd-repo-creds-example-org", ...own].sort(), `${app}-${role}`);
    }
  });

  it("registers every resource under its own name when namespace and app names could be joined alike, keeping old names that were one resource's as aliases", async () => {
    // `<namespace>-<app>` reads the same for both: app x-y in builds and app y in builds-x.
    const apps = [appEntry("x-y", { namespace: "builds" }), appEntry("y", { namespace: "builds-x" }), appEntry("z", { namespace: "builds-x", imageServiceAccount: "shared" }), appEntry("w", { namespace: "builds", imageServiceAccount: "x-shared" })];
    await deploy({ registryCredentials: FAKE_REGISTRY }, apps);
    const urns = world.resources.map((r) => `${r.type}::${r.name}`);
    assert.deepStrictEqual(urns.filter((u, i) => urns.indexOf(u) !== i), [], "no two resources of one type share a name (one URN)");
    const account = world.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name === "credentials-builds.x-y-image-builder");
    assert.deepStrictEqual(account?.options.aliasNames, [], "y's account in builds-x had that name too");
    const secret = world.resources.find((r) => r.name === "credentials-builds-x.kpack-git-credentials");
    assert.deepStrictEqual(secret?.options.aliasNames, ["credentials-builds-x-kpack-git-credentials"], "an existing stack renames it in place");
    const patches = world.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccountPatch").map((r) => [r.name, r.options.aliasNames]);
    // Both had one old name: an alias on both would stop the engine (duplicate resource alias), so neither has it.
    assert.deepStrictEqual(patches.sort(), [
      ["credentials-builds-x.shared-secrets", []],
      ["credentials-builds.x-shared-secrets", []],
    ]);
  });

  it("warns once that githubToken serves in the cluster when the write-back and read tokens are unset", async () => {
    const warnings = await deploy({});
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /githubToken also serves in the cluster.*writeBackToken.*git-clone, kpack and Argo CD read with it \(set deliberate-image-builds:readToken/);
    assert.deepStrictEqual((secretNamed("repo-creds-example-org")?.inputs.stringData as { password: string }).password, FAKE_TOKEN);
  });

  it("patches a named service account instead of creating it, and applies no credential for public repositories", async () => {
    await deploy({ privateRepositories: false, registryCredentials: FAKE_REGISTRY }, [appEntry("go-sample-app", { imageServiceAccount: "kpack-registry" })]);
    assert.deepStrictEqual(world.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.name.startsWith("credentials")), [], "no image account is made");
    const patch = world.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccountPatch");
    assert.deepStrictEqual(patch.map((p) => p.inputs), [{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "kpack-registry", namespace: "default" }, secrets: [{ name: "kpack-registry-credentials" }] }]);
    assert.deepStrictEqual(world.resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => (r.inputs.metadata as { name: string }).name).sort(), ["commit-status-token", "github-git-credentials", "github-token", "go-sample-app-webhook", "kpack-registry-credentials"]);
  });

  it("fails before registering anything when registryCredentials is not a docker config.json, without showing it", () => {
    resetWorld();
    setStackConfig({ ...rawStack(), githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET, registryCredentials: "robot:fake-registry-password" }, ["githubToken", "webhookSecret", "registryCredentials"]);
    assert.throws(() => deployStack(), (err: unknown) => err instanceof ConfigError && /registryCredentials: got a value of the wrong shape/.test(err.message) && !err.message.includes("fake-registry-password"));
    assert.strictEqual(world.resources.length, 0);
  });
});
