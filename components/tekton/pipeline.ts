import { appObjectMeta, AppObjectRef } from "../kubernetes/types";
import { SOURCE_WORKSPACE } from "./check-task";
import { APP_CLONE_DIR, CLONE_AUTH_WORKSPACE, CLONE_OUTPUT_WORKSPACE } from "./git-clone";
import { Param, Pipeline, PipelineTask, WorkspacePipelineTaskBinding } from "./types";

/** The Tasks a pipeline runs, by name in its namespace: all the project's own, committed beside it. */
export interface PipelineTaskNames {
  clone: string;
  /** Absent when the app's own test comes without a lint. */
  lint?: string;
  test: string;
  /** update-image-revision. */
  writeBack: string;
}

export interface BuildPipelineArgs extends AppObjectRef {
  tasks: PipelineTaskNames;
  opsBranch: string;
  /** The clone fetches the app's submodules (with the read credential, from any repository it can read). */
  submodules: boolean;
}

/**
 * Workspace names, shared with the TriggerTemplate that binds them. The run's volume holds the app's
 * clone, which lint and test run the app's own code in: whatever they leave there is the app's, so no
 * Task that holds a credential mounts it after them.
 */
export const RUN_WORKSPACE = "shared-workspace";
/** The Secret the clone's `basic-auth` workspace reads credentials from: the read-only token. */
export const CREDENTIALS_WORKSPACE = "git-credentials";

const p = (name: string): string => `$(params.${name})`;
const params = (values: Record<string, string>): Param[] => Object.entries(values).map(([name, value]) => ({ name, value }));
const task = (kind: "Task", name: string) => ({ kind, name });

/**
 * clone → lint → test → update-image-revision. Lint and test take turns in the one checkout: both may
 * write it (node_modules, target/, build/), and two `npm ci` or two builds at once would break each
 * other. The pipeline builds no image: kpack does, once the tested commit lands in the ops repository.
 * The write-back fetches the ops repository itself, into a folder of its own: a clone on the run's
 * volume would be writable by the code under test.
 */
export function buildPipeline(a: BuildPipelineArgs): Pipeline {
  // The clone makes its subdirectory as the steps' user; the Tasks after it mount that folder (subPath).
  const appSource: WorkspacePipelineTaskBinding[] = [{ name: SOURCE_WORKSPACE, workspace: RUN_WORKSPACE, subPath: APP_CLONE_DIR }];
  const checks: PipelineTask[] = [];
  let last = "fetch-repository";
  for (const [name, taskName] of [["lint", a.tasks.lint], ["test", a.tasks.test]] as const) {
    if (taskName === undefined) continue;
    checks.push({ name, runAfter: [last], taskRef: task("Task", taskName), workspaces: appSource });
    last = name;
  }
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Pipeline",
    metadata: appObjectMeta(a, "pipeline"),
    spec: {
      description: "Lints and tests a pushed commit and records it as the revision kpack builds.",
      params: [
        { name: "repo-url", type: "string", description: "Clone URL of the app repository." },
        { name: "revision", type: "string", description: "Full commit SHA that was pushed." },
        { name: "github-token-secret", type: "string", description: "Secret holding the token to push the ops repository with." },
        { name: "github-token-secret-key", type: "string", description: "Key of the token in that Secret." },
      ],
      workspaces: [
        { name: RUN_WORKSPACE, description: `The run's volume: the app repository's clone in ${APP_CLONE_DIR}/, which lint and test may write.` },
        { name: CREDENTIALS_WORKSPACE, description: "The clone's read-only credentials (.gitconfig and .git-credentials), from a Secret." },
      ],
      tasks: [
        {
          name: "fetch-repository",
          taskRef: task("Task", a.tasks.clone),
          params: params({ url: p("repo-url"), revision: p("revision"), subdirectory: APP_CLONE_DIR, submodules: String(a.submodules) }),
          workspaces: [
            { name: CLONE_OUTPUT_WORKSPACE, workspace: RUN_WORKSPACE },
            { name: CLONE_AUTH_WORKSPACE, workspace: CREDENTIALS_WORKSPACE },
          ],
        },
        ...checks,
        {
          name: "update-image-revision",
          runAfter: [last],
          taskRef: task("Task", a.tasks.writeBack),
          params: params({
            REVISION: p("revision"),
            APP_URL: p("repo-url"),
            GITHUB_TOKEN_SECRET: p("github-token-secret"),
            GITHUB_TOKEN_SECRET_KEY: p("github-token-secret-key"),
            OPS_BRANCH: a.opsBranch,
          }),
        },
      ],
    },
  };
}
