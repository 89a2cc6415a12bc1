import * as assert from "assert";
import { TEKTON_FILE, KPACK_FOLDER } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { opsFileContent } from "../../components/synth/ops-file";
import { toYaml } from "../../components/synth/yaml";
import { checkNoSecretsInRepositoryFile, githubTokensIn, noSecretsInRepositoryFiles } from "../../policy/rules";
import { SECRET_KEYS } from "../../components/config/keys";
import { dockerConfigCredentials, secretConfigValues } from "../../policy/stack";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET, settings } from "../helpers/fixtures";
import { fakeStack, planFile, planResources, repositoryFileResource, validateResource, violations } from "./harness";

const plan = planStack(settings(), RENDER_SECRETS);
const kustomization = planFile(plan, `${KPACK_FOLDER}/kustomization.yaml`);
const tekton = planFile(plan, TEKTON_FILE);
// This rule reads text: secrets leak into what is written, comments included.
const kustomizationText = opsFileContent(kustomization);
const tektonText = opsFileContent(tekton);
const KUSTOMIZATION = "go-sample-app-ops@main:cicd/kpack/kustomization.yaml";
const STACK_CONFIG = {
  "deliberate-image-builds:githubOwner": "example-org",
  "deliberate-image-builds:githubToken": FAKE_TOKEN,
  "deliberate-image-builds:webhookSecret": FAKE_WEBHOOK_SECRET,
};
const SECRETS = secretConfigValues(STACK_CONFIG);
const SECRETS_BELONG = "expected Secrets only in the cluster, where pulumi up creates them (kubernetes:core/v1:Secret), never committed to a repository";

function check(content: string, commitMessage?: string): string[] {
  const resource = repositoryFileResource(kustomization, content);
  if (commitMessage !== undefined) resource.props.commitMessage = commitMessage;
  return violations((r) => checkNoSecretsInRepositoryFile(resource, SECRETS, r));
}

describe("policy no-secrets-in-repository-files", () => {
  it("takes the secret values from the keys Pulumi.yaml declares secret, long enough to look for", () => {
    assert.deepStrictEqual(SECRET_KEYS, ["githubToken", "writeBackToken", "readToken", "statusToken", "webhookSecret", "argocdToken", "registryCredentials"]);
    assert.deepStrictEqual(SECRETS, [
      { key: "deliberate-image-builds:githubToken", value: FAKE_TOKEN },
      { key: "deliberate-image-builds:webhookSecret", value: FAKE_WEBHOOK_SECRET },
    ]);
    assert.deepStrictEqual(secretConfigValues({ "deliberate-image-builds:webhookSecret": "short", "other:githubToken": FAKE_TOKEN }), []);
  });

  it("passes every file the program plans, with the stack's real secret values to look for", async () => {
    const policy = noSecretsInRepositoryFiles(fakeStack("dev", STACK_CONFIG));
    for (const resource of planResources(plan)) {
      assert.deepStrictEqual((await validateResource(policy, resource)).violations, [], resource.name);
    }
  });

  it("reports a Kubernetes Secret committed as a document of its own", () => {
    const secret = toYaml(plan.namespaces[0].githubToken);
    assert.deepStrictEqual(check(`${kustomizationText}---\n${secret}`), [
      `${KUSTOMIZATION}, Secret default/github-token: a Kubernetes Secret in a repository file; ${SECRETS_BELONG}`,
    ]);
  });

  it("reports a Secret inside another object, and a kustomize secretGenerator", () => {
    const template = `apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata:\n  name: t\nspec:\n  resourcetemplates:\n    - apiVersion: v1\n      kind: Secret\n      metadata:\n        name: pushed\n`;
    assert.deepStrictEqual(check(template), [`${KUSTOMIZATION}, TriggerTemplate t: spec.resourcetemplates[0] is a Kubernetes Secret "pushed"; ${SECRETS_BELONG}`]);
    const generator = `${kustomizationText}secretGenerator:\n  - name: github-token\n    literals:\n      - GITHUB_TOKEN=from-a-file\n`;
    assert.deepStrictEqual(check(generator), [
      `${KUSTOMIZATION}, Kustomization (document 1): secretGenerator "github-token" makes a Secret from what the repository holds; ${SECRETS_BELONG}`,
    ]);
  });

  it("reports each GitHub token format by line and prefix, never printing the token", () => {
    const fakes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"].map((prefix) => `${prefix}FAKE0000000000000000000000`);
    const content = `${kustomizationText}# tokens:\n${fakes.map((t) => `# ${t}`).join("\n")}\n`;
    const base = kustomizationText.split("\n").length;
    const found = check(content);
    assert.deepStrictEqual(
      found,
      ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"].map(
        (prefix, i) =>
          `${KUSTOMIZATION}: line ${base + 1 + i} of the content holds what looks like a GitHub token (${prefix}…); expected no credential in a repository file: the pipeline reads its token from the github-token Secret`,
      ),
    );
    for (const message of found) for (const t of fakes) assert.ok(!message.includes(t), "the token is not printed");
  });

  it("reports the stack's own token in the commit message and the webhook secret in the content, by key name", () => {
    assert.deepStrictEqual(check(`${kustomizationText}# ${FAKE_WEBHOOK_SECRET}\n`, `Update (token ${FAKE_TOKEN})`), [
      `${KUSTOMIZATION}: line ${kustomizationText.split("\n").length} of the content holds the value of the secret config deliberate-image-builds:webhookSecret; expected secret values only in Secrets in the cluster`,
      `${KUSTOMIZATION}: line 1 of the commit message holds what looks like a GitHub token (ghp_…); expected no credential in a repository file: the pipeline reads its token from the github-token Secret`,
      `${KUSTOMIZATION}: line 1 of the commit message holds the value of the secret config deliberate-image-builds:githubToken; expected secret values only in Secrets in the cluster`,
    ]);
  });

  it("leaves alone what only names a secret: GITHUB_TOKEN, the Secret's name, short or embedded prefixes", () => {
    assert.ok(tektonText.includes("GITHUB_TOKEN") && tektonText.includes("github-token"));
    assert.deepStrictEqual(githubTokensIn(tektonText), []);
    assert.deepStrictEqual(githubTokensIn("ghp_short\nxghp_0000000000000000000000\nGHP_00000000000000000000000"), []);
    assert.deepStrictEqual(githubTokensIn(`token=${FAKE_TOKEN}`), [{ line: 1, prefix: "ghp_" }]);
  });

  it("looks for each registry credential inside registryCredentials, not only the whole config.json", () => {
    const auth = Buffer.from("robot:fake-registry-password").toString("base64");
    const config = { ...STACK_CONFIG, "deliberate-image-builds:registryCredentials": JSON.stringify({ auths: { "registry.example.com": { auth, password: "fake-registry-password" } } }) };
    const secrets = secretConfigValues(config);
    const found = violations((r) => checkNoSecretsInRepositoryFile(repositoryFileResource(kustomization, `${kustomizationText}# ${auth}\n`), secrets, r));
    assert.deepStrictEqual(found, [
      `${KUSTOMIZATION}: line ${kustomizationText.split("\n").length} of the content holds the value of the secret config deliberate-image-builds:registryCredentials; expected secret values only in Secrets in the cluster`,
    ]);
  });

  it("takes each registry's credentials out of a config.json, and nothing out of what is not one", () => {
    const config = { auths: { a: { auth: "YTpi", username: "robot", password: "pw" }, b: { identitytoken: "it", registrytoken: "rt" }, c: "x" } };
    assert.deepStrictEqual(dockerConfigCredentials(JSON.stringify(config)), ["YTpi", "pw", "it", "rt"]);
    // Looser than the config check: an array under auths still has its credentials looked for.
    assert.deepStrictEqual(dockerConfigCredentials(JSON.stringify({ auths: [{ password: "pw" }] })), ["pw"]);
    for (const none of ["{", "null", "5", JSON.stringify({ auths: "x" }), JSON.stringify({ auths: {} })]) assert.deepStrictEqual(dockerConfigCredentials(none), [], none);
  });

  it("applies only to repository files", async () => {
    const policy = noSecretsInRepositoryFiles(fakeStack("dev", STACK_CONFIG));
    const secret = { type: "kubernetes:core/v1:Secret", name: "ns-default-github-token", props: { ...plan.namespaces[0].githubToken, stringData: { GITHUB_TOKEN: FAKE_TOKEN } } };
    assert.deepStrictEqual(await validateResource(policy, secret), { violations: [] });
  });
});
