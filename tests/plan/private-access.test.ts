// What Argo CD, kpack and the registry get to read private repositories and push images, judged by the
// rules the upstream code applies at run time, and what a public setup gets instead: nothing.
import Ajv from "ajv";
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ConfigError } from "../../components/config/errors";
import { fromPulumiConfig, MalformedSecret, parseSettings, settingsWarnings } from "../../components/config/parse";
import { dockerConfigAuths, dockerConfigJson } from "../../components/config/validators";
import { Ingress } from "../../components/kubernetes/ingress";
import { KubernetesObject, Secret } from "../../components/kubernetes/types";
import { kubernetesObjectsIn, TEKTON_FILE } from "../../components/plan/ops-repository";
import { opsFileContent } from "../../components/synth/ops-file";
import { plainSecretValues, planStack } from "../../components/plan/stack";
import { closeSchema } from "../helpers/reference";
import { appEntry, FAKE_TOKEN, FAKE_WEBHOOK_SECRET, plannedImage, rawStack, settings } from "../helpers/fixtures";

const VALUES = { githubToken: "T", webhookSecret: "W", argocdToken: "A", registryCredentials: "R" };
const plan = (extra: Record<string, unknown> = {}, apps?: unknown[], values: typeof VALUES | Omit<typeof VALUES, "argocdToken" | "registryCredentials"> = VALUES) =>
  planStack(settings(extra, apps), plainSecretValues(values));

// argoproj/argo-cd util/git (NormalizeGitURL) and util/db/repository_secrets.go (getRepositoryCredentialIndex):
// lowercase, drop a trailing .git, then the longest credential url that prefixes the repository url wins.
const normalizeGitUrl = (url: string) => new URL(url.trim().toLowerCase().replace(/\.git$/, "")).toString();
const argocdUses = (credentialUrl: string, repoUrl: string) => normalizeGitUrl(repoUrl).startsWith(normalizeGitUrl(credentialUrl));
// pivotal/kpack v0.17.2 pkg/git: secretGitKeychain.Resolve parses the clone URL with giturls.Parse (Go's
// net/url for https, which keeps the host as written: its case and any port), gitBasicAuthCred.match
// takes http(s) only, and gitUrlMatch compares that host, bare or behind a scheme, with the annotation
// exactly. (WHATWG URL's `host` would lowercase it and drop a default port: not what kpack compares.)
const kpackUses = (annotation: string, cloneUrl: string) => {
  const [, scheme, host] = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(cloneUrl) ?? [];
  if (!["http", "https"].includes(scheme?.toLowerCase())) return false;
  return [host, `https://${host}`, `http://${host}`, `git@${host}`].includes(annotation);
};

// Kubernetes' own definitions, as SchemaStore carries them (from argo-events' generated schema), closed so
// that a misspelt field fails.
const K8S = JSON.parse(
  fs.readFileSync(require.resolve("schemastore/schemas/json/raw.githubusercontent.com/argoproj/argo-events/master/api/jsonschema/schema.json"), "utf8"),
) as { definitions: Record<string, unknown> };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const definitions = closeSchema(K8S.definitions);
const validator = (definition: string) => ajv.compile({ $ref: `#/definitions/${definition}`, definitions });
const SCHEMAS: Record<string, ReturnType<typeof validator>> = {
  Secret: validator("io.k8s.api.core.v1.Secret"),
  ServiceAccount: validator("io.k8s.api.core.v1.ServiceAccount"),
  Ingress: validator("io.k8s.api.networking.v1.Ingress"),
};
function schemaErrors(o: KubernetesObject): string[] {
  const validate = SCHEMAS[o.kind];
  assert.ok(validate, `no schema for ${o.kind}`);
  return validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

function committedIngress(p: ReturnType<typeof plan>, app = 0): Ingress | undefined {
  const file = p.apps[app].repoFiles.find((f) => f.path === TEKTON_FILE);
  return kubernetesObjectsIn(file ? [file] : []).find((o): o is Ingress => o.kind === "Ingress");
}

/** A genuine docker config.json, as kubectl writes it for a registry. */
function kubectlDockerConfig(server: string): string {
  const r = spawnSync("kubectl", ["create", "secret", "docker-registry", "r", `--docker-server=${server}`, "--docker-username=robot", "--docker-password=fake-registry-password", "--dry-run=client", "-o", "json"], { encoding: "utf8" });
  assert.strictEqual(r.status, 0, r.stderr);
  return Buffer.from(JSON.parse(r.stdout).data[".dockerconfigjson"], "base64").toString("utf8");
}

describe("plan: credentials for private repositories and registries", () => {
  it("gives Argo CD a repo-creds Secret in its namespace that covers every ops repository of the owner, and nobody else's", () => {
    const p = plan({ argocdToken: "[secret]" }, [appEntry("a"), appEntry("b", { namespace: "builds" })]);
    const secret = p.credentials.argocd as Secret<string>;
    assert.deepStrictEqual([secret.metadata.name, secret.metadata.namespace, secret.metadata.labels?.["argocd.argoproj.io/secret-type"]], ["repo-creds-example-org", "argocd", "repo-creds"]);
    assert.deepStrictEqual(secret.stringData, { type: "git", url: "https://github.com/example-org/", username: "x-access-token", password: "A" });
    for (const application of p.apps.flatMap((a) => a.applications)) assert.ok(argocdUses(String(secret.stringData.url), application.spec.source.repoURL), application.spec.source.repoURL);
    assert.ok(!argocdUses(String(secret.stringData.url), "https://github.com/example-org-other/ops.git"), "a sibling owner's repositories are not covered");
    assert.ok(argocdUses(String(secret.stringData.url), "https://GitHub.com/Example-Org/ops"), "Argo CD compares lowercased");
  });

  it("falls back to githubToken for every token the stack leaves unset, with one warning saying which to split", () => {
    const s = settings();
    assert.deepStrictEqual([s.argocdToken, s.writeBackToken, s.readToken], ["githubToken", false, false]);
    const one = planStack(s, plainSecretValues({ githubToken: "T", webhookSecret: "W" }));
    assert.strictEqual(one.credentials.argocd?.stringData.password, "T");
    assert.deepStrictEqual(one.namespaces[0].githubToken.stringData, { GITHUB_TOKEN: "T", READ_TOKEN: "T" });
    const [warning, ...more] = settingsWarnings(s);
    assert.deepStrictEqual(more, []);
    assert.match(warning, /githubToken also serves in the cluster.*writeBackToken: Contents read and write on the ops repositories only.*git-clone, kpack and Argo CD read with it \(set deliberate-image-builds:readToken: Contents read-only.*the status steps post commit statuses with it, in pull-request runs too \(set deliberate-image-builds:statusToken: Commit statuses read and write/);
    const config = (extra: Record<string, string>) =>
      parseSettings(fromPulumiConfig({ ...extra, "deliberate-image-builds:githubOwner": "example-org", "deliberate-image-builds:apps": JSON.stringify([appEntry()]) }, "deliberate-image-builds").raw);
    const split = config({ "deliberate-image-builds:writeBackToken": "ghp_fake_write", "deliberate-image-builds:readToken": "ghp_fake_read", "deliberate-image-builds:statusToken": "ghp_fake_status" });
    assert.deepStrictEqual([split.writeBackToken, split.readToken, split.statusToken, settingsWarnings(split)], [true, true, true, []]);
    const splitPlan = planStack(split, plainSecretValues({ githubToken: "T", writeBackToken: "WB", readToken: "R", statusToken: "S", webhookSecret: "W" }));
    assert.deepStrictEqual(splitPlan.namespaces[0].statusToken.stringData, { STATUS_TOKEN: "S" }, "the status steps' token, in a Secret of its own");
    assert.deepStrictEqual(one.namespaces[0].statusToken.stringData, { STATUS_TOKEN: "T" }, "githubToken when no statusToken is set");
    assert.deepStrictEqual(splitPlan.namespaces[0].githubToken.stringData, { GITHUB_TOKEN: "WB", READ_TOKEN: "R" }, "the write-back's two tokens");
    assert.match(String(splitPlan.namespaces[0].gitCredentials.stringData[".git-credentials"]), /x-access-token:R@/, "git-clone reads with the read token");
    assert.strictEqual(splitPlan.credentials.argocd?.stringData.password, "R", "Argo CD reads with the read token");
    assert.strictEqual((splitPlan.credentials.namespaces[0].git as Secret<string>).stringData.password, "R", "kpack reads with the read token");
    const argocdOwn = config({ "deliberate-image-builds:argocdToken": "ghp_fake_read_only" });
    assert.match(settingsWarnings(argocdOwn)[0], /git-clone and kpack read with it/);
    // Pulumi hands the declared default "" for an unset key: that is not a token.
    const unset = fromPulumiConfig({ "deliberate-image-builds:argocdToken": "", "deliberate-image-builds:readToken": "" }, "deliberate-image-builds").raw;
    assert.deepStrictEqual(unset, {});
  });

  it("gives kpack a basic-auth Secret its git keychain matches for the app's clone URL, GitHub Enterprise with a port too", () => {
    const p = plan();
    const git = p.credentials.namespaces[0].git as Secret<string>;
    assert.strictEqual(git.type, "kubernetes.io/basic-auth");
    assert.deepStrictEqual(git.stringData, { username: "x-access-token", password: "T" });
    const image = plannedImage(p.apps[0]);
    assert.ok(kpackUses(git.metadata.annotations?.["kpack.io/git"] ?? "", image.spec.source.git.url), git.metadata.annotations?.["kpack.io/git"]);
    const ghe = plan({ gitHost: "https://git.example.com:8443/" }).credentials.namespaces[0].git;
    assert.strictEqual(ghe?.metadata.annotations?.["kpack.io/git"], "https://git.example.com:8443");
    assert.ok(kpackUses("https://git.example.com:8443", "https://git.example.com:8443/example-org/go-sample-app.git"));
  });

  it("spells gitHost one way everywhere, so kpack's exact host match finds its Secret however the host was written", () => {
    const normal = plan({ gitHost: "https://github.com" });
    for (const spelling of ["https://GitHub.com", "https://github.com:443/", "HTTPS://GITHUB.COM//"]) {
      const p = plan({ gitHost: spelling });
      assert.strictEqual(settings({ gitHost: spelling }).gitHost, "https://github.com", spelling);
      const annotation = p.credentials.namespaces[0].git?.metadata.annotations?.["kpack.io/git"] ?? "";
      assert.ok(kpackUses(annotation, plannedImage(p.apps[0]).spec.source.git.url), `${spelling}: ${annotation} for ${plannedImage(p.apps[0]).spec.source.git.url}`);
      assert.deepStrictEqual(p, normal, `${spelling}: the same plan as the normal spelling`);
    }
    const ghe = plan({ gitHost: "https://Git.Example.com:8443/ghe/" });
    assert.strictEqual(plannedImage(ghe.apps[0]).spec.source.git.url, "https://git.example.com:8443/ghe/example-org/go-sample-app.git");
    assert.ok(kpackUses(ghe.credentials.namespaces[0].git?.metadata.annotations?.["kpack.io/git"] ?? "", plannedImage(ghe.apps[0]).spec.source.git.url));
    assert.ok(!kpackUses("https://github.com", "https://GitHub.com/example-org/a.git"), "kpack's match is exact: the reason for one spelling");
    assert.throws(() => settings({ gitHost: "https://github.com/?tab=repositories" }), /gitHost: got "https:\/\/github.com\/\?tab=repositories"; expected a base URL without a \?query or #fragment/);
  });

  it("puts the registry's config.json as it is under .dockerconfigjson, listed by the Image's own service account", () => {
    const p = plan({ registryCredentials: "[secret]" });
    const [ns] = p.credentials.namespaces;
    assert.deepStrictEqual([ns.registry?.type, ns.registry?.stringData], ["kubernetes.io/dockerconfigjson", { ".dockerconfigjson": "R" }]);
    const [account] = ns.ownedServiceAccounts;
    assert.deepStrictEqual([account.metadata.name, account.secrets, account.imagePullSecrets], [
      "go-sample-app-image-builder",
      [{ name: "kpack-git-credentials" }, { name: "kpack-registry-credentials" }],
      [{ name: "kpack-registry-credentials" }],
    ]);
    const image = plannedImage(p.apps[0]);
    assert.strictEqual(image.spec.serviceAccountName, account.metadata.name);
  });

  it("adds only secrets entries to an account the stack names, once per account, and never its imagePullSecrets or labels", () => {
    const named = { imageServiceAccount: "kpack-registry", namespace: "builds" };
    const p = plan({ registryCredentials: "[secret]" }, [appEntry("a", named), appEntry("b", named), appEntry("c", { namespace: "builds" })]);
    const [ns] = p.credentials.namespaces;
    assert.deepStrictEqual(ns.serviceAccountPatches, [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "kpack-registry", namespace: "builds" }, secrets: [{ name: "kpack-git-credentials" }, { name: "kpack-registry-credentials" }] },
    ]);
    assert.deepStrictEqual(ns.ownedServiceAccounts.map((a) => a.metadata.name), ["c-image-builder"]);
    // A public setup without registry credentials has nothing to add: the named account is left alone.
    assert.deepStrictEqual(plan({ privateRepositories: false }, [appEntry("a", named)]).credentials.namespaces[0].serviceAccountPatches, []);
  });

  it("renders a public setup without any credential Secret", () => {
    const p = plan({ privateRepositories: false }, [appEntry("a"), appEntry("b", { namespace: "builds" })], { githubToken: "T", webhookSecret: "W" });
    assert.strictEqual(p.credentials.argocd, undefined);
    for (const ns of p.credentials.namespaces) {
      assert.deepStrictEqual([ns.git, ns.registry, ns.serviceAccountPatches], [undefined, undefined, []]);
      assert.deepStrictEqual(ns.ownedServiceAccounts.map((a) => [a.secrets, a.imagePullSecrets]), [[[], undefined]]);
    }
  });

  it("accepts the config.json kubectl writes and refuses other shapes without ever quoting the value", () => {
    assert.strictEqual(dockerConfigJson(kubectlDockerConfig("registry.example.com")), undefined);
    assert.strictEqual(dockerConfigJson(JSON.stringify({ auths: { "https://index.docker.io/v1/": { username: "u", password: "fake-pw" } } })), undefined);
    const secretish = "fake-registry-password-0000";
    for (const bad of [secretish, JSON.stringify({ auths: {} }), JSON.stringify({ registry: { auth: secretish } }), JSON.stringify({ auths: { r: { auth: Buffer.from(secretish).toString("base64") } } })]) {
      const problem = dockerConfigJson(bad);
      assert.ok(problem, bad);
      assert.ok(!problem.includes(secretish) && !problem.includes(Buffer.from(secretish).toString("base64")), problem);
    }
    const raw = fromPulumiConfig({ "deliberate-image-builds:registryCredentials": JSON.stringify({ auths: { r: { auth: Buffer.from(secretish).toString("base64") } } }) }, "deliberate-image-builds").raw;
    assert.ok(raw.registryCredentials instanceof MalformedSecret);
    assert.throws(
      () => parseSettings({ ...rawStack(), registryCredentials: raw.registryCredentials }),
      (err: unknown) => err instanceof ConfigError && /registryCredentials: got a value of the wrong shape \(not shown: it is secret\); expected a docker config.json/.test(err.message) && !err.message.includes(secretish),
    );
  });

  it("says why a docker config.json is refused, from the same parse the policy pack reads its credentials with", () => {
    const expected = 'expected a docker config.json: {"auths": {"<registry>": {"auth": "<base64 of user:password>"}}} (or username and password instead of auth)';
    const noAuths = `${expected}; it has no "auths" object with a registry in it`;
    assert.deepStrictEqual(
      ["{", "null", JSON.stringify({ auths: "r" }), JSON.stringify({ auths: [] }), JSON.stringify({ auths: {} }), JSON.stringify({ auths: { a: { auth: "eDp5" }, b: {}, c: "x" } })].map(dockerConfigJson),
      [`${expected}; the value is not JSON`, noAuths, noAuths, noAuths, noAuths, `${expected}; 2 of its 3 registries hold no usable credential`],
    );
    assert.deepStrictEqual(dockerConfigAuths("{"), { problem: "the value is not JSON" });
    assert.deepStrictEqual(dockerConfigAuths(JSON.stringify({ auths: 5 })), { problem: 'it has no "auths" object with a registry in it' });
    assert.deepStrictEqual(dockerConfigAuths(JSON.stringify({ auths: { r: { auth: "eDp5" } } })), { auths: { r: { auth: "eDp5" } } });
  });

  it("commits an Ingress for the listener's Service, port 8080, and points the webhook at its host", () => {
    const p = plan({ ingressClassName: "nginx", certManagerIssuer: "letsencrypt" }, [appEntry("a", { ingressHost: "a.hooks.example.com" }), appEntry("b")]);
    const ingress = committedIngress(p);
    assert.deepStrictEqual(ingress, {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        name: "a-listener",
        namespace: "default",
        labels: { "app.kubernetes.io/name": "a", "app.kubernetes.io/component": "listener", "app.kubernetes.io/part-of": "deliberate-image-builds" },
        annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      },
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["a.hooks.example.com"], secretName: "a-listener-tls" }],
        rules: [{ host: "a.hooks.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "el-a-listener", port: { number: 8080 } } } }] } }],
      },
    });
    assert.strictEqual(p.apps[0].webhook?.url, "https://a.hooks.example.com/");
    assert.deepStrictEqual([committedIngress(p, 1), p.apps[1].webhook], [undefined, undefined], "no host, no Ingress and no webhook");
    // A stack's own TLS Secret, no class: the cluster's default class serves it.
    const own = committedIngress(plan({ ingressTlsSecret: "wildcard-tls" }, [appEntry("a", { ingressHost: "a.example.com", webhookUrl: "https://elsewhere.example.com/a" })]));
    assert.deepStrictEqual([own?.spec.ingressClassName, own?.spec.tls, own?.metadata.annotations], [undefined, [{ hosts: ["a.example.com"], secretName: "wildcard-tls" }], undefined]);
    assert.throws(() => settings({ ingressTlsSecret: "t", certManagerIssuer: "i" }), /certManagerIssuer: got "i" beside ingressTlsSecret "t"; expected one of the two/);
    assert.throws(() => settings({}, [appEntry("a", { ingressHost: "https://a.example.com" })]), /apps\[0\]\.ingressHost: got "https:\/\/a\.example\.com"; expected a host name/);
  });

  it("labels every Secret and Namespace the stack creates as part of deliberate-image-builds, beside its own labels", () => {
    const p = plan({ registryCredentials: "[secret]" }, [appEntry("a"), appEntry("b", { namespace: "builds" })]);
    const planned = [
      p.credentials.argocd,
      ...p.credentials.namespaces.flatMap((n) => [n.git, n.registry]),
      ...p.namespaces.flatMap((n) => [n.namespace, n.githubToken, n.gitCredentials]),
      ...p.apps.map((a) => a.webhookSecret),
    ].filter((o): o is NonNullable<typeof o> => o !== undefined);
    assert.deepStrictEqual(planned.map((o) => o.kind).sort().join(" "), `Namespace ${"Secret ".repeat(11).trim()}`);
    for (const o of planned) assert.strictEqual(o.metadata.labels?.["app.kubernetes.io/part-of"], "deliberate-image-builds", `${o.kind} ${o.metadata.name}`);
    assert.strictEqual(p.credentials.argocd?.metadata.labels?.["argocd.argoproj.io/secret-type"], "repo-creds");
  });

  it("writes Secrets, service accounts, patches and the Ingress as Kubernetes' own schemas allow, and the schemas are not a formality", () => {
    const p = plan({ registryCredentials: "[secret]", certManagerIssuer: "letsencrypt" }, [appEntry("a", { ingressHost: "a.example.com" }), appEntry("b", { imageServiceAccount: "existing" })]);
    const objects = [
      p.credentials.argocd,
      ...p.credentials.namespaces.flatMap((n) => [n.git, n.registry, ...n.ownedServiceAccounts, ...n.serviceAccountPatches]),
      committedIngress(p),
    ].filter((o): o is NonNullable<typeof o> => o !== undefined);
    assert.deepStrictEqual(objects.map((o) => o.kind).sort(), ["Ingress", "Secret", "Secret", "Secret", "ServiceAccount", "ServiceAccount"]);
    for (const o of objects) assert.deepStrictEqual(schemaErrors(o), [], `${o.kind} ${o.metadata.name}`);
    const ingress = committedIngress(p) as Ingress;
    assert.notDeepStrictEqual(schemaErrors({ ...ingress, spec: { ...ingress.spec, rules: [{ ...ingress.spec.rules[0], hots: "x" }] } } as KubernetesObject), []);
  });

  it("keeps every credential out of the ops repository files", () => {
    const p = planStack(settings({ registryCredentials: "[secret]", argocdToken: "[secret]", ingressTlsSecret: "listener-tls" }, [appEntry("a", { ingressHost: "a.example.com" })]), plainSecretValues({
      githubToken: FAKE_TOKEN,
      webhookSecret: FAKE_WEBHOOK_SECRET,
      argocdToken: "fake-argocd-read-token",
      registryCredentials: '{"auths":{"r.example.com":{"auth":"ZmFrZTpmYWtl"}}}',
    }));
    const committed = p.apps.flatMap((a) => a.repoFiles.map(opsFileContent)).join("\n");
    for (const value of [FAKE_TOKEN, FAKE_WEBHOOK_SECRET, "fake-argocd-read-token", "ZmFrZTpmYWtl"]) assert.ok(!committed.includes(value), value);
    assert.doesNotMatch(committed, /kind: Secret/);
  });
});
