import * as fs from "fs";
import * as path from "path";
import { appObjectMeta } from "../kubernetes/types";
import { paramEnv, paramRef, restrictedStepTemplate } from "./steps";
import { Param, PipelineTask, Task } from "./types";

/** The step's shell script, kept as a real file so tests run exactly what the cluster runs. */
export const COMMIT_STATUS_SCRIPT = fs.readFileSync(path.join(__dirname, "commit-status.sh"), "utf8");

/** What every status context starts with: `deliberate-image-builds/lint`, `/test`, `/recorded`. */
export const STATUS_CONTEXT_PREFIX = "deliberate-image-builds";

/** The stages a run reports on, in the order they run; `recorded` only in push runs. */
export type StatusStage = "lint" | "test" | "recorded";

export interface CommitStatusTaskArgs {
  name: string;
  namespace: string;
  app: string;
  /** sh, curl and busybox applets, pinned. */
  image: string;
  /** GitHub's REST API base for the app repository's host: the only place the status token is sent. */
  apiUrl: string;
  /** `owner/repo` of the app repository: statuses are posted there, on pull requests' head commits too. */
  repositoryFullName: string;
  /** The Secret holding the status token and its key. */
  tokenSecret: { name: string; key: string };
}

/**
 * The Task that posts commit statuses. Its params reach the script through `env` only; the API URL,
 * the repository and the Secret are the Task's defaults, which a Pipeline never overrides (the
 * pipeline tasks below pass SHA, REPORT, CLONE and TARGET_URL only). It mounts no workspace and runs
 * nothing of the app's: the token meets nothing the code under test wrote. A status that cannot be
 * posted never fails the run (onError: continue): the step's log says why.
 */
export function commitStatusTask(a: CommitStatusTaskArgs): Task {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, "commit-status"),
    spec: {
      description: "Posts GitHub commit statuses on SHA, one per stage REPORT names. Reads nothing the run's other Tasks wrote.",
      params: [
        { name: "SHA", type: "string", description: "Full commit SHA the statuses are for." },
        { name: "REPORT", type: "string", description: "Words <stage>=<what>: pending, <Tekton status>,<reason> of the stage's Task, or outcome:<the write-back's result>." },
        { name: "CLONE", type: "string", default: "", description: "The clone's <Tekton status>,<reason>: why a stage did not run." },
        { name: "TARGET_URL", type: "string", default: "", description: "The run's link; empty for none." },
        { name: "API_URL", type: "string", default: a.apiUrl, description: "GitHub's REST API base." },
        { name: "REPOSITORY", type: "string", default: a.repositoryFullName, description: "owner/repo the statuses are posted to." },
        { name: "CONTEXT_PREFIX", type: "string", default: STATUS_CONTEXT_PREFIX, description: "What each status's context starts with." },
        { name: "STATUS_TOKEN_SECRET", type: "string", default: a.tokenSecret.name, description: "Secret holding the status token." },
        { name: "STATUS_TOKEN_SECRET_KEY", type: "string", default: a.tokenSecret.key, description: "Key of the status token in that Secret." },
      ],
      // No HOME volume: the script makes its own folder with mktemp.
      stepTemplate: { securityContext: restrictedStepTemplate().securityContext },
      steps: [
        {
          name: "post",
          image: a.image,
          env: [
            ...paramEnv(["SHA", "REPORT", "CLONE", "TARGET_URL", "API_URL", "REPOSITORY", "CONTEXT_PREFIX"]),
            { name: "STATUS_TOKEN", valueFrom: { secretKeyRef: { name: paramRef("STATUS_TOKEN_SECRET"), key: paramRef("STATUS_TOKEN_SECRET_KEY") } } },
          ],
          onError: "continue",
          script: COMMIT_STATUS_SCRIPT,
        },
      ],
    },
  };
}

/**
 * The run's link from a template with `{namespace}` and `{name}` (checked at the edge): Tekton fills
 * in the PipelineRun's own (context.pipelineRun.*).
 */
export function runLink(template: string | undefined): string {
  if (!template) return "";
  return template.split("{namespace}").join("$(context.pipelineRun.namespace)").split("{name}").join("$(context.pipelineRun.name)");
}

export interface StatusTasksArgs {
  /** Name of the commit-status Task in the namespace. */
  task: string;
  /** The Pipeline param holding the commit the statuses are for. */
  shaParam: string;
  /** The link template, or none. */
  targetUrl?: string;
  /** The pipeline task names of the stages, in order; `recorded`: the write-back's, in push runs only. */
  clone: string;
  stages: Partial<Record<StatusStage, string>>;
}

const STAGE_ORDER: StatusStage[] = ["lint", "test", "recorded"];

function statusTask(a: StatusTasksArgs, name: string, values: Record<string, string>): PipelineTask {
  const params: Param[] = [{ name: "SHA", value: `$(params.${a.shaParam})` }, ...Object.entries(values).map(([n, value]) => ({ name: n, value }))];
  const link = runLink(a.targetUrl);
  return { name, taskRef: { kind: "Task", name: a.task }, params: link ? [...params, { name: "TARGET_URL", value: link }] : params };
}

const report = (a: StatusTasksArgs, what: (stage: StatusStage, task: string) => string): string =>
  STAGE_ORDER.flatMap((stage) => {
    const task = a.stages[stage];
    return task ? [`${stage}=${what(stage, task)}`] : [];
  }).join(" ");

const tektonStatus = (task: string) => `$(tasks.${task}.status),$(tasks.${task}.reason)`;

/** Posts `pending` for every stage as the run starts; it gates nothing. */
export function pendingStatusTask(a: StatusTasksArgs): PipelineTask {
  return statusTask(a, "status-pending", { REPORT: report(a, () => "pending") });
}

/**
 * The `finally` tasks: one posts each stage's end from its Task's status and reason (a cancelled run
 * says it was superseded); the other, the write-back's outcome. Tekton skips a finally task whose
 * result reference is missing (tektoncd/pipeline v1.15.0 pkg/reconciler/pipelinerun/resources/
 * pipelinerunresolution.go, IsFinallySkipped: MissingResultsSkip), so the outcome has a task of its
 * own, run only when the write-back wrote it; the first posts `recorded` only when the write-back did not succeed.
 */
export function finalStatusTasks(a: StatusTasksArgs, outcome?: string): PipelineTask[] {
  const ends = statusTask(a, "status-final", { REPORT: report(a, (_, task) => tektonStatus(task)), CLONE: tektonStatus(a.clone) });
  const writeBack = a.stages.recorded;
  if (!writeBack || !outcome) return [ends];
  return [ends, statusTask(a, "status-recorded", { REPORT: `recorded=outcome:$(tasks.${writeBack}.results.${outcome})` })];
}
