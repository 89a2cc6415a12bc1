// npm run diff -- --stack <name> --base <git-ref>: how the rendered manifests of a stack change between a
// git ref and the working tree, with no cloud credentials. Exit 0: no change, 1: changed, 2: error.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackNameProblem } from "../components/config/stack-file";
import { optionsOrExit, runAsProgram } from "./cli";
import { filesUnder, RENDER_RECORD } from "./render";

export interface ManifestDiffOptions {
  /** The folder holding Pulumi.yaml, inside a git work tree. */
  projectDir: string;
  stack: string;
  /** Any git revision: a branch, a tag, a SHA, `HEAD~1`, `origin/main`. */
  base: string;
}

export interface ManifestDiff {
  /** The commit `base` names. */
  baseCommit: string;
  /** A unified diff of every rendered file, paths as under the render folder (`a/repos/...`, `b/repos/...`). */
  text: string;
  added: string[];
  removed: string[];
  changed: string[];
}

/** A failure the user can act on; `main` prints its message and exits 2. */
export class DiffError extends Error {}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function git(args: string[], cwd: string, what: string): string {
  const r = run("git", args, cwd);
  const reason = (r.stderr || r.error?.message || "").trim();
  if (r.status !== 0) throw new DiffError(reason ? `${what}: ${reason}` : what);
  return r.stdout.trim();
}

/** Writes the project as it is at `commit` into `dir`; returns the project folder inside it. */
function exportCommit(projectDir: string, commit: string, dir: string): string {
  const prefix = git(["rev-parse", "--show-prefix"], projectDir, "finding the project in its repository");
  const archive = run("sh", ["-c", 'git archive --format=tar "$1" -- "$2" | tar -x -C "$3"', "sh", commit, prefix || ".", dir], projectDir);
  if (archive.status !== 0) throw new DiffError(`reading ${commit}: ${archive.stderr.trim()}`);
  const baseProject = path.join(dir, prefix);
  // The base renders with the working tree's packages: the lockfile at a base may not be installed here.
  fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(baseProject, "node_modules"), "dir");
  return baseProject;
}

/**
 * Renders `stack` of the project in `projectDir` into `out` with that project's own `npm run render`.
 * A stack without a stack file on this side renders nothing (its files show as added or removed): false.
 */
function render(projectDir: string, stack: string, out: string, label: string): boolean {
  fs.mkdirSync(out, { recursive: true });
  if (!fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) return false;
  // The side's own `render` script, run as npm would run it, without npm's start-up on every diff.
  const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.render;
  if (!script) throw new DiffError(`package.json at ${label} has no render script`);
  const r = run("sh", ["-c", `${script} "$@"`, "sh", "--stack", stack, "--out", out], projectDir, {
    ...process.env,
    PATH: `${path.join(projectDir, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
  });
  if (r.stderr) process.stderr.write(r.stderr.replace(/^(?=.)/gm, `${label}: `));
  if (r.status !== 0) throw new DiffError(`rendering stack ${stack} at ${label} failed (exit ${r.status ?? r.signal})`);
  // Render's record of what it wrote is bookkeeping, not a manifest.
  fs.rmSync(path.join(out, RENDER_RECORD), { force: true });
  return true;
}

/**
 * Rewrites the file headers of `git diff --no-index base head` so that paths read as under the render
 * folder (`a/repos/...`), quoted paths and paths with spaces included. Content lines stay as they are.
 */
export function relabel(gitDiff: string): string {
  const side = /(^|[ "])([ab])\/(?:base|head)\//g;
  let inHeader = false;
  return gitDiff
    .split("\n")
    .map((line) => {
      if (line.startsWith("diff --git ")) inHeader = true;
      else if (line.startsWith("@@")) inHeader = false;
      return inHeader ? line.replace(side, "$1$2/") : line;
    })
    .join("\n");
}

/** Which rendered files the head adds, removes or changes against the base, by reading both trees. */
export function compareTrees(baseDir: string, headDir: string): Pick<ManifestDiff, "added" | "removed" | "changed"> {
  const base = new Set(filesUnder(baseDir));
  const head = filesUnder(headDir);
  const headSet = new Set(head);
  return {
    added: head.filter((f) => !base.has(f)),
    removed: [...base].filter((f) => !headSet.has(f)),
    changed: head.filter((f) => base.has(f) && !fs.readFileSync(path.join(baseDir, f)).equals(fs.readFileSync(path.join(headDir, f)))),
  };
}

/** The unified diff of the rendered trees `base/` and `head/` under `work`, and what each file did. */
export function diffTrees(work: string): Omit<ManifestDiff, "baseCommit"> {
  const r = run(
    "git",
    ["-c", "core.quotePath=false", "diff", "--no-index", "--no-color", "--no-renames", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "base", "head"],
    work,
  );
  if (r.status !== 0 && r.status !== 1) throw new DiffError(`comparing the renders failed: ${r.stderr.trim()}`);
  return { text: relabel(r.stdout), ...compareTrees(path.join(work, "base"), path.join(work, "head")) };
}

/** Renders `stack` at `base` and in the working tree, and diffs every rendered file. */
export function manifestDiff(o: ManifestDiffOptions): ManifestDiff {
  const badName = stackNameProblem(o.stack);
  if (badName) throw new DiffError(badName);
  const projectDir = path.resolve(o.projectDir);
  git(["rev-parse", "--show-toplevel"], projectDir, `${projectDir} is not in a git work tree`);
  const baseCommit = git(["rev-parse", "--verify", "--quiet", `${o.base}^{commit}`], projectDir, `--base ${JSON.stringify(o.base)} names no commit in this repository (fetch it, e.g. git fetch origin <ref>)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "manifest-diff-"));
  try {
    const checkout = fs.mkdtempSync(path.join(work, "checkout-"));
    const atBase = render(exportCommit(projectDir, baseCommit, checkout), o.stack, path.join(work, "base"), `base ${o.base}`);
    const atHead = render(projectDir, o.stack, path.join(work, "head"), "working tree");
    if (!atBase && !atHead) throw new DiffError(`--stack ${o.stack}: Pulumi.${o.stack}.yaml exists neither at ${o.base} nor in the working tree`);
    return { baseCommit, ...diffTrees(work) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const USAGE = `usage: npm run diff -- --stack <name> --base <git-ref> [--project <dir with Pulumi.yaml>]

Renders the stack at <git-ref> and in the working tree and prints a unified diff of the rendered files.
Exit 0: no change, 1: changed, 2: an error.
`;

export function main(args: string[]): number {
  const options = optionsOrExit("diff", USAGE, args, ["stack", "base", "project"], ["stack", "base"]);
  if (typeof options === "number") return options;
  const { stack, base } = options as { stack: string; base: string };
  const projectDir = path.resolve(options.project ?? path.join(__dirname, ".."));
  try {
    const d = manifestDiff({ projectDir, stack, base });
    process.stdout.write(d.text);
    const counts = `${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed`;
    process.stderr.write(`stack ${stack}, ${base} (${d.baseCommit.slice(0, 12)}) → working tree: ${counts}\n`);
    return d.text ? 1 : 0;
  } catch (err) {
    process.stderr.write(`diff failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (require.main === module) runAsProgram(main);
