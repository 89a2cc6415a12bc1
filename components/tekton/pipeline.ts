import { appObjectMeta, AppObjectRef } from "../kubernetes/types";
import { SOURCE_WORKSPACE } from "./check-task";
import { finalStatusTasks, pendingStatusTask, StatusTasksArgs } from "./commit-status";
import { APP_CLONE_DIR, CLONE_AUTH_WORKSPACE, CLONE_OUTPUT_WORKSPACE } from "./git-clone";
import { janitorPipelineTask } from "./run-janitor";
import { paramRef } from "./steps";
import { Param, ParamSpec, Pipeline, PipelineTask, WorkspacePipelineTaskBinding } from "./types";
import { WRITE_BACK_OUTCOME } from "./update-image-revision";

/** The Tasks a pipeline runs, by name in its namespace: all the project's own, committed beside it. */
export interface PipelineTaskNames {
  clone: string;
  /** Absent when the app's own test comes without a lint. */
  lint?: string;
  test: string;
  /** update-image-revision. */
  writeBack: string;
  /** The commit-status Task. */
  status: string;
  /** The run-janitor Task. */
  janitor: string;
}

/** What the push and pull-request pipelines share: their clone, lint and test, statuses and janitor. */
export interface CheckTasksArgs extends AppObjectRef {
  tasks: PipelineTaskNames;
  /** The clone fetches the app's submodules (with the read credential, from any repository it can read). */
  submodules: boolean;
  /** The statuses' link template ({namespace}, {name}); none: statuses without a link. */
  statusTargetUrl?: string;
  /** Finished runs of each kind the janitor keeps. */
  keepRuns: number;
}

export interface BuildPipelineArgs extends CheckTasksArgs {
  opsBranch: string;
}

/** The names of the pipeline tasks, shared by both pipelines and by what reads their status. */
export const PIPELINE_TASKS = { clone: "fetch-repository", lint: "lint", test: "test", writeBack: "update-image-revision" } as const;

/**
 * Workspace names, shared with the TriggerTemplate that binds them. The run's volume holds the app's
 * clone, which lint and test run the app's own code in: whatever they leave there is the app's, so no
 * Task that holds a credential mounts it after them.
 */
export const RUN_WORKSPACE = "shared-workspace";
/** The Secret the clone's `basic-auth` workspace reads credentials from: the read-only token. */
export const CREDENTIALS_WORKSPACE = "git-credentials";

const params = (values: Record<string, string>): Param[] => Object.entries(values).map(([name, value]) => ({ name, value }));
const task = (kind: "Task", name: string) => ({ kind, name });

/** The params both pipelines take: the repository and the commit. */
export const SOURCE_PARAMS: ParamSpec[] = [
  { name: "repo-url", type: "string", description: "Clone URL of the app repository." },
  { name: "revision", type: "string", description: "Full commit SHA that was pushed (a pull request's: its head commit)." },
];

/** Both pipelines' workspaces: the run's volume and the clone's read-only credentials. */
function runWorkspaces(): Pipeline["spec"]["workspaces"] {
  return [
    { name: RUN_WORKSPACE, description: `The run's volume: the app repository's clone in ${APP_CLONE_DIR}/, which lint and test may write.` },
    { name: CREDENTIALS_WORKSPACE, description: "The clone's read-only credentials (.gitconfig and .git-credentials), from a Secret." },
  ];
}

/** The clone of the commit into the run's volume, with the read-only credentials. */
export function cloneTask(a: CheckTasksArgs): PipelineTask {
  return {
    name: PIPELINE_TASKS.clone,
    taskRef: task("Task", a.tasks.clone),
    params: params({ url: paramRef("repo-url"), revision: paramRef("revision"), subdirectory: APP_CLONE_DIR, submodules: String(a.submodules) }),
    workspaces: [
      { name: CLONE_OUTPUT_WORKSPACE, workspace: RUN_WORKSPACE },
      { name: CLONE_AUTH_WORKSPACE, workspace: CREDENTIALS_WORKSPACE },
    ],
  };
}

/**
 * clone → lint → test. Lint and test take turns in the one checkout: both may write it (node_modules,
 * target/, build/), and two `npm ci` or two builds at once would break each other. `last`: the task
 * whatever follows runs after.
 */
export function checkTasks(a: CheckTasksArgs): { tasks: PipelineTask[]; last: string } {
  // The clone makes its subdirectory as the steps' user; the Tasks after it mount that folder (subPath).
  const appSource: WorkspacePipelineTaskBinding[] = [{ name: SOURCE_WORKSPACE, workspace: RUN_WORKSPACE, subPath: APP_CLONE_DIR }];
  const tasks: PipelineTask[] = [cloneTask(a)];
  let last: string = PIPELINE_TASKS.clone;
  for (const [name, taskName] of [[PIPELINE_TASKS.lint, a.tasks.lint], [PIPELINE_TASKS.test, a.tasks.test]] as const) {
    if (taskName === undefined) continue;
    tasks.push({ name, runAfter: [last], taskRef: task("Task", taskName), workspaces: appSource });
    last = name;
  }
  return { tasks, last };
}

/** The statuses a pipeline posts: lint (when the app has one), test, and `recorded` in push runs. */
export function statusTasksArgs(a: CheckTasksArgs, recorded: boolean): StatusTasksArgs {
  return {
    task: a.tasks.status,
    shaParam: "revision",
    targetUrl: a.statusTargetUrl,
    clone: PIPELINE_TASKS.clone,
    stages: {
      ...(a.tasks.lint ? { lint: PIPELINE_TASKS.lint } : {}),
      test: PIPELINE_TASKS.test,
      ...(recorded ? { recorded: PIPELINE_TASKS.writeBack } : {}),
    },
  };
}

/**
 * clone → lint → test → update-image-revision, with the janitor and a `pending` status beside the clone
 * and a status per stage in `finally`. The pipeline builds no image: kpack does, once the tested
 * commit lands in the ops repository. The write-back fetches the ops repository itself, into a folder
 * of its own: a clone on the run's volume would be writable by the code under test.
 */
export function buildPipeline(a: BuildPipelineArgs): Pipeline {
  const checks = checkTasks(a);
  const statuses = statusTasksArgs(a, true);
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
      workspaces: runWorkspaces(),
      tasks: [
        janitorPipelineTask(a.tasks.janitor, "push", a.keepRuns),
        pendingStatusTask(statuses),
        ...checks.tasks,
        {
          name: PIPELINE_TASKS.writeBack,
          runAfter: [checks.last],
          taskRef: task("Task", a.tasks.writeBack),
          params: params({
            REVISION: paramRef("revision"),
            APP_URL: paramRef("repo-url"),
            GITHUB_TOKEN_SECRET: paramRef("github-token-secret"),
            GITHUB_TOKEN_SECRET_KEY: paramRef("github-token-secret-key"),
            OPS_BRANCH: a.opsBranch,
          }),
        },
      ],
      finally: finalStatusTasks(statuses, WRITE_BACK_OUTCOME),
    },
  };
}

/** Both pipelines' workspaces, for the pull request's (pull-request.ts). */
export { runWorkspaces };
