/**
 * Pull requests: a PipelineRun of lint and test on the head commit, its statuses on that commit. It
 * never clones the ops repository, never mounts the ops credential and records nothing: its Pipeline
 * has no write-back, and its template binds no Secret but the clone's read-only files.
 */
import { appObjectMeta, AppObjectRef } from "../kubernetes/types";
import { PullRequestScope } from "../config/settings";
import { finalStatusTasks, pendingStatusTask } from "./commit-status";
import { janitorPipelineTask } from "./run-janitor";
import { CheckTasksArgs, checkTasks, runWorkspaces, SOURCE_PARAMS, statusTasksArgs } from "./pipeline";
import { celString, runTemplate, sameRepository, triggerBinding, TriggerTemplateArgs } from "./triggers";
import { InterceptorRef, Pipeline, TriggerBinding, TriggerTemplate } from "./types";

/** clone → lint → test, with the janitor and a `pending` status beside the clone and a status per stage in `finally`. */
export function pullRequestPipeline(a: CheckTasksArgs): Pipeline {
  const statuses = statusTasksArgs(a, false);
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Pipeline",
    metadata: appObjectMeta(a, "pull-request-pipeline"),
    spec: {
      description: "Lints and tests a pull request's head commit and posts a commit status per stage; records nothing.",
      params: [...SOURCE_PARAMS, { name: "pull-request", type: "string", description: "The pull request's number: a newer run of the same one supersedes this." }],
      workspaces: runWorkspaces(),
      tasks: [janitorPipelineTask(a.tasks.janitor, "pull-request", a.keepRuns), pendingStatusTask(statuses), ...checkTasks(a).tasks],
      finally: finalStatusTasks(statuses),
    },
  };
}

/**
 * What a `pull_request` payload gives the pipeline. The clone is of the base repository, the app's own,
 * at the head commit: GitHub keeps every pull request's head as `refs/pull/<n>/head` there, forks'
 * too, so no fork's URL is ever cloned with the read credential.
 */
export function pullRequestTriggerBinding(a: AppObjectRef): TriggerBinding {
  return triggerBinding(a, "pull-request-trigger", [
    { name: "REPO_URL", value: "$(body.pull_request.base.repo.clone_url)" },
    { name: "REVISION", value: "$(body.pull_request.head.sha)" },
    { name: "NUMBER", value: "$(body.number)" },
  ]);
}

/** A pull request's run: no ops token param, and nothing of the write-back's (its Pipeline has none). */
export function pullRequestTriggerTemplate(a: Omit<TriggerTemplateArgs, "tokenSecret">): TriggerTemplate {
  return runTemplate(
    a,
    "pull-request-trigger",
    "pull-request",
    [
      { name: "REPO_URL", description: "Clone URL of the base repository: the app repository." },
      { name: "REVISION", description: "The pull request's head commit." },
      { name: "NUMBER", description: "The pull request's number." },
    ],
    [
      { name: "repo-url", value: "$(tt.params.REPO_URL)" },
      { name: "revision", value: "$(tt.params.REVISION)" },
      { name: "pull-request", value: "$(tt.params.NUMBER)" },
    ],
  );
}

/** The actions that start a run: a new head commit to check. `closed`, `edited`, labels and the rest start none. */
export const PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened"] as const;

/**
 * The pull-request trigger's interceptors: GitHub's signature and event type, then the action, the
 * base branch and the repository (case-insensitive, as for pushes), and under same-repository, a head
 * in the app repository itself: a fork's pull request is refused.
 */
export function pullRequestInterceptors(a: { webhookSecret: { name: string; key: string }; repositoryFullName: string; branch: string; scope: Exclude<PullRequestScope, "off"> }): InterceptorRef[] {
  const filter = [
    `body.action in [${PULL_REQUEST_ACTIONS.map(celString).join(", ")}]`,
    `body.pull_request.base.ref == ${celString(a.branch)}`,
    sameRepository(a.repositoryFullName),
    ...(a.scope === "same-repository" ? [`body.pull_request.head.repo.full_name.lowerAscii() == body.repository.full_name.lowerAscii()`] : []),
  ].join(" && ");
  return [
    {
      ref: { name: "github", kind: "ClusterInterceptor" },
      params: [
        { name: "secretRef", value: { secretName: a.webhookSecret.name, secretKey: a.webhookSecret.key } },
        { name: "eventTypes", value: ["pull_request"] },
      ],
    },
    { ref: { name: "cel", kind: "ClusterInterceptor" }, params: [{ name: "filter", value: filter }] },
  ];
}
