// GitHub's published OpenAPI description of the GitHub Enterprise Server REST API (npm package
// @octokit/openapi, the newest GHES document it ships), turned into JSON Schema that ajv checks
// response bodies against.
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";

type Node = { [key: string]: unknown };

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, { responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: Node }> }> }>>;
  components: { schemas: Record<string, Node>; responses: Record<string, { content?: Record<string, { schema?: Node }> }> };
}

const SCHEMA_REF = "#/components/schemas/";
/** Each component schema is given to ajv alone, under this id, and only once something refers to it. */
const componentId = (name: string) => `urn:github-openapi:${name}`;

/** The newest `ghes-X.Y.json` (unresolved: its $refs are left to ajv) in the package. */
function newestGhesDocument(): { file: string; version: string } {
  const dir = path.join(path.dirname(require.resolve("@octokit/openapi/package.json")), "generated");
  const versions = fs
    .readdirSync(dir)
    .map((f) => /^ghes-(\d+)\.(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]) || Number(a[2]) - Number(b[2]));
  const newest = versions[versions.length - 1];
  if (!newest) throw new Error(`no ghes-X.Y.json in ${dir}: has @octokit/openapi changed its layout?`);
  return { file: path.join(dir, newest[0]), version: `${newest[1]}.${newest[2]}` };
}

/**
 * OpenAPI 3.0 schema to JSON Schema as ajv reads it. What is changed, and why:
 * - `$ref: #/components/schemas/X` points at component X, given to ajv on its own (the document has
 *   900 of them; turning them all into ajv schemas up front costs seconds, the few used cost little).
 * - `nullable: true` (OpenAPI's, not JSON Schema's) becomes "this, or null"; ajv's own `nullable`
 *   support needs a `type` beside it, which GitHub's schemas often lack (e.g. `oneOf` + `nullable`).
 * - `oneOf` becomes `anyOf`: GitHub lists alternatives that overlap (a private-user is also a valid
 *   public-user, any object fits empty-object's siblings' loose forms), so "exactly one" would reject
 *   GitHub's own examples; `discriminator` (an OpenAPI hint, not a constraint) is dropped with it.
 */
function toJsonSchema(node: unknown, refs: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs));
  if (typeof node !== "object" || node === null) return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node as Node)) {
    if (key === "discriminator" || key === "nullable") continue;
    if (key === "$ref" && typeof value === "string" && value.startsWith(SCHEMA_REF)) {
      const name = value.slice(SCHEMA_REF.length);
      refs.add(name);
      out.$ref = componentId(name);
    } else if (key === "oneOf") {
      out.anyOf = toJsonSchema(value, refs);
    } else {
      out[key] = toJsonSchema(value, refs);
    }
  }
  return (node as Node).nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

/**
 * Formats: ajv knows none by itself. The ones GitHub's answers here use are checked in earnest
 * (date-time as GitHub writes it, uri as an absolute URL, email with an @); every other format the
 * document names (int64, uri-template, repo.nwo, ...) is accepted as is, since they describe
 * rather than constrain.
 */
function addFormats(ajv: Ajv, document: OpenApiDocument): void {
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  ajv.addFormat("email", /^[^@\s]+@[^@\s]+$/);
  const named = new Set<string>();
  JSON.stringify(document.components.schemas, (key, value: unknown) => {
    if (key === "format" && typeof value === "string") named.add(value);
    return value;
  });
  for (const format of named) if (!["date-time", "uri", "email"].includes(format)) ajv.addFormat(format, true);
}

export class GitHubOpenApi {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly added = new Set<string>();

  private constructor(
    readonly document: OpenApiDocument,
    /** e.g. "3.19": the GHES release the document describes. */
    readonly version: string,
  ) {
    // strict: false, as the document carries OpenAPI keywords (example, x-github, ...) ajv does not know.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv, document);
  }

  /** `schema` as JSON Schema, with every component it refers to (transitively) known to ajv. */
  private prepare(schema: unknown): Node {
    const refs = new Set<string>();
    const converted = toJsonSchema(schema, refs) as Node;
    const pending = [...refs];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (this.added.has(name)) continue;
      const component = this.document.components.schemas[name];
      if (!component) throw new Error(`the OpenAPI document refers to a schema it lacks: ${name}`);
      this.added.add(name);
      const inner = new Set<string>();
      this.ajv.addSchema({ ...(toJsonSchema(component, inner) as Node), $id: componentId(name) });
      pending.push(...inner);
    }
    return converted;
  }

  static load(): GitHubOpenApi {
    const { file, version } = newestGhesDocument();
    return new GitHubOpenApi(JSON.parse(fs.readFileSync(file, "utf8")) as OpenApiDocument, version);
  }

  /** The JSON schema the document gives for one operation's answer; throws if it gives none. */
  responseSchema(method: string, template: string, status: number): Node {
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`the OpenAPI document has no operation ${method} ${template}`);
    let response = operation.responses?.[String(status)];
    if (response?.$ref) response = this.document.components.responses[response.$ref.replace("#/components/responses/", "")];
    const schema = response?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`the OpenAPI document gives no application/json body for ${method} ${template} → ${status}`);
    return schema;
  }

  /** Problems with `body` as the answer of `method template` with `status`; empty when it conforms. */
  check(method: string, template: string, status: number, body: unknown): string[] {
    const key = `${method} ${template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.prepare(this.responseSchema(method, template, status)));
      this.compiled.set(key, validate);
    }
    return this.problems(validate, body);
  }

  /** Problems with `body` as an instance of the named component schema (e.g. "basic-error"). */
  checkSchema(name: string, body: unknown): string[] {
    if (!this.document.components.schemas[name]) throw new Error(`the OpenAPI document has no schema ${name}`);
    const key = `#${name}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.prepare({ $ref: `${SCHEMA_REF}${name}` }));
      this.compiled.set(key, validate);
    }
    return this.problems(validate, body);
  }

  private problems(validate: ValidateFunction, body: unknown): string[] {
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  }
}
