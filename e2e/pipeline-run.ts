// What a PipelineRun of the build pipeline does up to the write-back, done the way Tekton would do it
// for the objects that `pulumi up` committed: the app's clone that git-clone leaves (depth 1, detached)
// in the workspace and sub-path the Pipeline names, then the update-image-revision step's own script,
// run for real with busybox's sh and applets and git (the Alpine step image's tools), its params and
// any workspace paths substituted as Tekton does.
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

/** The token Secret's values, the git env and the run's folder: what the pods of a run would have. */
export interface RunEnvironment {
  /** The token git-clone's basic-auth files hold: the read-only one (or the one token for all). */
  token: string;
  /** The write-back's Secret by key; without it every key of it holds `token`. */
  secrets?: Record<string, string>;
  /** Extra env for every git process: e.g. the CA the e2e's GitHub double is served with. */
  gitEnv: Record<string, string>;
  dir: string;
  /** The step's tools: busybox's (the Alpine step image's), or this machine's GNU ones. @default "busybox" */
  tools?: "busybox" | "gnu";
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

/** Runs fetch-repository (as git-clone leaves it) and update-image-revision. */
export function runWriteBack(o: RunOptions): Promise<ProcessResult> {
  return runPipelineWriteBack(runFromTektonFile(o.tektonFile, o.repoUrl, o.revision), o);
}

type PipelineTask = Pipeline["spec"]["tasks"][number];

/** Every pipeline workspace is a folder of this run; a PipelineTask sees it at its subPath. */
function workspaceDir(o: RunEnvironment, pipelineTask: PipelineTask, taskWorkspace: string): string {
  const binding = pipelineTask.workspaces?.find((w) => w.name === taskWorkspace);
  if (!binding) throw new Error(`e2e: ${pipelineTask.name} binds no workspace ${taskWorkspace}`);
  const dir = path.join(o.dir, "workspaces", binding.workspace, binding.subPath ?? "");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function paramsOf(run: PipelineRunObjects, pipelineTask: PipelineTask): Params {
  return Object.fromEntries((pipelineTask.params ?? []).map((p) => [p.name, substitute(String(p.value), run.params, {})]));
}

/** The Pipeline's clones, as git-clone leaves them in their workspace: the app's, where lint and test run. */
export async function runClones(run: PipelineRunObjects, o: RunEnvironment): Promise<string[]> {
  const cloneTasks = new Set(run.tasks.filter((task) => task.spec.steps.some((s) => s.name === "clone")).map((task) => task.metadata.name));
  const clones = run.pipeline.spec.tasks.filter((t) => cloneTasks.has(t.taskRef.name));
  if (clones.length === 0) throw new Error("e2e: the Pipeline has no clone task");
  const dirs: string[] = [];
  for (const clone of clones) {
    const p = paramsOf(run, clone);
    const dir = path.join(workspaceDir(o, clone, "output"), p.subdirectory ?? "");
    fs.mkdirSync(dir, { recursive: true });
    await gitAs(o.token, o.gitEnv, dir, "init", "-q");
    await gitAs(o.token, o.gitEnv, dir, "remote", "add", "origin", p.url);
    await gitAs(o.token, o.gitEnv, dir, "fetch", "-q", "--depth=1", "origin", "--update-head-ok", "--force", p.revision);
    await gitAs(o.token, o.gitEnv, dir, "checkout", "-q", "-f", "FETCH_HEAD");
    dirs.push(dir);
  }
  return dirs;
}

/** The same, for a run's objects as the API server holds them (a PipelineRun's params, its Pipeline and Task). */
export async function runPipelineWriteBack(run: PipelineRunObjects, o: RunEnvironment): Promise<ProcessResult> {
  await runClones(run, o);
  return runWriteBackStep(run, o);
}

/**
 * The update-image-revision step alone, as Tekton runs it after the clones, lint and test: with every
 * workspace its Task declares bound where the Pipeline binds it (what the run's other Tasks wrote is
 * there), its params and env substituted, its Secret's keys as env, in a working folder of its own.
 */
export async function runWriteBackStep(run: PipelineRunObjects, o: RunEnvironment): Promise<ProcessResult> {
  const update = run.pipeline.spec.tasks.find((t) => t.name === "update-image-revision");
  if (!update || !("name" in update.taskRef)) throw new Error("e2e: the Pipeline has no update-image-revision task by name");
  const taskName = update.taskRef.name;
  const task = run.tasks.find((t) => t.metadata.name === taskName);
  if (!task) throw new Error(`e2e: no Task ${taskName} among the run's Tasks`);
  const taskParams: Params = {};
  for (const p of task.spec.params ?? []) if (p.default !== undefined) taskParams[p.name] = String(p.default);
  Object.assign(taskParams, paramsOf(run, update));
  const workspaces: Params = {};
  for (const w of task.spec.workspaces ?? []) workspaces[w.name] = workspaceDir(o, update, w.name);
  const fill = (text: string): string => substitute(text, taskParams, workspaces);

  const [step] = task.spec.steps;
  // Tekton's own working folder of the step's pod (/workspace), shared with no other TaskRun.
  const own = path.join(o.dir, "update-image-revision");
  fs.mkdirSync(path.join(own, "tmp"), { recursive: true });
  const tools = (o.tools ?? "busybox") === "busybox" ? busyboxPath() : (process.env.PATH ?? "");
  const stepEnv: NodeJS.ProcessEnv = { PATH: tools, HOME: own, TMPDIR: path.join(own, "tmp"), ...o.gitEnv };
  for (const e of step.env ?? []) {
    const key = e.valueFrom ? fill(e.valueFrom.secretKeyRef.key) : undefined;
    stepEnv[e.name] = key === undefined ? fill(e.value ?? "") : (o.secrets ? (o.secrets[key] ?? "") : o.token);
  }
  const script = path.join(own, "update-image-revision.sh");
  fs.writeFileSync(script, fill(step.script ?? ""));
  return runProcess("sh", [script], { cwd: fill(step.workingDir ?? own), env: stepEnv });
}
