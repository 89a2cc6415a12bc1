// npm run bench: how much a pulumi run's start-up costs over loading the SDKs, and how it grows with
// apps. Medians of several runs of fresh processes; not part of npm test.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { manyApps, rawStack, stackProject, tempDir } from "../tests/helpers/fixtures";
import { benchSharedBranch, benchWriteBack } from "./write-back";
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

/**
 * Samples every measurement in turn, RUNS rounds, and takes each one's median. Round-robin rather than
 * one measurement's runs in a row: a shared machine's speed drifts over minutes, and a ratio of two
 * medians taken minutes apart measures the drift.
 */
function sampleInTurn<K extends string>(measurements: Record<K, () => Sample>): Record<K, Sample> {
  const keys = Object.keys(measurements) as K[];
  for (const k of keys) measurements[k](); // warm the file cache
  const samples = Object.fromEntries(keys.map((k) => [k, [] as Sample[]])) as Record<K, Sample[]>;
  for (let round = 0; round < RUNS; round++) for (const k of keys) samples[k].push(measurements[k]());
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, Sample>;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const say = (s: string) => process.stdout.write(s + "\n");

say(`node ${process.version}, ${os.cpus().length} cores, median of ${RUNS} rounds, every measurement once a round`);

// One project folder holds a stack file per app count, for evaluation and render alike.
const tmp = tempDir("bench-stacks-");
for (const n of [1, 10, 100]) stackProject(`n${n}`, rawStack({}, manyApps(n)), tmp);
const configOf = (n: number) => ({ BENCH_CONFIG: JSON.stringify(stackConfig(path.join(tmp, `Pulumi.n${n}.yaml`))) });
const evaluate = (env: NodeJS.ProcessEnv = {}) => () => timed([...nodeArgs, "bench/evaluate.js"], env);
// The SDK's own share: the very resources the program registered, with the same inputs as plain values,
// registered by the SDK alone (no config, no planning, no Outputs, no invokes).
const record = (n: number) => {
  const file = path.join(tmp, `resources-n${n}.json`);
  timed([...nodeArgs, "bench/evaluate.js"], { ...configOf(n), BENCH_RECORD: file });
  return { BENCH_REPLAY: file };
};
// Again into the same folder, as `npm run render` runs again in out/<stack> (unchanged files are not
// rewritten); and into an empty folder, where every file is written.
const render = (n: number, out: () => string) => () => timed([...nodeArgs, "scripts/render.ts", "--project", tmp, "--stack", `n${n}`, "--out", out()]);
const again = (n: number) => render(n, () => path.join(tmp, `out-n${n}`));
const fresh = (n: number) => render(n, () => tempDir("bench-render-"));

const m = sampleInTurn({
  floor: () => timed(["-e", "require('@pulumi/pulumi');require('@pulumi/kubernetes');require('@pulumi/github')"]),
  dev: evaluate(),
  eval1: evaluate(configOf(1)),
  eval10: evaluate(configOf(10)),
  eval100: evaluate(configOf(100)),
  replay1: evaluate(record(1)),
  replay100: evaluate(record(100)),
  again1: again(1),
  again10: again(10),
  again100: again(100),
  fresh1: fresh(1),
  fresh100: fresh(100),
});
const x = (a: Sample, b: Sample) => `${(a.ms / b.ms).toFixed(2)}x`;
say(`SDK floor (load @pulumi/pulumi, kubernetes, github): ${fmt(m.floor.ms)}`);
say(`evaluation, dev stack: ${fmt(m.dev.ms)} = ${x(m.dev, m.floor)} the floor (goal <= 1.3x)`);
for (const [n, s] of [[1, m.eval1], [10, m.eval10], [100, m.eval100]] as const) say(`evaluation, ${n} apps: ${fmt(s.ms)}, peak RSS ${s.maxRssMiB.toFixed(0)} MiB`);
say(`SDK alone, the same app's resources and inputs: ${fmt(m.replay1.ms)}; the program ${fmt(m.eval1.ms)} = ${x(m.eval1, m.replay1)}`);
say(`SDK alone, the same 100 apps' resources and inputs: ${fmt(m.replay100.ms)}; the program ${fmt(m.eval100.ms)} = ${x(m.eval100, m.replay100)} (goal <= 1.0x)`);
say(`render again, 1 / 10 / 100 apps: ${fmt(m.again1.ms)} / ${fmt(m.again10.ms)} / ${fmt(m.again100.ms)}`);
say(`render into an empty folder, 1 / 100 apps: ${fmt(m.fresh1.ms)} / ${fmt(m.fresh100.ms)}`);
say(`ratio evaluation 100/1 apps: ${x(m.eval100, m.eval1)} (the SDK alone: ${x(m.replay100, m.replay1)}; goal <= 1.5x)`);
say(`ratio render again 100/1 apps: ${x(m.again100, m.again1)} (goal <= 1.5x)`);
say(`ratio render into an empty folder 100/1 apps: ${x(m.fresh100, m.fresh1)} (goal <= 1.5x)`);
say(`ratio peak memory 100/1 apps: ${(m.eval100.maxRssMiB / m.eval1.maxRssMiB).toFixed(2)}x (goal <= 2x)`);

async function finish(): Promise<void> {
  for (const n of [4, 8, 16]) await benchWriteBack(n, say);
  await benchSharedBranch(20, 250, say);
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
