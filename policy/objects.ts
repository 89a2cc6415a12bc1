/**
 * What the policies read: the Kubernetes objects a resource puts somewhere, found in the resource's
 * inputs. A repository file's objects are the YAML documents of its content (Argo CD applies them);
 * a Kubernetes resource is one object itself. Everything arrives as untyped data (YAML, or Pulumi's
 * deserialized inputs), so it is read through the guards below rather than cast to the program's types.
 */
import { parseAllDocuments } from "yaml";

export const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";
export const ARGOCD_APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";

/** A resource as a policy sees it. `ResourceValidationArgs` and `PolicyResource` both fit. */
export interface PolicedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/** How a rule reports: `reportViolation` with its optional URN left out. */
export type Report = (message: string) => void;

/** A map of plain data, as YAML or Pulumi hands it over. */
export type Data = { readonly [key: string]: unknown };

export function isData(value: unknown): value is Data {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The value at a dotted path, or undefined where any step is missing or not a map. */
export function at(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split(".")) {
    if (!isData(here)) return undefined;
    here = here[key];
  }
  return here;
}

/** A repository file as committed: which repository, branch and path, and what it holds. */
export interface RepositoryFile {
  /** `<repository>@<branch>:<path>`, as the program's own errors name an ops repository file. */
  where: string;
  path: string;
  content: string;
  commitMessage?: string;
}

export function repositoryFile(resource: PolicedResource): RepositoryFile | undefined {
  if (resource.type !== REPOSITORY_FILE) return undefined;
  const { repository, branch, file, content, commitMessage } = resource.props;
  const path = text(file) ?? "";
  const on = text(branch) ? `@${text(branch)}` : "";
  return {
    where: `${text(repository) ?? "?"}${on}:${path}`,
    path,
    content: text(content) ?? "",
    commitMessage: text(commitMessage),
  };
}

/** One Kubernetes object and how a violation names it. */
export interface FoundObject {
  /** e.g. `go-sample-app-ops@main:cicd/tekton/build-pipeline.yaml, Task update-image-revision`. */
  subject: string;
  object: Data;
}

export function kindOf(object: Data): string {
  return text(object.kind) ?? "object";
}

function objectLabel(object: Data, fallback: string): string {
  const name = text(at(object, "metadata.name"));
  const namespace = text(at(object, "metadata.namespace"));
  return `${kindOf(object)} ${name ? (namespace ? `${namespace}/${name}` : name) : fallback}`;
}

// The server hands each policy its own copy of a resource's inputs, so five rules would parse the same
// content in turn (a Tekton file takes about 4 ms): the last few parses are kept.
const parsed = new Map<string, Data[] | undefined>();
const PARSE_CACHE_SIZE = 16;

/**
 * The YAML documents of a file that are maps, or undefined when it is not YAML at all (a README):
 * such a file holds no objects, though it still holds text that must not be a token.
 */
export function yamlDocuments(content: string): Data[] | undefined {
  if (parsed.has(content)) return parsed.get(content);
  const docs = parseAllDocuments(content);
  const all = Array.isArray(docs) ? docs : [];
  const result = all.some((d) => d.errors.length > 0) ? undefined : all.map((d) => d.toJS() as unknown).filter(isData);
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.delete(parsed.keys().next().value as string);
  parsed.set(content, result);
  return result;
}

/**
 * The Kubernetes objects a resource puts in place: the documents of a repository file, or the
 * object a `kubernetes:` resource applies. Other resources (providers, webhooks) hold none.
 */
export function objectsOf(resource: PolicedResource): FoundObject[] {
  const file = repositoryFile(resource);
  if (file) {
    const docs = yamlDocuments(file.content) ?? [];
    return docs.map((object, i) => ({ subject: `${file.where}, ${objectLabel(object, `(document ${i + 1})`)}`, object }));
  }
  if (resource.type.startsWith("kubernetes:")) {
    const object = resource.props;
    return [{ subject: `${objectLabel(object, resource.name)} (Pulumi resource ${resource.name})`, object }];
  }
  return [];
}

/** Visits every map inside a value with its path (`spec.steps[0]`), the value itself first. */
export function eachMap(value: unknown, visit: (map: Data, path: string) => void, path = ""): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => eachMap(item, visit, `${path}[${i}]`));
  } else if (isData(value)) {
    visit(value, path);
    for (const [key, child] of Object.entries(value)) eachMap(child, visit, join(path, key));
  }
}

/** `path.key`, or `key` at the top. */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
