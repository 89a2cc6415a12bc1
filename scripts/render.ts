// npm run render -- --stack <name> [--out <dir>]: writes what `pulumi up` would send, offline.
import * as fs from "fs";
import * as path from "path";
import { argValue } from "./args";
import { ConfigError } from "../components/config/errors";
import { parseSettings } from "../components/config/parse";
import { plaintextSecretProblem, readStackFile, retypedValueWarning } from "../components/config/stack-file";
import { planStack } from "../components/plan/stack";
import { renderPlan, RENDER_SECRETS } from "../components/synth/render";

export interface RenderOptions {
  projectDir: string;
  stack: string;
  out: string;
}

export interface RenderResult {
  /** Every rendered file, relative to `out`, sorted. */
  files: string[];
  /** How many files were new or changed and written; the rest were already as rendered. */
  written: number;
  /** Files an earlier render left that this one no longer has, removed. */
  removed: string[];
  warnings: string[];
}

/** The folders render owns under `out`; anything else there is left alone. */
const RENDER_FOLDERS = ["cluster", "repos", "github"];

/** Every file below `dir`, as paths relative to it, sorted; none when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Renders one stack into `out`, replacing what an earlier render left there: a file whose content is
 * unchanged is not rewritten (its mtime stays, and a re-render of a large stack writes only what moved),
 * a file the stack no longer renders is removed, and so is a folder that removal leaves empty.
 */
export function renderStack(o: RenderOptions): RenderResult {
  const out = path.resolve(o.out);
  const stackFile = readStackFile(o.projectDir, o.stack);
  const rendered = renderPlan(planStack(parseSettings(stackFile.raw, stackFile.problems), RENDER_SECRETS));
  const earlier = new Set(RENDER_FOLDERS.flatMap((folder) => filesUnder(path.join(out, folder)).map((f) => path.join(folder, f))));

  const removed = [...earlier].filter((rel) => !rendered.has(rel));
  const keep = new Set(RENDER_FOLDERS.map((folder) => path.join(out, folder)));
  for (const rel of removed) {
    fs.rmSync(path.join(out, rel));
    // Up to, never past, the render folder it sits in.
    for (let dir = path.dirname(path.join(out, rel)); !keep.has(dir) && fs.readdirSync(dir).length === 0; dir = path.dirname(dir)) fs.rmdirSync(dir);
  }

  let written = 0;
  const made = new Set<string>();
  for (const [rel, content] of rendered) {
    const target = path.join(out, rel);
    if (earlier.has(rel) && fs.readFileSync(target, "utf8") === content) continue;
    const dir = path.dirname(target);
    if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
    fs.writeFileSync(target, content);
    written++;
  }
  return { files: [...rendered.keys()].sort(), written, removed, warnings: [
      ...stackFile.plaintextSecrets.map((key) => plaintextSecretProblem(o.stack, key)),
      ...stackFile.retyped.map((r) => retypedValueWarning(o.stack, r)),
    ],
  };
}

function main(args: string[]): number {
  const stack = argValue(args, "--stack");
  if (!stack) {
    process.stderr.write("usage: npm run render -- --stack <name> [--out <dir>] [--project <dir with Pulumi.yaml>]\n");
    return 2;
  }
  const projectDir = path.resolve(argValue(args, "--project") ?? path.join(__dirname, ".."));
  const out = path.resolve(argValue(args, "--out") ?? path.join(projectDir, "out", stack));
  try {
    const { files, written, removed, warnings } = renderStack({ projectDir, stack, out });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const unchanged = files.length - written;
    process.stdout.write(`rendered ${files.length} files of stack ${stack} into ${out} (${written} written, ${unchanged} unchanged, ${removed.length} removed)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`render failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
