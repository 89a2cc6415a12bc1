// Runs a rendered Task's steps on this machine as Tekton would run them in a pod: each step's env is
// its stepTemplate's merged with its own (the step's winning, by name), `$(params.*)` and
// `$(workspaces.*.path|bound)` substituted in env, workingDir and script; each volume the steps mount
// is a folder of the run's own, its mount path standing for that folder wherever env names it; a
// script starting with `#!` runs with that interpreter, any other with sh and `set -e` (Tekton's
// preamble). The tools are this machine's: `PATH` says where they are (stepToolsPath: busybox's
// applets and the binaries a step image holds). Given `secrets`, a step's Secret keys are env;
// `results` are files of the run's own, read back once it ends; `context` gives `$(context.*)`.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Task } from "../../components/tekton/types";
import { ProcessResult, runProcess } from "../../e2e/processes";
import { busyboxPath, substitute } from "./git-world";

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
  /** The values of the Secret keys the steps' env reads, by key; without them a step that reads one is refused. */
  secrets?: Record<string, string>;
  /** Tekton's context variables the Task uses, e.g. { "pipelineRun.name": "app-build-x7k2p" }. */
  context?: Record<string, string>;
}

export interface TaskRunResult extends ProcessResult {
  /** The step that ended the run: the first to fail, or the last. */
  step: string;
  /** The results the steps wrote, by name; one not written is absent. */
  results: Record<string, string>;
}

/** A PATH of busybox's applets, git, and the named binaries of this machine (a step image's tools besides busybox). */
export function stepToolsPath(binaries: string[], dir: string): string {
  const own = path.join(dir, "bin");
  fs.mkdirSync(own, { recursive: true });
  for (const name of binaries) {
    const found = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
    if (!fs.existsSync(path.join(own, name))) fs.symlinkSync(found, path.join(own, name));
  }
  return `${busyboxPath()}:${own}`;
}

/** The interpreter of a script's `#!` line, with its one argument if any. */
function interpreter(script: string): string[] {
  const shebang = /^#!\s*(\S+)(?:[ \t]+(\S.*))?$/.exec(script.split("\n")[0]);
  if (!shebang) throw new Error("task-runner: a script without #! (the preamble gives it one)");
  return [shebang[1], ...(shebang[2] ? [shebang[2]] : [])];
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
  // Tekton's /tekton/results: a file per result the Task declares.
  fs.mkdirSync(path.join(o.dir, "results"), { recursive: true });
  const results = Object.fromEntries((task.spec.results ?? []).map((r) => [r.name, path.join(o.dir, "results", r.name)]));
  const context = (text: string) =>
    text.replace(/\$\(context\.([A-Za-z.]+)\)/g, (m, name: string) => {
      if (!(name in (o.context ?? {}))) throw new Error(`task-runner: no value for ${m}`);
      return (o.context ?? {})[name];
    });
  const fill = (text: string) => substitute(context(unbound.reduce((t, name) => t.split(`$(workspaces.${name}.path)`).join(""), text)), params, workspaces, results);

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
      if (e.valueFrom && !o.secrets) throw new Error(`task-runner: ${task.metadata.name} step ${step.name} reads a Secret (${e.name}); not run here`);
      merged.set(e.name, e.valueFrom ? (o.secrets?.[fill(e.valueFrom.secretKeyRef.key)] ?? "") : onHost(fill(e.value ?? "")));
    }
    const env: NodeJS.ProcessEnv = { PATH: o.path, LANG: "C.UTF-8", ...Object.fromEntries(merged), ...(o.env ?? {}) };
    // A script without `#!` gets Tekton's preamble (pkg/pod/script.go, defaultScriptPreamble).
    const filled = fill(step.script);
    const script = filled.startsWith("#!") ? filled : `#!/bin/sh\nset -e\n${filled}`;
    const file = path.join(o.dir, `step-${i}-${step.name}`);
    fs.writeFileSync(file, script, { mode: 0o700 });
    const [command, ...args] = interpreter(script);
    const cwd = step.workingDir ? onHost(fill(step.workingDir)) : path.join(o.dir, "workspace");
    fs.mkdirSync(cwd, { recursive: true });
    last = { ...(await runProcess(command, [...args, file], { cwd, env })), step: step.name, results: {} };
    // A step with onError: continue fails without ending the TaskRun (Tekton records its exit code).
    if (last.code !== 0 && step.onError !== "continue") break;
  }
  if (!last) throw new Error(`task-runner: ${task.metadata.name} has no steps`);
  const written = Object.entries(results).flatMap(([name, file]) => (fs.existsSync(file) ? [[name, fs.readFileSync(file, "utf8")]] : []));
  return { ...last, results: Object.fromEntries(written) };
}
