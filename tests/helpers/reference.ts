// The pinned upstream definitions (CRDs, catalog Tasks) the tests check objects against: from
// ../shared/reference when it holds every file, otherwise from .reference-cache/ inside the repository,
// which scripts/fetch-reference.sh fills and whose files must match the SHA-256 sums recorded there.
import Ajv, { ValidateFunction } from "ajv";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";

const ROOT = path.resolve(__dirname, "../..");
export const FETCH_SCRIPT = path.join(ROOT, "scripts/fetch-reference.sh");

interface ReferenceFile {
  /** Path under the reference folder, e.g. `tekton-catalog/git-clone-v1.7.0.yaml`. */
  file: string;
  sha256: string;
  /** Where it is fetched from, `$raw` standing for the base URL. */
  url: string;
}

const parsedLists = new Map<string, readonly ReferenceFile[]>();
/**
 * The files the fetch script lists, with their recorded checksums: the one list of reference files.
 * Parsed once per script and process: every test file and catalogReferences read it.
 */
export function referenceFiles(script = FETCH_SCRIPT): readonly ReferenceFile[] {
  const known = parsedLists.get(script);
  if (known) return known;
  const list = /\nlist="\n([\s\S]*?)\n"/.exec(fs.readFileSync(script, "utf8"));
  if (!list) throw new Error(`${script} has no list="..." of reference files`);
  const files = list[1].split("\n").map((line): ReferenceFile => {
    const [file, sha256, url] = line.split(" ");
    return Object.freeze({ file, sha256, url });
  });
  parsedLists.set(script, Object.freeze(files));
  return files;
}

/** Where a reference folder may be, in the order they are tried; the repository ones unless told otherwise. */
interface ReferencePlaces {
  shared: string;
  cache: string;
}

export function defaultPlaces(env: NodeJS.ProcessEnv = process.env, root = ROOT): ReferencePlaces {
  return { shared: env.REFERENCE_SHARED_DIR || path.resolve(root, "../shared/reference"), cache: path.join(root, ".reference-cache") };
}

export function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * The folder to read: the shared one when every listed file is there, else the cache when every file is
 * there with its recorded checksum. Otherwise what is wrong, for one message.
 */
export function locateReference(places: ReferencePlaces = defaultPlaces(), files = referenceFiles()): { dir: string } | { problem: string } {
  if (files.every((f) => fs.existsSync(path.join(places.shared, f.file)))) return { dir: places.shared };
  const missing = files.filter((f) => !fs.existsSync(path.join(places.cache, f.file)));
  const altered = files.filter((f) => !missing.includes(f) && sha256Of(path.join(places.cache, f.file)) !== f.sha256);
  if (missing.length === 0 && altered.length === 0) return { dir: places.cache };
  const some = (fs: readonly ReferenceFile[]) => fs.slice(0, 3).map((f) => f.file).join(", ") + (fs.length > 3 ? ", ..." : "");
  return {
    problem: [
      missing.length ? `${missing.length} missing (${some(missing)})` : "",
      altered.length ? `${altered.length} not matching the recorded SHA-256 (${some(altered)})` : "",
    ]
      .filter(Boolean)
      .join("; "),
  };
}

/** What `npm test` says, once, when it cannot get the reference files. */
export function referenceUnavailable(places: ReferencePlaces, problem: string, fetchOutput: string): string {
  return [
    "The tests check the program against pinned upstream CRDs and catalog Tasks, and cannot get them:",
    `  ${places.shared} does not hold them all, and in ${places.cache}: ${problem}.`,
    `  scripts/fetch-reference.sh could not fetch them: ${fetchOutput.trim().split("\n").pop() || "no output"}`,
    "To get them, run `sh scripts/fetch-reference.sh` where raw.githubusercontent.com is reachable (it needs curl),",
    "or REFERENCE_BASE_URL=<a mirror laid out the same way> sh scripts/fetch-reference.sh. Without a network, copy a",
    "reference folder from a clone that has one (its ../shared/reference or .reference-cache) and name it:",
    "REFERENCE_SHARED_DIR=<that folder> npm test (by default ../shared/reference beside the repository).",
  ].join("\n");
}

let located: string | undefined;
/**
 * The reference folder the tests read (resolved once per process). Without one, a test reading it fails
 * with a line pointing at the global setup's message, which says how to get the files.
 */
export function referenceDir(): string {
  if (located) return located;
  const found = locateReference();
  if ("problem" in found) throw new Error(`${REFERENCE_MISSING} (${found.problem}); the message at the start of the run says how to get them (offline: REFERENCE_SHARED_DIR)`);
  return (located = found.dir);
}

/** How a test that needs the reference files fails without them. */
export const REFERENCE_MISSING = "this test reads the pinned upstream reference files, which are not here";

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
  const full = path.join(referenceDir(), "crds", dir);
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
  const swagger = JSON.parse(fs.readFileSync(path.join(referenceDir(), "crds/kpack/openapi-swagger.json"), "utf8"));
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
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    params: { name: string; default?: string }[];
    workspaces: { name: string; optional?: boolean }[];
    steps: { name: string; env?: { name: string; value?: string }[] }[];
  };
}

export function catalogTask(file: string): CatalogTask {
  return parse(fs.readFileSync(path.join(referenceDir(), "tekton-catalog", file), "utf8")) as CatalogTask;
}

/** One catalog Task of the reference folder and the resolver reference its README gives for it. */
interface CatalogReference {
  file: string;
  resolver: "git" | "bundles";
  params: Record<string, string>;
}

/**
 * The catalog Tasks `scripts/fetch-reference.sh` pins, each with the resolver params that fetch exactly
 * that file: a git resolver at the full commit SHA it is fetched at (`<owner>/<repo>/<sha>/<path>`), or,
 * for a release tag of a tektoncd-catalog repository, the OCI bundle that release publishes
 * (`ghcr.io/tektoncd-catalog/<repo>/bundle:<tag>`). One list, so a fresh clone without the reference
 * README knows the same pins. A Task its own file marks deprecated (`tekton.dev/deprecated: "true"`) is left
 * out: nothing may reference it.
 */
export function catalogReferences(): CatalogReference[] {
  const rows: CatalogReference[] = [];
  for (const listed of referenceFiles()) {
    const file = /^tekton-catalog\/([\w.-]+\.yaml)$/.exec(listed.file)?.[1];
    const at = /^\$raw\/([\w.-]+)\/([\w.-]+)\/([\w.-]+)\/(\S+)$/.exec(listed.url);
    if (!file || !at) continue;
    const [, owner, repo, revision, pathInRepo] = at;
    if (catalogTask(file).metadata.annotations?.["tekton.dev/deprecated"] === "true") continue;
    if (/^[0-9a-f]{40}$/.test(revision)) {
      rows.push({ file, resolver: "git", params: { url: `https://github.com/${owner}/${repo}.git`, revision, pathInRepo } });
    } else if (owner === "tektoncd-catalog") {
      rows.push({ file, resolver: "bundles", params: { bundle: `ghcr.io/${owner}/${repo}/bundle:${revision}`, name: repo, kind: "task" } });
    }
  }
  return rows;
}
