import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { presetScript } from "../../components/tekton/presets";
import { NODE_SAMPLE_APP } from "../../e2e/world";

/** The node preset's step script, run with this machine's node and npm in a checkout of `files`. */
function runPreset(step: "lint" | "test", files: Record<string, string>): { code: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-sample-"));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "node-sample-home-"));
  const r = spawnSync("sh", ["-c", presetScript("node", step)], { cwd: dir, env: { PATH: process.env.PATH, HOME: home, npm_config_cache: path.join(home, ".npm") }, encoding: "utf8" });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("e2e: the GitHub double's Node.js sample app (slow: npm)", () => {
  it("passes the node preset's lint and test: npm ci with its lockfile, npm run lint, npm test", () => {
    const lint = runPreset("lint", NODE_SAMPLE_APP("loop-node-app"));
    assert.strictEqual(lint.code, 0, lint.output);
    assert.match(lint.output, /node --check index\.js/);
    const test = runPreset("test", NODE_SAMPLE_APP("loop-node-app"));
    assert.strictEqual(test.code, 0, test.output);
    assert.match(test.output, /# pass 1\n/);
  });

  it("fails the preset's test when its code breaks, so a pass means something", () => {
    const broken = { ...NODE_SAMPLE_APP("loop-node-app"), "index.js": "exports.greet = (name) => `bye, ${name}`;\n" };
    const test = runPreset("test", broken);
    assert.notStrictEqual(test.code, 0, test.output);
    assert.match(test.output, /# fail 1\n/);
  });
});
