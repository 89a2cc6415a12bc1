// The e2e's GitHub plugin is built from terraform-provider-github through the bridge with the project's
// own ProviderInfo (e2e/tools/github-provider), not from pulumi-github. This compares, for everything
// the program uses, the names @pulumi/github's SDK sends with the schema the plugin serves, so a token or
// property that the two spell differently is named before any step runs.
import * as fs from "fs";
import * as path from "path";

/** What the program uses of the SDK: each module's token, and the properties it sends or reads. */
export const USED_SDK_MODULES = ["provider", "repositoryFile", "repositoryWebhook", "getBranch", "getRepositoryFile"] as const;
export const USED_PROVIDER_ARGS = ["owner", "baseUrl", "token", "writeDelayMs", "maxRetries", "retryableErrors"] as const;
/** Nested input types the program fills: SDK interface name → schema type token. */
const USED_TYPES = { RepositoryWebhookConfiguration: "github:index/RepositoryWebhookConfiguration:RepositoryWebhookConfiguration" } as const;

interface SchemaProperty {
  type?: string;
  $ref?: string;
  secret?: boolean;
  defaultInfo?: { environment?: string[] };
}
type Properties = Record<string, SchemaProperty>;
export interface PulumiSchema {
  provider: { inputProperties: Properties };
  resources: Record<string, { inputProperties: Properties; properties: Properties }>;
  functions: Record<string, { inputs?: { properties: Properties }; outputs?: { properties: Properties } }>;
  types: Record<string, { properties: Properties }>;
}

/** The SDK's view of one module: its token, the inputs it sends and the outputs it declares. */
export interface SdkModule {
  token: string;
  inputs: string[];
  outputs: string[];
}

function matches(text: string, re: RegExp): string[] {
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** Reads a module of @pulumi/github's generated JavaScript and declarations. */
export function sdkModule(sdkDir: string, module: string): SdkModule {
  const js = fs.readFileSync(path.join(sdkDir, `${module}.js`), "utf8");
  const dts = fs.readFileSync(path.join(sdkDir, `${module}.d.ts`), "utf8");
  const token = /__pulumiType = '([^']+)'/.exec(js)?.[1] ?? /runtime\.invoke\("([^"]+)"/.exec(js)?.[1];
  if (!token) throw new Error(`@pulumi/github ${module}.js: no resource type or invoke token found`);
  if (module === "provider") {
    return { token, inputs: matches(js, /resourceInputs\["(\w+)"\] = [^;]*args\?\./g), outputs: [] };
  }
  if (/runtime\.invoke\(/.test(js)) {
    const call = /runtime\.invoke\("[^"]+", \{([^}]*)\}/.exec(js)?.[1] ?? "";
    const result = /export interface \w+Result \{([\s\S]*?)\n\}/.exec(dts)?.[1] ?? "";
    return { token, inputs: matches(call, /"(\w+)": args\./g), outputs: matches(result, /readonly (\w+)\??:/g) };
  }
  return {
    token,
    inputs: [...new Set(matches(js, /resourceInputs\["(\w+)"\] = args\?\./g))],
    outputs: matches(dts, /readonly (\w+)!?: pulumi\.Output</g),
  };
}

function nestedInputs(sdkDir: string, name: string): string[] {
  const dts = fs.readFileSync(path.join(sdkDir, "types", "input.d.ts"), "utf8");
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(dts)?.[1];
  if (body === undefined) throw new Error(`@pulumi/github types/input.d.ts: no interface ${name}`);
  return matches(body, /^\s{4}(\w+)\??:/gm);
}

function missing(what: string, sdk: string[], schema: Properties | undefined): string[] {
  if (!schema) return [`${what}: not in the schema at all`];
  return sdk.filter((p) => !(p in schema)).map((p) => `${what}: the SDK has "${p}", the schema does not`);
}

/** Every difference between the SDK's names and the schema, for what the program uses; empty when they agree. */
export function schemaDifferences(schema: PulumiSchema, sdkDir: string): string[] {
  const problems: string[] = [];
  for (const module of USED_SDK_MODULES) {
    const sdk = sdkModule(sdkDir, module);
    if (module === "provider") {
      const inputs = schema.provider.inputProperties;
      const absent = USED_PROVIDER_ARGS.filter((a) => !sdk.inputs.includes(a));
      if (absent.length > 0) problems.push(`provider: the SDK itself has no ${absent.join(", ")}`);
      problems.push(...missing("provider", [...USED_PROVIDER_ARGS], inputs));
      if (inputs.token && inputs.token.secret !== true) problems.push("provider: token is not secret in the schema");
      for (const [arg, env] of [["token", "GITHUB_TOKEN"], ["baseUrl", "GITHUB_BASE_URL"]] as const) {
        if (inputs[arg] && !(inputs[arg].defaultInfo?.environment ?? []).includes(env)) problems.push(`provider: ${arg} is not read from ${env}`);
      }
    } else if (sdk.token.includes("/get")) {
      const fn = schema.functions[sdk.token];
      if (!fn) problems.push(`${module}: the schema has no function ${sdk.token}`);
      else problems.push(...missing(`${sdk.token} inputs`, sdk.inputs, fn.inputs?.properties), ...missing(`${sdk.token} outputs`, sdk.outputs, fn.outputs?.properties));
    } else {
      const res = schema.resources[sdk.token];
      if (!res) problems.push(`${module}: the schema has no resource ${sdk.token}`);
      else problems.push(...missing(`${sdk.token} inputs`, sdk.inputs, res.inputProperties), ...missing(`${sdk.token} outputs`, sdk.outputs, res.properties));
    }
  }
  for (const [name, token] of Object.entries(USED_TYPES)) {
    problems.push(...missing(token, nestedInputs(sdkDir, name), schema.types[token]?.properties));
  }
  // The SDK sends the webhook's configuration as one object: a schema that kept Terraform's list would refuse it.
  const configuration = schema.resources["github:index/repositoryWebhook:RepositoryWebhook"]?.inputProperties.configuration;
  if (configuration && configuration.$ref !== `#/types/${USED_TYPES.RepositoryWebhookConfiguration}`) {
    problems.push(`github:index/repositoryWebhook:RepositoryWebhook inputs: configuration is ${JSON.stringify(configuration)} in the schema, an object in the SDK`);
  }
  return problems;
}
