// One step of one of the project's own Tasks, run as Tekton would run it: its params (the Task's
// defaults, then the pipeline task's), its env substituted, its Secret's keys as env, a results folder,
// in a folder of its own with no workspace, its tools a PATH of busybox applets and the named binaries
// (the step image's: curl in curlimages/curl, kubectl in alpine/k8s). Shared by the tests and the e2e.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Task } from "../components/tekton/types";
import { busyboxPath, StepResult, substitute } from "../tests/helpers/git-world";
import { runProcess } from "./processes";

export interface TaskStepOptions {
  /** The pipeline task's params, over the Task's defaults. */
  params: Record<string, string>;
  /** The values of the Secret keys the step's env reads, by key. */
  secrets?: Record<string, string>;
  /** Tekton's context variables the step uses, e.g. { "pipelineRun.name": "app-build-abcde" }. */
  context?: Record<string, string>;
  /** Binaries of this machine the step image has besides busybox's applets. */
  binaries: string[];
  /** The step's own folder. */
  dir: string;
  /** Env beside the step's own: e.g. a CA bundle for a loopback TLS server. */
  env?: Record<string, string>;
}

/** busybox's applets, git, and the named binaries of this machine, each alone in a folder of symlinks. */
export function stepToolsPath(binaries: string[], dir: string): string {
  const own = path.join(dir, "bin");
  fs.mkdirSync(own, { recursive: true });
  for (const name of binaries) {
    const found = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    fs.symlinkSync(found, path.join(own, name));
  }
  return `${busyboxPath()}:${own}`;
}

export async function runTaskStep(task: Task, o: TaskStepOptions): Promise<StepResult> {
  const params: Record<string, string> = {};
  for (const p of task.spec.params ?? []) if (p.default !== undefined) params[p.name] = p.default;
  Object.assign(params, o.params);
  fs.mkdirSync(path.join(o.dir, "tmp"), { recursive: true });
  fs.mkdirSync(path.join(o.dir, "results"), { recursive: true });
  const results = Object.fromEntries((task.spec.results ?? []).map((r) => [r.name, path.join(o.dir, "results", r.name)]));
  const context = (text: string) =>
    text.replace(/\$\(context\.([A-Za-z.]+)\)/g, (m, name: string) => {
      if (!(name in (o.context ?? {}))) throw new Error(`no value for ${m}`);
      return (o.context ?? {})[name];
    });
  const fill = (text: string) => substitute(context(text), params, {}, results);
  const [step] = task.spec.steps;
  const env: NodeJS.ProcessEnv = { PATH: stepToolsPath(o.binaries, o.dir), HOME: o.dir, LANG: "C", TMPDIR: path.join(o.dir, "tmp"), ...o.env };
  for (const e of step.env ?? []) env[e.name] = e.valueFrom ? (o.secrets ?? {})[fill(e.valueFrom.secretKeyRef.key)] : fill(e.value ?? "");
  const script = path.join(o.dir, `${step.name}.sh`);
  fs.writeFileSync(script, fill(step.script));
  const r = await runProcess("sh", [script], { cwd: o.dir, env });
  const read = (file: string) => (fs.existsSync(file) ? [fs.readFileSync(file, "utf8")] : []);
  return { ...r, results: Object.fromEntries(Object.entries(results).flatMap(([name, file]) => read(file).map((v) => [name, v]))) };
}
