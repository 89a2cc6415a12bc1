/**
 * Runs do not pile up: the first task of every PipelineRun cancels the app's older runs of the same
 * kind that have not reached the write-back, and deletes finished runs beyond the app's `keepRuns`.
 * Tekton has no concurrency limit of its own; this Task is the project's, and runs as an account of
 * its own (the PipelineRun's taskRunSpecs), the only one that may touch PipelineRuns.
 */
import * as fs from "fs";
import * as path from "path";
import { appLabels, appObjectMeta, AppObjectRef, PolicyRule, Role, RoleBinding, ServiceAccount } from "../kubernetes/types";
import { envVars, homeVolumes, paramEnv, restrictedStepTemplate } from "./steps";
import { PIPELINE_TASKS } from "./pipeline";
import { accountWithRole, RunKind } from "./triggers";
import { PipelineTask, Task } from "./types";

/** The step's shell script, kept as a real file so tests run exactly what the cluster runs. */
export const RUN_JANITOR_SCRIPT = fs.readFileSync(path.join(__dirname, "run-janitor.sh"), "utf8");

/** The janitor's name in both pipelines: what taskRunSpecs gives the janitor's account to. */
export const JANITOR_PIPELINE_TASK = "run-janitor";

export interface RunJanitorTaskArgs {
  name: string;
  namespace: string;
  app: string;
  /** sh, kubectl and busybox applets, pinned. */
  image: string;
}

/**
 * The janitor Task: no workspace, no Secret, its params through `env` only. Tekton's graceful cancel
 * (spec.status CancelledRunFinally) cancels the run's TaskRuns and then runs its `finally` tasks
 * (tektoncd/pipeline v1.15.0 pkg/apis/pipeline/v1/pipelinerun_types.go IsGracefullyCancelled;
 * pkg/reconciler/pipelinerun/cancel.go gracefullyCancelPipelineRun: "marks any non-final resolved
 * TaskRun(s) as cancelled and runs finally"), so a superseded run still posts its statuses: each
 * cancelled TaskRun's reason is TaskRunCancelled, which the status step reads.
 */
export function runJanitorTask(a: RunJanitorTaskArgs): Task {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, "run-janitor"),
    spec: {
      description: "Cancels the app's older runs of this kind that have not reached the write-back, and deletes finished runs beyond KEEP.",
      params: [
        { name: "KIND", type: "string", description: "push or pull-request." },
        { name: "NUMBER", type: "string", default: "", description: "The pull request's number (pull-request runs)." },
        { name: "KEEP", type: "string", description: "Finished runs of this kind kept." },
        { name: "APP", type: "string", default: a.app, description: "The app whose runs these are (its app.kubernetes.io/name label)." },
        { name: "WRITE_BACK_TASK", type: "string", default: PIPELINE_TASKS.writeBack, description: "A run with this pipeline task started is never cancelled." },
      ],
      // kubectl keeps its discovery cache under HOME: the pod's own emptyDir.
      stepTemplate: restrictedStepTemplate(),
      volumes: homeVolumes(),
      steps: [
        {
          name: "tidy",
          image: a.image,
          env: [
            ...paramEnv(["KIND", "NUMBER", "KEEP", "APP", "WRITE_BACK_TASK"]),
            ...envVars({ RUN: "$(context.pipelineRun.name)", NAMESPACE: "$(context.pipelineRun.namespace)" }),
          ],
          // Tidying never decides a run: its failure is in its log.
          onError: "continue",
          script: RUN_JANITOR_SCRIPT,
        },
      ],
    },
  };
}

/** The janitor as the first task of a pipeline: beside the pending status and the clone, gating nothing. */
export function janitorPipelineTask(task: string, kind: RunKind, keep: number): PipelineTask {
  return {
    name: JANITOR_PIPELINE_TASK,
    taskRef: { kind: "Task", name: task },
    params: [
      { name: "KIND", value: kind },
      // A pull request's number is on its run as a label; Tekton does not expose labels, so the pipeline passes it.
      ...(kind === "pull-request" ? [{ name: "NUMBER", value: "$(params.pull-request)" }] : []),
      { name: "KEEP", value: String(keep) },
    ],
  };
}

/**
 * What the janitor may do: PipelineRuns in the app's namespace, get, list, patch (cancel) and delete,
 * nothing else (no Secrets, no TaskRuns, no pods, no other namespace).
 */
export const JANITOR_RULES: PolicyRule[] = [{ apiGroups: ["tekton.dev"], resources: ["pipelineruns"], verbs: ["get", "list", "patch", "delete"] }];

export interface JanitorAccess {
  serviceAccount: ServiceAccount;
  role: Role;
  roleBinding: RoleBinding;
}

/** The janitor's account, Role and RoleBinding, applied by Pulumi: nothing in git grants rights. */
export function janitorAccess(a: AppObjectRef & { role: string }): JanitorAccess {
  return accountWithRole({ namespace: a.namespace, account: a.name, role: a.role, labels: appLabels(a.app, "run-janitor"), rules: JANITOR_RULES });
}
