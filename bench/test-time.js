// npm run bench:test [-- <runs> [<script>]]: wall and CPU time of `npm test` (or another npm script, e.g.
// test:slow), run <runs> times (default 3) one after another; prints each run and the spread. On a shared
// machine the CPU time (user + sys, children included) moves less than the wall time.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");

const runs = Number(process.argv[2] ?? 3);
const script = process.argv[3] ?? "test";
const root = path.resolve(__dirname, "..");
const rows = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync("bash", ["-c", `TIMEFORMAT="%R %U %S"; time (npm run --silent ${script} >/dev/null 2>&1; echo "status $?" >&2)`], { cwd: root, encoding: "utf8" });
  const lines = r.stderr.trim().split("\n");
  const [wall, user, sys] = lines.at(-1).split(" ").map(Number);
  const status = Number(/status (\d+)/.exec(r.stderr)?.[1]);
  rows.push({ wall, cpu: user + sys, status });
  process.stdout.write(`run ${i + 1}: ${wall.toFixed(1)} s wall, ${(user + sys).toFixed(1)} s CPU, exit ${status}\n`);
}
const spread = (key) => {
  const v = rows.map((r) => r[key]).sort((a, b) => a - b);
  return `median ${v[Math.floor(v.length / 2)].toFixed(1)} s (${v[0].toFixed(1)}–${v[v.length - 1].toFixed(1)})`;
};
process.stdout.write(`npm run ${script}, ${runs} runs: wall ${spread("wall")}; CPU ${spread("cpu")}\n`);
process.exitCode = rows.every((r) => r.status === 0) ? 0 : 1;
