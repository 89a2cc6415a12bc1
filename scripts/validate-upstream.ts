// npm run validate:upstream [-- --feature-flags FILE]: judges every rendered object with the code that
// judges it in a cluster (tools/upstream-validate), replays GitHub pushes through Triggers' own code, and
// checks that planted mistakes are refused with upstream's words.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { optionsOrExit, runAsProgram } from "./cli";
import { Binary, ensureBinary } from "./upstream-validate/binary";
import { PLANTED_MISTAKES, plantInto } from "./upstream-validate/planted";
import { pushCases } from "./upstream-validate/pushes";
import { CROWDED_STACK, crowdedProject, projectStacks, RenderedStack, renderForValidation } from "./upstream-validate/stacks";

const USAGE = `usage: npm run validate:upstream -- [--feature-flags FILE] [--project <dir with Pulumi.yaml>]

Renders every stack of the project (Pulumi.<stack>.yaml) and a stack of several apps in one namespace
with the longest accepted app name, and judges every object with Tekton's, Triggers' and kpack's own
webhook code, the Tekton PipelineRun controller's checks, and GitHub pushes replayed through Triggers'
interceptors, binding and template. --feature-flags: a cluster's Tekton feature-flags ConfigMap (YAML) to
judge with instead of the release's own with set-security-context "true" (which the project requires). Ends with "upstream-validate: N passed, M failed".
`;

const SUMMARY = /^upstream-validate: (\d+) passed, (\d+) failed$/;

interface Outcome {
  status: number;
  lines: string[];
  passed: number;
  failed: number;
}

function runValidator(binary: Binary, cwd: string, files: string[], extra: string[]): Outcome {
  const args = ["--pipeline-config", binary.pipelineConfig, "--triggers-config", binary.triggersConfig, ...extra, ...files];
  const r = spawnSync(binary.path, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`could not run ${binary.path}: ${r.error.message}`);
  const lines = r.stdout.split("\n").filter(Boolean);
  const summary = SUMMARY.exec(lines[lines.length - 1] ?? "");
  if (!summary || (r.status !== 0 && r.status !== 1)) {
    throw new Error(`${binary.path} ended with status ${r.status} and no summary:\n${r.stdout}${r.stderr}`);
  }
  return { status: r.status ?? 1, lines: lines.slice(0, -1), passed: Number(summary[1]), failed: Number(summary[2]) };
}

function pushesFile(stack: RenderedStack, root: string): string {
  const file = path.join(root, `${stack.stack}.pushes.json`);
  fs.writeFileSync(file, JSON.stringify(stack.settings.apps.flatMap((app) => pushCases(stack.settings, app)), null, 2));
  return file;
}

/**
 * Each planted mistake, in a copy of the first app's files of `stack`, must make the validator fail with
 * upstream's words; its pushes are replayed too, for the mistakes only the trigger path shows.
 */
function checkPlanted(binary: Binary, stack: RenderedStack, root: string, say: (line: string) => void, extra: string[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  const [app] = stack.settings.apps;
  const pushes = path.join(root, "planted.pushes.json");
  fs.writeFileSync(pushes, JSON.stringify(pushCases(stack.settings, app)));
  PLANTED_MISTAKES.forEach((mistake, i) => {
    const { tekton, kpack } = stack.appFiles[0];
    const planted = (f: string) => path.relative(root, plantInto(path.join(root, f), mistake, path.join(root, "planted", String(i), f)));
    const files = mistake.file === "tekton" ? [planted(tekton), kpack] : [tekton, planted(kpack)];
    const outcome = runValidator(binary, root, files, [...extra, "--pushes", pushes]);
    const refusal = outcome.lines.find((l) => l.startsWith("FAIL ") && l.includes(mistake.refusedWith));
    if (outcome.status === 1 && refusal) {
      passed++;
      say(`ok   planted mistake refused: ${mistake.name}: ${refusal.slice(5)}`);
    } else {
      failed++;
      const fails = outcome.lines.filter((l) => l.startsWith("FAIL "));
      say(
        `FAIL planted mistake: ${mistake.name}: expected a refusal containing ${JSON.stringify(mistake.refusedWith)}; ` +
          (fails.length ? `upstream said instead:\n  ${fails.join("\n  ")}` : "upstream accepted it"),
      );
    }
  });
  return { passed, failed };
}

/**
 * The release's feature flags as the project requires them (README, Cluster prerequisites): Tekton's
 * set-security-context "true", so its own init containers pass `restricted` too.
 */
export function projectFeatureFlags(binary: Binary, root: string): string {
  const file = path.join(root, "feature-flags-set-security-context.yaml");
  const release = fs.readFileSync(path.join(binary.pipelineConfig, "config-feature-flags.yaml"), "utf8");
  const flag = /^(\s*)set-security-context: "false"$/m;
  if (!flag.test(release)) throw new Error(`the release's config-feature-flags.yaml has no set-security-context: "false" line to turn on`);
  fs.writeFileSync(file, release.replace(flag, '$1set-security-context: "true"'));
  return file;
}

/**
 * With the release's own flags (set-security-context "false"), Tekton's init containers carry no
 * securityContext and Pod Security refuses the pods: proof that the flag the README asks for matters.
 */
function checkFlagNeeded(binary: Binary, stack: RenderedStack, root: string, say: (line: string) => void): { passed: number; failed: number } {
  const outcome = runValidator(binary, root, [stack.appFiles[0].tekton], []);
  const expected = 'allowPrivilegeEscalation != false (containers "prepare", "place-scripts" must set securityContext.allowPrivilegeEscalation=false)';
  const refusal = outcome.lines.find((l) => l.startsWith("FAIL ") && l.includes(expected));
  if (outcome.status === 1 && refusal) {
    say(`ok   without set-security-context, Pod Security refuses Tekton's own init containers: ${refusal.slice(5)}`);
    return { passed: 1, failed: 0 };
  }
  say(`FAIL without set-security-context: expected a refusal containing ${JSON.stringify(expected)}; got:\n  ${outcome.lines.join("\n  ")}`);
  return { passed: 0, failed: 1 };
}

export function main(args: string[]): number {
  const options = optionsOrExit("validate:upstream", USAGE, args, ["feature-flags", "project"], []);
  if (typeof options === "number") return options;
  const projectDir = path.resolve(options.project ?? path.join(__dirname, ".."));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "upstream-validate-"));
  try {
    const started = Date.now();
    const binary = ensureBinary(say);
    if (binary.built) say(`upstream-validate: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const flags = options["feature-flags"] ? path.resolve(options["feature-flags"]) : projectFeatureFlags(binary, root);
    const extra = ["--feature-flags", flags];

    const stacks = projectStacks(projectDir).map((stack) => renderForValidation(projectDir, stack, root));
    stacks.push(renderForValidation(crowdedProject(projectDir, path.join(root, "crowded-project")), CROWDED_STACK, root));
    let passed = 0;
    let failed = 0;
    for (const stack of stacks) {
      const outcome = runValidator(binary, root, stack.files, [...extra, "--pushes", pushesFile(stack, root)]);
      for (const line of outcome.lines) say(line);
      passed += outcome.passed;
      failed += outcome.failed;
    }
    const planted = checkPlanted(binary, stacks[stacks.length - 1], root, say, extra);
    const flagNeeded = checkFlagNeeded(binary, stacks[stacks.length - 1], root, say);
    passed += planted.passed + flagNeeded.passed;
    failed += planted.failed + flagNeeded.failed;
    say(`upstream-validate: ${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`upstream-validate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) runAsProgram(main);
