// The comparison of @pulumi/github's names with the e2e plugin's schema finds each kind of difference.
import * as assert from "assert";
import * as path from "path";
import { PulumiSchema, schemaDifferences, sdkModule, USED_PROVIDER_ARGS } from "../../e2e/github-schema";

const SDK = path.dirname(require.resolve("@pulumi/github/package.json"));
const WEBHOOK = "github:index/repositoryWebhook:RepositoryWebhook";
const CONFIGURATION = "github:index/RepositoryWebhookConfiguration:RepositoryWebhookConfiguration";

/** A schema that agrees with the SDK on everything the program uses, built from the SDK itself. */
function agreeingSchema(): PulumiSchema {
  const props = (names: string[]) => Object.fromEntries(names.map((n) => [n, { type: "string" }]));
  const schema: PulumiSchema = { provider: { inputProperties: props([...USED_PROVIDER_ARGS]) }, resources: {}, functions: {}, types: {} };
  schema.provider.inputProperties.token = { type: "string", secret: true, defaultInfo: { environment: ["GITHUB_TOKEN"] } };
  schema.provider.inputProperties.baseUrl = { type: "string", defaultInfo: { environment: ["GITHUB_BASE_URL"] } };
  for (const m of ["repositoryFile", "repositoryWebhook"]) {
    const sdk = sdkModule(SDK, m);
    schema.resources[sdk.token] = { inputProperties: props(sdk.inputs), properties: props(sdk.outputs) };
  }
  for (const m of ["getBranch", "getRepositoryFile"]) {
    const sdk = sdkModule(SDK, m);
    schema.functions[sdk.token] = { inputs: { properties: props(sdk.inputs) }, outputs: { properties: props(sdk.outputs) } };
  }
  schema.resources[WEBHOOK].inputProperties.configuration = { $ref: `#/types/${CONFIGURATION}` };
  schema.types[CONFIGURATION] = { properties: props(["contentType", "insecureSsl", "secret", "url"]) };
  return schema;
}

describe("e2e: the GitHub plugin's schema against @pulumi/github", () => {
  it("reads the SDK's tokens and names as it sends them", () => {
    assert.deepStrictEqual(sdkModule(SDK, "getBranch"), {
      token: "github:index/getBranch:getBranch",
      inputs: ["branch", "repository"],
      outputs: ["branch", "etag", "id", "ref", "repository", "sha"],
    });
    assert.strictEqual(sdkModule(SDK, "repositoryFile").token, "github:index/repositoryFile:RepositoryFile");
    assert.ok(sdkModule(SDK, "provider").inputs.includes("writeDelayMs"));
  });

  it("finds no difference in a schema that agrees", () => {
    assert.deepStrictEqual(schemaDifferences(agreeingSchema(), SDK), []);
  });

  it("names each difference: a renamed property, a missing function, a token not secret, a list for an object", () => {
    const s = agreeingSchema();
    const file = s.resources["github:index/repositoryFile:RepositoryFile"];
    file.inputProperties.commit_message = file.inputProperties.commitMessage;
    delete file.inputProperties.commitMessage;
    delete s.functions["github:index/getBranch:getBranch"];
    s.provider.inputProperties.token = { type: "string", defaultInfo: { environment: ["GITHUB_TOKEN"] } };
    delete s.provider.inputProperties.retryableErrors;
    s.resources[WEBHOOK].inputProperties.configuration = { type: "array" };
    delete s.types[CONFIGURATION].properties.insecureSsl;
    assert.deepStrictEqual(schemaDifferences(s, SDK), [
      'provider: the SDK has "retryableErrors", the schema does not',
      "provider: token is not secret in the schema",
      'github:index/repositoryFile:RepositoryFile inputs: the SDK has "commitMessage", the schema does not',
      "getBranch: the schema has no function github:index/getBranch:getBranch",
      `${CONFIGURATION}: the SDK has "insecureSsl", the schema does not`,
      `${WEBHOOK} inputs: configuration is {"type":"array"} in the schema, an object in the SDK`,
    ]);
  });
});
