// Commit statuses in the e2e loop. No Tekton controller runs the pods here, so the status steps are run
// as the write-back is: the pipeline task and its Task as the API server holds them, its params and
// Tekton's variables ($(params.*), $(tasks.<t>.status|reason|results.*), $(context.pipelineRun.*))
// filled in as the controller fills them for the run's outcome, the script run with busybox's tools and
// curl (the curlimages/curl image's), against the GitHub double's Statuses API over its TLS front.
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { COMMIT_STATUS_SECRET } from "../components/plan/names";
import { Pipeline, PipelineTask, Task } from "../components/tekton/types";
import { runTask, stepToolsPath, TaskRunResult } from "../tests/helpers/task-runner";
import { Checks } from "./checks";
import { getJson, Kube, list } from "./controllers/kube";
import { OWNER, secretValue, World } from "./world";

/** A PipelineRun as the e2e reads it from the API server. */
export interface RunObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec: { pipelineRef: { name: string }; params: { name: string; value: string }[]; status?: string; workspaces?: unknown[]; taskRunSpecs?: { pipelineTaskName: string; serviceAccountName: string }[] };
}

/** What a run of this app's needs from the loop: the world, the API server, the app. */
export interface LoopApp {
  w: World;
  k: Kube;
  app: string;
  namespace: string;
}

/** A status as the double's GET .../commits/{sha}/statuses lists it. */
export interface PostedStatus {
  id: number;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
}

/** One call of the double's REST API over its TLS front, with the e2e's token. */
export function githubApi(w: World, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${w.gitHost}/api/v3${apiPath}`);
  const ca = fs.readFileSync(w.gitEnv.SSL_CERT_FILE);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers: { Authorization: `Bearer ${w.token}`, Accept: "application/vnd.github+json", "Content-Type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text === "" ? {} : (JSON.parse(text) as unknown) });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The statuses the double recorded on `sha` of the app repository, oldest first. */
export async function statusesOn(x: LoopApp, sha: string): Promise<PostedStatus[]> {
  const answer = await githubApi(x.w, "GET", `/repos/${OWNER}/${x.app}/commits/${sha}/statuses`);
  if (answer.status !== 200) throw new Error(`e2e: GET statuses of ${sha}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as PostedStatus[]).slice().reverse();
}

/** Each context's states in order, as "<context>: <state>, <state>". */
export function stateSequences(statuses: PostedStatus[]): string[] {
  const byContext = new Map<string, string[]>();
  for (const s of statuses) byContext.set(s.context, [...(byContext.get(s.context) ?? []), s.state]);
  return [...byContext].map(([context, states]) => `${context}: ${states.join(" → ")}`);
}

/** The run's Pipeline and the Tasks of one of its pipeline tasks, as the API server holds them. */
export async function pipelineOf(x: LoopApp, run: RunObject): Promise<Pipeline> {
  const pipeline = await getJson<Pipeline>(x.k, "pipelines.tekton.dev", run.spec.pipelineRef.name, x.namespace);
  if (!pipeline) throw new Error(`e2e: no Pipeline ${run.spec.pipelineRef.name}`);
  return pipeline;
}

/** Every pipeline task of a Pipeline, its `finally` ones too. */
export function allPipelineTasks(pipeline: Pipeline): PipelineTask[] {
  return [...pipeline.spec.tasks, ...(pipeline.spec.finally ?? [])];
}

/** Tekton's variables for a run: its params, its context, and whatever the caller says of its tasks. */
function tektonValues(x: LoopApp, run: RunObject, tasks: Record<string, string>): Record<string, string> {
  return {
    ...Object.fromEntries(run.spec.params.map((p) => [`params.${p.name}`, p.value])),
    "context.pipelineRun.name": run.metadata.name,
    "context.pipelineRun.namespace": x.namespace,
    ...tasks,
  };
}

/**
 * Runs one pipeline task of a run, as the controller would: `tasks` gives `tasks.<t>.status`,
 * `.reason` and `.results.<r>` (what the run's tasks ended with). `secrets`: the Secret keys its Task
 * reads; `binaries`: what its image holds besides busybox.
 */
export async function runPipelineTask(
  x: LoopApp,
  run: RunObject,
  name: string,
  o: { tasks?: Record<string, string>; secrets?: Record<string, string>; binaries: string[]; env?: Record<string, string>; dir: string },
): Promise<TaskRunResult> {
  const pipeline = await pipelineOf(x, run);
  const pt = allPipelineTasks(pipeline).find((t) => t.name === name);
  if (!pt) throw new Error(`e2e: Pipeline ${pipeline.metadata.name} has no task ${name}`);
  const task = (await list<Task>(x.k, "tasks.tekton.dev", x.namespace)).find((t) => t.metadata.name === pt.taskRef.name);
  if (!task) throw new Error(`e2e: no Task ${pt.taskRef.name} in ${x.namespace}`);
  const values = tektonValues(x, run, o.tasks ?? {});
  const params = Object.fromEntries(
    (pt.params ?? []).map((p) => [
      p.name,
      p.value.replace(/\$\(([a-zA-Z][\w.-]*)\)/g, (m, v: string) => {
        if (!(v in values)) throw new Error(`e2e: no value for ${m} in ${name}`);
        return values[v];
      }),
    ]),
  );
  fs.mkdirSync(path.join(o.dir, "tmp"), { recursive: true });
  return runTask(task, {
    params,
    secrets: o.secrets,
    context: { "pipelineRun.name": run.metadata.name, "pipelineRun.namespace": x.namespace },
    path: stepToolsPath(o.binaries, o.dir),
    env: { TMPDIR: path.join(o.dir, "tmp"), HOME: o.dir, ...o.env },
    dir: o.dir,
  });
}

/** `tasks.<t>.status` and `.reason` of each task, from "Succeeded", "Failed", "Failed,TaskRunCancelled", "None". */
export function ended(tasks: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tasks).flatMap(([t, s]) => {
      const [status, reason] = s.split(",");
      return [
        [`tasks.${t}.status`, status],
        [`tasks.${t}.reason`, reason ?? (status === "None" ? "" : status)],
      ];
    }),
  );
}

/** Runs a status pipeline task of a run: its Task reads the status token, and curl trusts the double's CA. */
export function postStatuses(x: LoopApp, run: RunObject, name: "status-pending" | "status-final" | "status-recorded", tasks: Record<string, string>, dir: string): Promise<TaskRunResult> {
  const token = secretValue(x.w, x.namespace, COMMIT_STATUS_SECRET.name, COMMIT_STATUS_SECRET.key);
  return runPipelineTask(x, run, name, {
    tasks,
    secrets: { [COMMIT_STATUS_SECRET.key]: token },
    binaries: ["curl"],
    env: { CURL_CA_BUNDLE: x.w.gitEnv.SSL_CERT_FILE },
    dir: path.join(x.w.dir, dir, name),
  });
}

/** A push run's statuses: pending as it starts, each stage's end, and (with an outcome) what the write-back did. */
export async function pushRunStatuses(x: LoopApp, c: Checks, label: string, run: RunObject, sha: string, ends: Record<string, string>, outcome?: string): Promise<PostedStatus[]> {
  const dir = `statuses-${run.metadata.name}`;
  const steps: ["status-pending" | "status-final" | "status-recorded", Record<string, string>][] = [
    ["status-pending", {}],
    ["status-final", ended(ends)],
    ...(outcome === undefined ? [] : [["status-recorded", { "tasks.update-image-revision.results.outcome": outcome }] as ["status-recorded", Record<string, string>]]),
  ];
  for (const [name, tasks] of steps) {
    const r = await postStatuses(x, run, name, tasks, dir);
    c.expect(`statuses: ${label}: ${name} posts every status`, r.code === 0, `${r.stdout}\n${r.stderr}`);
  }
  return statusesOn(x, sha);
}
