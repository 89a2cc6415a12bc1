import { appObjectMeta } from "../kubernetes/types";
import { APP_CLONE_DIR } from "./git-clone";
import { finalStatusTasks, pendingStatusTask } from "./commit-status";
import { janitorPipelineTask } from "./run-janitor";
import { Param, ParamSpec, Pipeline, PipelineTask, TaskRef, WorkspacePipelineTaskBinding } from "./types";
import { WRITE_BACK_OUTCOME } from "./update-image-revision";

/** Where the catalog Tasks come from: resolvers, since the public Tekton Hub is gone. */
export interface CatalogRefs {
  /** OCI bundle holding git-clone (bundles resolver). */
  gitCloneBundle: string;
  /** tektoncd/catalog and a commit of its default branch: golangci-lint 0.2 (git resolver). */
  gitUrl: string;
  revision: string;
  /**
   * tektoncd-catalog/golang and a release commit: golang-test, which tektoncd/catalog deprecated in
   * favour of that repository (one Task per folder there, no version folder).
   */
  golangGitUrl: string;
  golangRevision: string;
}

export function gitCloneRef(c: CatalogRefs): TaskRef {
  return {
    resolver: "bundles",
    params: [
      { name: "bundle", value: c.gitCloneBundle },
      { name: "name", value: "git-clone" },
      { name: "kind", value: "task" },
    ],
  };
}

function gitResolverRef(url: string, revision: string, pathInRepo: string): TaskRef {
  return {
    resolver: "git",
    params: [
      { name: "url", value: url },
      { name: "revision", value: revision },
      { name: "pathInRepo", value: pathInRepo },
    ],
  };
}

export const golangciLintRef = (c: CatalogRefs): TaskRef => gitResolverRef(c.gitUrl, c.revision, "task/golangci-lint/0.2/golangci-lint.yaml");
export const golangTestRef = (c: CatalogRefs): TaskRef => gitResolverRef(c.golangGitUrl, c.golangRevision, "task/golang-test/golang-test.yaml");

/** What the clone, lint and test tasks need: the same in push and pull-request pipelines. */
export interface CheckTasksArgs {
  catalog: CatalogRefs;
  /** git-clone fetches the app's submodules (with the read credential, from any repository it can read). */
  submodules: boolean;
  goPackage: string;
  goVersion: string;
  golangciLintVersion: string;
}

/** The names of the pipeline tasks, shared by both pipelines and what reads their status. */
export const PIPELINE_TASKS = { clone: "fetch-repository", lint: "lint", test: "test", writeBack: "update-image-revision" } as const;

export interface BuildPipelineArgs extends CheckTasksArgs {
  name: string;
  namespace: string;
  app: string;
  /** Name of the update-image-revision Task in the namespace. */
  updateTask: string;
  /** Name of the commit-status Task in the namespace. */
  statusTask: string;
  /** The statuses' link template ({namespace}, {name}); none: statuses without a link. */
  statusTargetUrl?: string;
  /** Name of the run-janitor Task in the namespace, and the finished push runs it keeps. */
  janitor: { task: string; keep: number };
  opsBranch: string;
}

/**
 * Workspace names, shared with the TriggerTemplate that binds them. The run's volume holds the app's
 * clone, which lint and test run the app's own code in: whatever they leave there is the app's, so no
 * Task that holds a credential mounts it after them.
 */
export const RUN_WORKSPACE = "shared-workspace";
/** The Secret git-clone's `basic-auth` workspace reads credentials from: the read-only token. */
export const CREDENTIALS_WORKSPACE = "git-credentials";

/**
 * The catalog lint and test Tasks default GOARCH to amd64 and set it as their step's environment; on an
 * arm64 node golang-test would then cross-compile, and its default `-race` fails. An empty GOARCH is
 * the go command's "unset": it builds for the architecture its toolchain was built for
 * (go/src/internal/buildcfg/cfg.go and cmd/go/internal/cfg/cfg.go, envOr: an empty value takes the
 * default), the node's in the multi-arch golang images and golangci-lint's (its .goreleaser.yml,
 * dockers_v2: linux/amd64 and linux/arm64).
 */
const NODE_ARCHITECTURE = { GOARCH: "" } as const;

const p = (name: string): string => `$(params.${name})`;
const params = (values: Record<string, string>): Param[] => Object.entries(values).map(([name, value]) => ({ name, value }));

/** The params both pipelines take: the repository and the commit. */
export const SOURCE_PARAMS: ParamSpec[] = [
  { name: "repo-url", type: "string", description: "Clone URL of the app repository (a pull request's: its head repository)." },
  { name: "revision", type: "string", description: "Full commit SHA that was pushed (a pull request's: its head commit)." },
];

/** git-clone of the commit into the run's volume, with the read-only credentials. */
export function cloneTask(a: CheckTasksArgs): PipelineTask {
  return {
    name: PIPELINE_TASKS.clone,
    taskRef: gitCloneRef(a.catalog),
    // git-clone fetches submodules unless told not to, with the credential for the whole host.
    params: params({ url: p("repo-url"), revision: p("revision"), subdirectory: APP_CLONE_DIR, deleteExisting: "true", submodules: String(a.submodules) }),
    // git-clone makes its `subdirectory` as its own user; the Tasks after it mount that folder (subPath).
    workspaces: [
      { name: "output", workspace: RUN_WORKSPACE },
      { name: "basic-auth", workspace: CREDENTIALS_WORKSPACE },
    ],
  };
}

const appSource: WorkspacePipelineTaskBinding = { name: "source", workspace: RUN_WORKSPACE, subPath: APP_CLONE_DIR };

/** golangci-lint over the clone: the app's own code runs here. */
export function lintTask(a: CheckTasksArgs): PipelineTask {
  return {
    name: PIPELINE_TASKS.lint,
    runAfter: [PIPELINE_TASKS.clone],
    taskRef: golangciLintRef(a.catalog),
    params: params({ package: a.goPackage, version: a.golangciLintVersion, ...NODE_ARCHITECTURE }),
    workspaces: [appSource],
  };
}

/** go test over the clone: the app's own code runs here. */
export function testTask(a: CheckTasksArgs): PipelineTask {
  return {
    name: PIPELINE_TASKS.test,
    runAfter: [PIPELINE_TASKS.clone],
    taskRef: golangTestRef(a.catalog),
    params: params({ package: a.goPackage, version: a.goVersion, ...NODE_ARCHITECTURE }),
    workspaces: [appSource],
  };
}

/**
 * clone → lint ∥ test → update-image-revision, with a commit status as the run starts and for each
 * stage in `finally`. The pipeline builds no image: kpack does, once the tested commit lands in the ops
 * repository. The write-back fetches the ops repository itself, into a folder of its own: a clone on
 * the run's volume would be writable by the code under test.
 */
export function buildPipeline(a: BuildPipelineArgs): Pipeline {
  const statuses = {
    task: a.statusTask,
    shaParam: "revision",
    targetUrl: a.statusTargetUrl,
    clone: PIPELINE_TASKS.clone,
    stages: { lint: PIPELINE_TASKS.lint, test: PIPELINE_TASKS.test, recorded: PIPELINE_TASKS.writeBack },
  };
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Pipeline",
    metadata: appObjectMeta(a, "pipeline"),
    spec: {
      description: "Lints and tests a pushed commit and records it as the revision kpack builds; posts a commit status per stage.",
      params: [
        ...SOURCE_PARAMS,
        { name: "github-token-secret", type: "string", description: "Secret holding the token to push the ops repository with." },
        { name: "github-token-secret-key", type: "string", description: "Key of the token in that Secret." },
      ],
      workspaces: [
        { name: RUN_WORKSPACE, description: `The run's volume: the app repository's clone in ${APP_CLONE_DIR}/, which lint and test may write.` },
        { name: CREDENTIALS_WORKSPACE, description: "git-clone's read-only credentials (.gitconfig and .git-credentials), from a Secret." },
      ],
      tasks: [
        janitorPipelineTask(a.janitor.task, "push", a.janitor.keep),
        pendingStatusTask(statuses),
        cloneTask(a),
        lintTask(a),
        testTask(a),
        {
          name: PIPELINE_TASKS.writeBack,
          runAfter: [PIPELINE_TASKS.lint, PIPELINE_TASKS.test],
          taskRef: { kind: "Task", name: a.updateTask },
          params: params({
            REVISION: p("revision"),
            APP_URL: p("repo-url"),
            GITHUB_TOKEN_SECRET: p("github-token-secret"),
            GITHUB_TOKEN_SECRET_KEY: p("github-token-secret-key"),
            OPS_BRANCH: a.opsBranch,
          }),
        },
      ],
      finally: finalStatusTasks(statuses, WRITE_BACK_OUTCOME),
    },
  };
}
