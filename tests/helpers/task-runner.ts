// Runs a rendered Task's steps on this machine as Tekton would run them in a pod: each step's env is
// its stepTemplate's merged with its own (the step's winning, by name), `$(params.*)` and
// `$(workspaces.*.path|bound)` substituted in env, workingDir and script; each volume the steps mount
// is a folder of the run's own, its mount path standing for that folder wherever env names it; a
// script starting with `#!` runs with that interpreter, any other with sh (Tekton's default). The
// tools are this machine's: `PATH` says where they are.
import * as fs from "fs";
import * as path from "path";
import { Task } from "../../components/tekton/types";
import { ProcessResult, runProcess } from "../../e2e/processes";
import { substitute } from "./git-world";

export interface TaskRunOptions {
  /** The values the pipeline task passes; the Task's defaults fill the rest. */
  params?: Record<string, string>;
  /** Each bound workspace's folder, by the Task's workspace name. */
  workspaces?: Record<string, string>;
  /** The folder the run's own volumes and scripts go into. */
  dir: string;
  /** The steps' PATH: where the tools the Task's images hold are on this machine. */
  path: string;
  /** More env for every step, e.g. a CA for a loopback server. */
  env?: Record<string, string>;
}

export interface TaskRunResult extends ProcessResult {
  /** The step that ended the run: the first to fail, or the last. */
  step: string;
}

/** The interpreter of a script: its `#!` line's, or sh. */
function interpreter(script: string): string[] {
  const shebang = /^#!\s*(\S+)(?:[ \t]+(\S.*))?$/m.exec(script.split("\n")[0]);
  return shebang ? [shebang[1], ...(shebang[2] ? [shebang[2]] : [])] : ["sh"];
}

export async function runTask(task: Task, o: TaskRunOptions): Promise<TaskRunResult> {
  const params: Record<string, string> = {};
  for (const p of task.spec.params ?? []) if (p.default !== undefined) params[p.name] = p.default;
  Object.assign(params, o.params ?? {});
  for (const p of task.spec.params ?? []) if (!(p.name in params)) throw new Error(`task-runner: ${task.metadata.name} needs param ${p.name}`);
  const workspaces = o.workspaces ?? {};
  for (const w of task.spec.workspaces ?? []) if (!w.optional && !(w.name in workspaces)) throw new Error(`task-runner: ${task.metadata.name} needs workspace ${w.name}`);
  // An optional workspace left unbound: its path reads empty and `bound` false (Tekton pkg/workspace).
  const unbound = (task.spec.workspaces ?? []).filter((w) => w.optional && !(w.name in workspaces)).map((w) => w.name);
  const fill = (text: string) => substitute(unbound.reduce((t, name) => t.split(`$(workspaces.${name}.path)`).join(""), text), params, workspaces);

  // Each volume the template mounts: a folder of this run, standing for its mount path.
  const mounts = (task.spec.stepTemplate.volumeMounts ?? []).map((m) => {
    const dir = path.join(o.dir, "volumes", m.name);
    fs.mkdirSync(dir, { recursive: true });
    return { from: m.mountPath, to: dir };
  });
  const onHost = (value: string) => mounts.reduce((v, m) => v.split(m.from).join(m.to), value);

  let last: TaskRunResult | undefined;
  for (const [i, step] of task.spec.steps.entries()) {
    const merged = new Map<string, string>();
    for (const e of [...(task.spec.stepTemplate.env ?? []), ...(step.env ?? [])]) {
      if (e.valueFrom) throw new Error(`task-runner: ${task.metadata.name} step ${step.name} reads a Secret (${e.name}); not run here`);
      merged.set(e.name, onHost(fill(e.value ?? "")));
    }
    const env: NodeJS.ProcessEnv = { PATH: o.path, LANG: "C.UTF-8", ...Object.fromEntries(merged), ...(o.env ?? {}) };
    const script = fill(step.script);
    const file = path.join(o.dir, `step-${i}-${step.name}`);
    fs.writeFileSync(file, script, { mode: 0o700 });
    const [command, ...args] = interpreter(script);
    const cwd = step.workingDir ? onHost(fill(step.workingDir)) : path.join(o.dir, "workspace");
    fs.mkdirSync(cwd, { recursive: true });
    last = { ...(await runProcess(command, [...args, file], { cwd, env })), step: step.name };
    if (last.code !== 0) return last;
  }
  if (!last) throw new Error(`task-runner: ${task.metadata.name} has no steps`);
  return last;
}
