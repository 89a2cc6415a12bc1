// npm run bench: how much a pulumi run's start-up costs over loading the SDKs, and how it grows with
// apps. Medians of several runs of fresh processes; not part of npm test.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { manyApps, rawStack, stackProject, tempDir } from "../tests/helpers/fixtures";
import { benchWriteBack } from "./write-back";
const { stackConfig }: { stackConfig(file: string): Record<string, string> } = require("./stack-config");

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
// The loader `pulumi up` uses, as Pulumi.yaml tells it.
const nodeArgs: string[] = String(project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);

interface Sample {
  ms: number;
  maxRssMiB: number;
}

function timed(args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  const report = /\{"resources".*\}/.exec(r.stdout);
  return { ms, maxRssMiB: report ? JSON.parse(report[0]).maxRssMiB : NaN };
}

function median(samples: Sample[]): Sample {
  const pick = (k: keyof Sample) => [...samples.map((s) => s[k])].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  return { ms: pick("ms"), maxRssMiB: pick("maxRssMiB") };
}

function repeat(f: () => Sample): Sample {
  f(); // warm the file cache
  return median(Array.from({ length: RUNS }, f));
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const say = (s: string) => process.stdout.write(s + "\n");

say(`node ${process.version}, ${os.cpus().length} cores, median of ${RUNS} runs`);
const floor = repeat(() => timed(["-e", "require('@pulumi/pulumi');require('@pulumi/kubernetes');require('@pulumi/github')"]));
say(`SDK floor (load @pulumi/pulumi, kubernetes, github): ${fmt(floor.ms)}`);

// One project folder holds a stack file per app count, for evaluation and render alike.
const tmp = tempDir("bench-stacks-");
for (const n of [1, 10, 100]) stackProject(`n${n}`, rawStack({}, manyApps(n)), tmp);
const evaluate = (apps?: number) => {
  const env = apps ? { BENCH_CONFIG: JSON.stringify(stackConfig(path.join(tmp, `Pulumi.n${apps}.yaml`))) } : {};
  return repeat(() => timed([...nodeArgs, "bench/evaluate.js"], env));
};
const dev = evaluate();
say(`evaluation, dev stack: ${fmt(dev.ms)} = ${(dev.ms / floor.ms).toFixed(2)}x the floor (goal <= 1.3x)`);
const evals = new Map([1, 10, 100].map((n) => [n, evaluate(n)]));
for (const [n, s] of evals) say(`evaluation, ${n} apps: ${fmt(s.ms)}, peak RSS ${s.maxRssMiB.toFixed(0)} MiB`);

// Again into the same folder, as `npm run render` runs again in out/<stack> (unchanged files are not
// rewritten); and into an empty folder, where every file is written.
const render = (n: number, out: () => string) => repeat(() => timed([...nodeArgs, "scripts/render.ts", "--project", tmp, "--stack", `n${n}`, "--out", out()]));
const renders = new Map([1, 10, 100].map((n) => [n, render(n, () => path.join(tmp, `out-n${n}`))]));
const freshRenders = new Map([1, 100].map((n) => [n, render(n, () => tempDir("bench-render-"))]));
for (const [n, s] of renders) say(`render again, ${n} apps: ${fmt(s.ms)}`);
for (const [n, s] of freshRenders) say(`render into an empty folder, ${n} apps: ${fmt(s.ms)}`);

// The SDK's own share: the very resources the program registered, with the same inputs as plain values,
// registered by the SDK alone (no config, no planning, no Outputs, no invokes).
const replays = new Map(
  [1, 100].map((n) => {
    const record = path.join(tmp, `resources-n${n}.json`);
    timed([...nodeArgs, "bench/evaluate.js"], { BENCH_CONFIG: JSON.stringify(stackConfig(path.join(tmp, `Pulumi.n${n}.yaml`))), BENCH_RECORD: record });
    return [n, repeat(() => timed([...nodeArgs, "bench/evaluate.js"], { BENCH_REPLAY: record }))] as const;
  }),
);
for (const [n, s] of replays) {
  const program = evals.get(n)!;
  say(`SDK alone, the same ${n === 1 ? "app's" : `${n} apps'`} resources and inputs: ${fmt(s.ms)}; the program ${fmt(program.ms)} = ${(program.ms / s.ms).toFixed(2)}x (goal <= 1.0x)`);
}

const e1 = evals.get(1)!;
const e100 = evals.get(100)!;
say(`ratio evaluation 100/1 apps: ${(e100.ms / e1.ms).toFixed(2)}x (goal <= 1.5x)`);
say(`ratio render again 100/1 apps: ${(renders.get(100)!.ms / renders.get(1)!.ms).toFixed(2)}x (goal <= 1.5x)`);
say(`ratio render into an empty folder 100/1 apps: ${(freshRenders.get(100)!.ms / freshRenders.get(1)!.ms).toFixed(2)}x (goal <= 1.5x)`);
say(`ratio peak memory 100/1 apps: ${(e100.maxRssMiB / e1.maxRssMiB).toFixed(2)}x (goal <= 2x)`);

async function finish(): Promise<void> {
  for (const n of [4, 8, 16]) await benchWriteBack(n, say);
}

if (process.env.BENCH_SKIP_TESTS !== "1") {
  const started = Date.now();
  const t = spawnSync("npm", ["test", "--silent"], { cwd: ROOT, encoding: "utf8" });
  say(`npm test wall time: ${fmt(Date.now() - started)} (${t.status === 0 ? "passed" : "FAILED"}; goal <= 30 s)`);
}
finish().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
