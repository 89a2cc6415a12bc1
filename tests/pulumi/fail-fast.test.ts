// An error a component raises, plain or once an Input resolves, fails a test written as the README writes
// one (Pulumi's mocks, the README's `valueOf`, which only resolves) with its message: before, the test
// waited for mocha's timeout and showed no message (pulumi/failures.ts says why). The message is the
// proof, not a duration: a timeout's message is mocha's own, and a busy machine stretches any clock.
import * as assert from "assert";
import * as path from "path";
import { runProcess } from "../../e2e/processes";

const ROOT = path.join(__dirname, "..", "..");
const README_STYLE = path.join(__dirname, "fail-fast", "readme-style.ts");

interface MochaJson {
  tests: { title: string; err: { message?: string } }[];
}

describe("pulumi: errors fail a README-style test with their message, not a timeout", function () {
  this.timeout(60000);
  let report: MochaJson;

  before(async () => {
    // Its own mocha, as a user runs it: no helper of this repository's tests is loaded.
    const run = await runProcess(
      process.execPath,
      [require.resolve("mocha/bin/mocha.js"), "--no-config", "-r", "ts-node/register/transpile-only", "--extension", "ts", "--timeout", "10000", "--reporter", "json", README_STYLE],
      { cwd: ROOT },
    );
    report = JSON.parse(run.stdout) as MochaJson;
  });

  const failsWith = (title: string, message: RegExp) => {
    const test = report.tests.find((t) => t.title === title);
    assert.ok(test, `the test "${title}" ran`);
    assert.match(test.err.message ?? "(passed)", message);
  };

  it("two apps on one ops folder, the namespace from Namespace.metadata.name: the ComponentArgsError naming opsPath", () => {
    failsWith("two apps on one ops folder, the namespace from Namespace.metadata.name", /^DeliberateImageBuilds "payments": invalid args \(1 problem\):\n {2}- args\.opsPath: got "platform-ops@main:cicd"; DeliberateImageBuilds "orders" writes/);
  });

  it("plain mocks: the ops branch no token can read, unwrapped", () => {
    failsWith("plain mocks: the ops branch is not there", /^app orders: the ops repository example-org\/platform-ops has no branch "main" that the token can read/);
  });

  it("a too-short webhookSecret from an Output, without showing it", () => {
    failsWith("a webhookSecret from an Output, too short", /^DeliberateImageBuilds "orders": invalid args \(1 problem\):\n {2}- args\.webhookSecret: got a value too short \(not shown: it is secret\)/);
  });
});
