// npm run render -- --stack <name> [--out <dir>]: writes what `pulumi up` would send, offline.
import * as fs from "fs";
import * as path from "path";
import { optionsOrExit, runAsProgram } from "./cli";
import { parseSettings, settingsWarnings } from "../components/config/parse";
import { plaintextSecretProblem, readStackFile, retypedValueWarning, stackNameProblem } from "../components/config/stack-file";
import { planStack } from "../components/plan/stack";
import { renderPlan, renderSecrets } from "../components/synth/render";

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

/** The folders render writes under `out`. */
const RENDER_FOLDERS = ["cluster", "repos", "github"];

/** The record, in `out`, of the files render wrote there: the only files a later render may remove. */
export const RENDER_RECORD = ".rendered-files.json";

/** Every file below `dir`, as paths relative to it, sorted; none when `dir` does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The files an earlier render recorded writing into `out`; none when it holds no record. */
function recordedFiles(out: string): Set<string> {
  const file = path.join(out, RENDER_RECORD);
  if (!fs.existsSync(file)) return new Set();
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as { files?: unknown };
  const files = Array.isArray(record.files) ? record.files.filter((f): f is string => typeof f === "string") : [];
  // Only paths inside the render folders: a hand-edited record cannot make render delete anything else.
  return new Set(files.filter((f) => RENDER_FOLDERS.includes(f.split("/")[0]) && !f.split("/").includes("..")));
}

/**
 * Renders one stack into `out`, replacing what an earlier render wrote there and nothing else: a file whose
 * content is unchanged is not rewritten (its mtime stays, and a re-render of a large stack writes only what
 * moved); a file an earlier render recorded and this one no longer has is removed, and so is a folder that
 * removal leaves empty. A file render did not write is never removed, and render refuses to overwrite one.
 */
export function renderStack(o: RenderOptions): RenderResult {
  const out = path.resolve(o.out);
  const stackFile = readStackFile(o.projectDir, o.stack);
  const settings = parseSettings(stackFile.raw, stackFile.problems);
  const rendered = renderPlan(planStack(settings, renderSecrets(settings)));
  const recorded = recordedFiles(out);
  const existing = (rel: string) => fs.existsSync(path.join(out, rel));

  const foreign = [...rendered].filter(([rel, content]) => !recorded.has(rel) && existing(rel) && fs.readFileSync(path.join(out, rel), "utf8") !== content);
  if (foreign.length > 0) {
    const more = foreign.length > 1 ? ` (and ${foreign.length - 1} more)` : "";
    throw new Error(
      `${path.join(out, foreign[0][0])}${more} exists and was not written by render, which would overwrite it; ` +
        `render into a folder of its own (--out), or remove the file if it is an old render's`,
    );
  }

  const removed = [...recorded].filter((rel) => !rendered.has(rel) && existing(rel));
  const keep = new Set([out, ...RENDER_FOLDERS.map((folder) => path.join(out, folder))]);
  for (const rel of removed) {
    fs.rmSync(path.join(out, rel));
    // Up to, never past, the render folder it sits in; a folder holding anything else stays.
    for (let dir = path.dirname(path.join(out, rel)); !keep.has(dir) && fs.readdirSync(dir).length === 0; dir = path.dirname(dir)) fs.rmdirSync(dir);
  }

  let written = 0;
  const made = new Set<string>();
  for (const [rel, content] of rendered) {
    const target = path.join(out, rel);
    if (existing(rel) && fs.readFileSync(target, "utf8") === content) continue;
    const dir = path.dirname(target);
    if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
    fs.writeFileSync(target, content);
    written++;
  }
  const record = { note: "Files npm run render wrote here; a later render removes only these.", files: [...rendered.keys()].sort() };
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, RENDER_RECORD), `${JSON.stringify(record, null, 2)}\n`);
  return {
    files: record.files,
    written,
    removed,
    warnings: [
      ...stackFile.plaintextSecrets.map((key) => plaintextSecretProblem(o.stack, key)),
      ...stackFile.retyped.map((r) => retypedValueWarning(o.stack, r)),
      ...settingsWarnings(settings),
    ],
  };
}

const USAGE = `usage: npm run render -- --stack <name> [--out <dir>] [--project <dir with Pulumi.yaml>]

Writes what pulumi up would send for the stack, offline: <dir>/cluster, <dir>/repos, <dir>/github
(default <dir>: out/<name> in the project). A later render into the same folder removes only files an
earlier render wrote there (recorded in <dir>/${RENDER_RECORD}).
`;

export function main(args: string[]): number {
  const options = optionsOrExit("render", USAGE, args, ["stack", "out", "project"], ["stack"]);
  if (typeof options === "number") return options;
  const stack = options.stack!;
  const badName = stackNameProblem(stack);
  if (badName) {
    process.stderr.write(`render: ${badName}\n`);
    return 2;
  }
  const projectDir = path.resolve(options.project ?? path.join(__dirname, ".."));
  const out = path.resolve(options.out ?? path.join(projectDir, "out", stack));
  try {
    const { files, written, removed, warnings } = renderStack({ projectDir, stack, out });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const unchanged = files.length - written;
    process.stdout.write(`rendered ${files.length} files of stack ${stack} into ${out} (${written} written, ${unchanged} unchanged, ${removed.length} removed)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`render failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) runAsProgram(main);
