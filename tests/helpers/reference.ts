// The upstream definitions in ../shared/reference, loaded for offline validation.
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";

export const REFERENCE_DIR = path.resolve(__dirname, "../../../shared/reference");

type Schema = Record<string, unknown>;

/**
 * The CRDs do not forbid unknown fields (an API server prunes them silently), so a typo would pass.
 * Closing every object node that lists its properties makes a misspelt field an error here.
 */
export function closeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (typeof node !== "object" || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" ? mapValues(v as Schema, closeSchema) : closeSchema(v);
  if ("properties" in out && out["x-kubernetes-preserve-unknown-fields"] !== true && !("additionalProperties" in out)) {
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(o: Schema, f: (v: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const cache = new Map<string, ValidateFunction>();

interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[] };
}

function crdsIn(dir: string): Crd[] {
  const full = path.join(REFERENCE_DIR, "crds", dir);
  return fs
    .readdirSync(full)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(full, f), "utf8")).map((d) => d.toJS() as Crd))
    .filter((d) => d && d.spec && d.spec.names);
}

const CRD_DIRS = ["tekton-pipeline", "tekton-triggers", "kpack", "argo-cd"];
let allCrds: Crd[] | undefined;
/** Parsed once: the CRD files are large. */
const crds = (): Crd[] => (allCrds ??= CRD_DIRS.flatMap(crdsIn));

/** The served versions upstream lists for a kind, e.g. `tekton.dev/v1` for Task. */
export function servedApiVersions(kind: string): string[] {
  return crds()
    .filter((c) => c.spec.names.kind === kind)
    .flatMap((c) => c.spec.versions.filter((v) => v.served).map((v) => `${c.spec.group}/${v.name}`));
}

function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  const [group, version] = apiVersion.split("/");
  const crd = crds().find((c) => c.spec.group === group && c.spec.names.kind === kind);
  const schema = crd?.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema || schema["x-kubernetes-preserve-unknown-fields"] === true) return undefined;
  return ajv.compile(closeSchema(schema) as Schema);
}

function kpackValidator(kind: string): ValidateFunction {
  const swagger = JSON.parse(fs.readFileSync(path.join(REFERENCE_DIR, "crds/kpack/openapi-swagger.json"), "utf8"));
  const definitions = closeSchema(swagger.definitions) as Schema;
  return ajv.compile({ $ref: `#/definitions/kpack.build.v1alpha2.${kind}`, definitions });
}

/**
 * Validates one object against its upstream schema with unknown fields rejected. Returns the errors,
 * or a note that upstream publishes no schema for it (Triggers' CRDs preserve unknown fields).
 */
export function validateAgainstUpstream(o: { apiVersion: string; kind: string }): { checked: boolean; errors: string[] } {
  const id = `${o.apiVersion}/${o.kind}`;
  let validate = cache.get(id);
  if (!validate) {
    validate = o.apiVersion === "kpack.io/v1alpha2" ? kpackValidator(o.kind) : crdValidator(o.apiVersion, o.kind);
    if (!validate) return { checked: false, errors: [] };
    cache.set(id, validate);
  }
  const ok = validate(o);
  return { checked: true, errors: ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`) };
}

export interface CatalogTask {
  metadata: { name: string };
  spec: { params: { name: string; default?: string }[]; workspaces: { name: string; optional?: boolean }[] };
}

export function catalogTask(file: string): CatalogTask {
  return parse(fs.readFileSync(path.join(REFERENCE_DIR, "tekton-catalog", file), "utf8")) as CatalogTask;
}

/** One catalog Task of the reference folder and the resolver reference its README gives for it. */
export interface CatalogReference {
  file: string;
  resolver: "git" | "bundles";
  params: Record<string, string>;
}

/**
 * The reference README's table of catalog Tasks: each file with the exact resolver params that fetch
 * it (`git resolver: url: …, revision: …, pathInRepo: …`). Rows without such params (a deprecated
 * Task kept for comparison) are left out: nothing may reference them.
 */
export function catalogReferences(): CatalogReference[] {
  const readme = fs.readFileSync(path.join(REFERENCE_DIR, "README.md"), "utf8");
  const rows: CatalogReference[] = [];
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const file = /^([\w.-]+\.yaml)$/.exec(cells[1] ?? "")?.[1];
    const how = /^(git|bundles) resolver: (.*)$/.exec(cells[3] ?? "");
    if (!file || !how) continue;
    const params = Object.fromEntries([...how[2].matchAll(/`(\w+): ([^`]+)`/g)].map((m) => [m[1], m[2]]));
    rows.push({ file, resolver: how[1] as "git" | "bundles", params });
  }
  return rows;
}
