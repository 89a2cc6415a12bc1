import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("e2e: daemons end with the run", function () {
  this.timeout(30_000);

  it("ends a daemon that ignores SIGTERM when the run exits on an error", async () => {
    const dir = tempDir("daemons-");
    // A run that starts a daemon deaf to SIGTERM (as a server still shutting down is) and then fails.
    const run = [
      `const { startDaemon } = require(${JSON.stringify(path.join(ROOT, "e2e", "processes.ts"))});`,
      `const d = startDaemon("deaf", process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('pid ' + process.pid)"], ${JSON.stringify(dir)});`,
      "const fs = require('fs');",
      "const wait = () => { const m = /pid (\\d+)/.exec(fs.readFileSync(d.log, 'utf8')); if (!m) return setTimeout(wait, 50); console.log(m[1]); process.exit(1); };",
      "wait();",
    ].join("\n");
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", run], { cwd: ROOT, encoding: "utf8" });
    assert.strictEqual(r.status, 1, r.stderr);
    const pid = Number(r.stdout.trim());
    assert.ok(pid > 0, `the daemon's pid: ${r.stdout}`);
    const deadline = Date.now() + 5_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    const survived = alive(pid);
    if (survived) process.kill(pid, "SIGKILL");
    assert.ok(!survived, "the daemon outlived the run");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
