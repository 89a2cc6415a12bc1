// What a PipelineRun of the build pipeline does up to the write-back, done the way Tekton would do it
// for the objects that `pulumi up` committed: the clones that git-clone leaves (depth 1, detached) in
// the workspaces and sub-paths the Pipeline names, then the update-image-revision step's own script,
// run for real with busybox's sh and applets and git (the Alpine step image's tools), its params and
// workspace paths substituted as Tekton does.
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { GIT_TOKEN_USERNAME } from "../components/tekton/git-clone";
import { Pipeline, Task, TriggerTemplate } from "../components/tekton/types";
import { busyboxPath, gitAsync, gitTokenEnv, substitute } from "../tests/helpers/git-world";
import { ProcessResult, runProcess } from "./processes";

type Params = Record<string, string>;

/** Triggers' `$(tt.params.X)` substitution in a TriggerTemplate; an unknown name is an error. */
function triggerTemplateParams(text: string, values: Params): string {
  return text.replace(/\$\(tt\.params\.([A-Za-z0-9_-]+)\)/g, (m, name: string) => {
    if (!(name in values)) throw new Error(`e2e: no value for ${m}`);
    return values[name];
  });
}

/** The token Secret's value, the git env and the run's folder: what the pods of a run would have. */
export interface RunEnvironment {
  /** The value of the token Secret the Task reads. */
  token: string;
  /** Extra env for every git process: e.g. the CA the e2e's GitHub double is served with. */
  gitEnv: Record<string, string>;
  dir: string;
}

export interface RunOptions extends RunEnvironment {
  /** The multi-document YAML `pulumi up` committed to cicd/tekton. */
  tektonFile: string;
  /** What the push webhook would carry. */
  repoUrl: string;
  revision: string;
}

/** What a run of the write-back needs to know: its params, its Pipeline and the Tasks it refers to. */
export interface PipelineRunObjects {
  params: Params;
  pipeline: Pipeline;
  tasks: Task[];
}

function objectsOf<T>(file: string, kind: string): T[] {
  return parseAllDocuments(file)
    .map((d) => d.toJS() as { kind?: string })
    .filter((o) => o.kind === kind) as T[];
}

/** The run a push would start, from the committed file: the TriggerTemplate's params filled in as Triggers does. */
export function runFromTektonFile(tektonFile: string, repoUrl: string, revision: string): PipelineRunObjects {
  const [template] = objectsOf<TriggerTemplate>(tektonFile, "TriggerTemplate");
  const [pipeline] = objectsOf<Pipeline>(tektonFile, "Pipeline");
  const run = template.spec.resourcetemplates[0];
  const ttParams: Params = { REPO_URL: repoUrl, REVISION: revision };
  const params: Params = {};
  for (const p of run.spec.params ?? []) params[p.name] = triggerTemplateParams(String(p.value), ttParams);
  return { params, pipeline, tasks: objectsOf<Task>(tektonFile, "Task") };
}

/** git as git-clone runs it, authenticated with the token (the basic-auth workspace's role here). */
function gitAs(token: string, env: Record<string, string>, cwd: string, ...args: string[]): Promise<string> {
  return gitAsync(cwd, ...args, { ...env, ...gitTokenEnv(GIT_TOKEN_USERNAME, token) });
}

/** Runs fetch-repository, fetch-ops-repository (as git-clone leaves them) and update-image-revision. */
export function runWriteBack(o: RunOptions): Promise<ProcessResult> {
  return runPipelineWriteBack(runFromTektonFile(o.tektonFile, o.repoUrl, o.revision), o);
}

/** The same, for a run's objects as the API server holds them (a PipelineRun's params, its Pipeline and Task). */
export async function runPipelineWriteBack(run: PipelineRunObjects, o: RunEnvironment): Promise<ProcessResult> {
  const { pipeline, params: pipelineParams } = run;
  // Every pipeline workspace is a folder of this run; a PipelineTask sees it at its subPath.
  const workspaceDir = (pipelineTask: Pipeline["spec"]["tasks"][number], taskWorkspace: string): string => {
    const binding = pipelineTask.workspaces?.find((w) => w.name === taskWorkspace);
    if (!binding) throw new Error(`e2e: ${pipelineTask.name} binds no workspace ${taskWorkspace}`);
    const dir = path.join(o.dir, "workspaces", binding.workspace, binding.subPath ?? "");
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  const paramsOf = (pipelineTask: Pipeline["spec"]["tasks"][number]): Params =>
    Object.fromEntries((pipelineTask.params ?? []).map((p) => [p.name, substitute(String(p.value), pipelineParams, {})]));

  for (const name of ["fetch-repository", "fetch-ops-repository"]) {
    const clone = pipeline.spec.tasks.find((t) => t.name === name);
    if (!clone) throw new Error(`e2e: the Pipeline has no ${name} task`);
    const p = paramsOf(clone);
    const dir = path.join(workspaceDir(clone, "output"), p.subdirectory ?? "");
    fs.mkdirSync(dir, { recursive: true });
    await gitAs(o.token, o.gitEnv, dir, "init", "-q");
    await gitAs(o.token, o.gitEnv, dir, "remote", "add", "origin", p.url);
    await gitAs(o.token, o.gitEnv, dir, "fetch", "-q", "--depth=1", "origin", "--update-head-ok", "--force", p.revision);
    await gitAs(o.token, o.gitEnv, dir, "checkout", "-q", "-f", "FETCH_HEAD");
  }

  const update = pipeline.spec.tasks.find((t) => t.name === "update-image-revision");
  if (!update || !update.taskRef || !("name" in update.taskRef)) throw new Error("e2e: the Pipeline has no update-image-revision task by name");
  const taskName = (update.taskRef as { name: string }).name;
  const task = run.tasks.find((t) => t.metadata.name === taskName);
  if (!task) throw new Error(`e2e: no Task ${taskName} among the run's Tasks`);
  const taskParams: Params = {};
  for (const p of task.spec.params ?? []) if (p.default !== undefined) taskParams[p.name] = String(p.default);
  Object.assign(taskParams, paramsOf(update));
  const workspaces: Params = {};
  for (const w of task.spec.workspaces ?? []) workspaces[w.name] = workspaceDir(update, w.name);
  const fill = (text: string): string => substitute(text, taskParams, workspaces);

  const [step] = task.spec.steps;
  // The step image's tools: busybox's sh and applets, and git; no GNU tool the Alpine image lacks.
  const stepEnv: NodeJS.ProcessEnv = { PATH: busyboxPath(), HOME: o.dir, ...o.gitEnv, GIT_CONFIG_NOSYSTEM: "1" };
  for (const e of step.env ?? []) stepEnv[e.name] = e.valueFrom ? o.token : fill(e.value ?? "");
  const script = path.join(o.dir, "update-image-revision.sh");
  fs.writeFileSync(script, fill(step.script ?? ""));
  return runProcess("sh", [script], { cwd: fill(step.workingDir ?? o.dir), env: stepEnv });
}
