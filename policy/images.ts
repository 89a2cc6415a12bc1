/**
 * The container images a Kubernetes object makes a cluster pull: every `image` field (Task steps and
 * sidecars, pod containers, kpack stacks and stores), every Tekton bundle a Task is resolved from, and
 * the images catalog Tasks choose from the params a Pipeline passes them.
 */
import { show } from "../components/config/errors";
import { pinnedImage, splitImage } from "../components/config/validators";
import { Data, eachMap, isData, join, text } from "./objects";

/**
 * A param through which a catalog Task chooses its image (upstream definitions: ../shared/reference).
 * With `repository`, the param is a tag put after it (`golang:$(params.version)`); without, the whole image.
 * `defaults`: what the Task runs when the param is not passed, by catalog version.
 */
export interface CatalogImageParam {
  task: string;
  param: string;
  repository?: string;
  defaults: Readonly<Record<string, string>>;
}

export const CATALOG_IMAGE_PARAMS: readonly CatalogImageParam[] = [
  // tektoncd-catalog/golang keeps one version per commit (task/golang-test/golang-test.yaml): keyed by commit.
  {
    task: "golang-test",
    param: "version",
    repository: "docker.io/library/golang",
    defaults: { ba30a4886564e2455c065ef871c05c39b49b6fd6: "latest", "0.2": "latest" },
  },
  { task: "golangci-lint", param: "version", repository: "docker.io/golangci/golangci-lint", defaults: { "0.2": "v1.39" } },
  { task: "git-clone", param: "gitInitImage", defaults: { "v1.7.0": "ghcr.io/tektoncd-catalog/git-clone:v1.7.0" } },
];

/** One image an object pulls, and what in the object chooses it. */
export interface ImageUse {
  /** Where the object chooses it, e.g. `spec.steps[0].image` or `spec.tasks[2] (test)`. */
  path: string;
  /** The image pulled; undefined when the object leaves it to a catalog default not recorded here. */
  image: string | undefined;
  /** How a catalog Task gets it from the params, e.g. `runs golang-test 0.2 with version "1.24.4"`. */
  via?: string;
  /** The catalog Task's param that chooses it. */
  param?: string;
}

function paramValues(params: unknown): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (Array.isArray(params)) {
    for (const p of params) if (isData(p) && typeof p.name === "string") values.set(p.name, p.value);
  }
  return values;
}

/**
 * Which catalog Task, at which version, a resolver reference points at: `task/<task>/<version>/<task>.yaml`
 * (tektoncd/catalog), or `task/<task>/<task>.yaml` at a commit (the tektoncd-catalog repositories, whose
 * version is the commit read).
 */
export function catalogTaskOf(taskRef: Data): { task: string; version: string } | undefined {
  const params = paramValues(taskRef.params);
  if (taskRef.resolver === "git") {
    const pathInRepo = text(params.get("pathInRepo")) ?? "";
    const versioned = /^task\/([^/]+)\/([^/]+)\/\1\.ya?ml$/.exec(pathInRepo);
    if (versioned) return { task: versioned[1], version: versioned[2] };
    const atCommit = /^task\/([^/]+)\/\1\.ya?ml$/.exec(pathInRepo);
    const revision = text(params.get("revision"));
    return atCommit && revision ? { task: atCommit[1], version: revision } : undefined;
  }
  const bundle = text(params.get("bundle"));
  const task = text(params.get("name"));
  if (taskRef.resolver === "bundles" && bundle && task) {
    const { tag, digest } = splitImage(bundle);
    return { task, version: digest ?? tag ?? "latest" };
  }
  return undefined;
}

function catalogImages(pipelineTask: Data, taskRef: Data, path: string): ImageUse[] {
  const ref = catalogTaskOf(taskRef);
  if (!ref) return [];
  const passed = paramValues(pipelineTask.params);
  const name = text(pipelineTask.name);
  const where = name ? `${path} (${name})` : path;
  return CATALOG_IMAGE_PARAMS.filter((c) => c.task === ref.task).map((c): ImageUse => {
    const image = (value: string) => (c.repository ? `${c.repository}:${value}` : value);
    const value = passed.get(c.param);
    if (value !== undefined) {
      return { path: where, image: image(String(value)), via: `runs ${ref.task} ${ref.version} with ${c.param} ${show(value)}`, param: c.param };
    }
    const fallback: string | undefined = c.defaults[ref.version];
    return {
      path: where,
      image: fallback === undefined ? undefined : image(fallback),
      via: `runs ${ref.task} ${ref.version} without ${c.param}${fallback === undefined ? "" : ` (default ${show(fallback)})`}`,
      param: c.param,
    };
  });
}

/** Every image the object pulls, in the order it mentions them. */
export function imagesIn(object: object): ImageUse[] {
  const uses: ImageUse[] = [];
  eachMap(object, (map, path) => {
    if (typeof map.image === "string") uses.push({ path: join(path, "image"), image: map.image });
    if (map.resolver === "bundles") {
      const bundle = paramValues(map.params).get("bundle");
      uses.push({ path: join(path, "params.bundle"), image: text(bundle) ?? "" });
    } else if (typeof map.bundle === "string") {
      uses.push({ path: join(path, "bundle"), image: map.bundle });
    }
    if (isData(map.taskRef)) uses.push(...catalogImages(map, map.taskRef, path));
  });
  return uses;
}

/** What is wrong with a pulled image, or undefined when it is pinned. */
export function imageProblem(image: string): string | undefined {
  if (image.includes("$(")) {
    return "expected an image pinned to a version tag or a sha256 digest, written out: one a parameter chooses at run time cannot be checked";
  }
  return pinnedImage(image);
}

/** One message per image the object pulls unpinned: what chooses it, the image, and what is expected. */
export function unpinnedImages(object: Data): string[] {
  const messages: string[] = [];
  for (const use of imagesIn(object)) {
    if (use.image === undefined) {
      messages.push(`${use.path} ${use.via}, and that version's default image is not known here; expected ${use.param} passed, pinned`);
      continue;
    }
    const problem = imageProblem(use.image);
    if (!problem) continue;
    messages.push(use.via ? `${use.path} ${use.via}, so it pulls ${show(use.image)}; ${problem}` : `${use.path} is ${show(use.image)}; ${problem}`);
  }
  return messages;
}
