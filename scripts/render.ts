// npm run render -- --stack <name> [--out <dir>]: writes what `pulumi up` would send, offline.
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config/errors";
import { parseSettings } from "../components/config/parse";
import { readStackFile } from "../components/config/stack-file";
import { planStack } from "../components/plan/stack";
import { renderPlan, RENDER_SECRETS } from "../components/synth/render";

export interface RenderOptions {
  projectDir: string;
  stack: string;
  out: string;
}

/** Renders one stack into `out`, replacing what an earlier render left there. Returns the files written. */
export function renderStack(o: RenderOptions): { files: string[]; warnings: string[] } {
  const stackFile = readStackFile(o.projectDir, o.stack);
  const files = renderPlan(planStack(parseSettings(stackFile.raw), RENDER_SECRETS));
  for (const dir of ["cluster", "repos", "github"]) fs.rmSync(path.join(o.out, dir), { recursive: true, force: true });
  for (const [rel, content] of files) {
    const target = path.join(o.out, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  const warnings = stackFile.plaintextSecrets.map(
    (key) => `Pulumi.${o.stack}.yaml holds ${stackFile.project}:${key} in plain text; encrypt it with: pulumi config set --secret ${key}`,
  );
  return { files: [...files.keys()].sort(), warnings };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
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
    const { files, warnings } = renderStack({ projectDir, stack, out });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`rendered ${files.length} files of stack ${stack} into ${out}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`render failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
