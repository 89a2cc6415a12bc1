// The two test commands. `npm test` runs the quick tests; `npm run test:slow` runs those that take
// seconds each because they do what a user does for real: pack and install the package, run git and
// busybox, start processes, validate against the large upstream schemas. CI runs both (.ci/run).
"use strict";
const fs = require("fs");
const path = require("path");

/** The slow test files, relative to the repository. */
const SLOW = [
  "tests/config/go-import-path.test.ts",
  "tests/config/project-files.test.ts",
  "tests/config/stack-file-yaml-v3.test.ts",
  "tests/config/toolchains.test.ts",
  "tests/e2e/github-double.test.ts",
  "tests/e2e/github-double-webhooks.test.ts",
  "tests/e2e/github-double-pull-requests.test.ts",
  "tests/e2e/node-sample.test.ts",
  "tests/e2e/processes.test.ts",
  "tests/examples/platform-stack.test.ts",
  "tests/policy/pack.test.ts",
  "tests/scripts/diff.test.ts",
  "tests/scripts/fetch-reference.test.ts",
  "tests/synth/render.test.ts",
  "tests/synth/schemas.test.ts",
  "tests/tekton/commit-status.test.ts",
  "tests/tekton/run-janitor.test.ts",
  "tests/tekton/presets.test.ts",
  "tests/tekton/update-image-revision.test.ts",
  "tests/tekton/write-back-isolation.test.ts",
];

const ROOT = path.resolve(__dirname, "..");

function testFiles(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(`${dir}/${e.name}`) : e.name.endsWith(".test.ts") ? [`${dir}/${e.name}`] : []))
    .sort();
}

/** Mocha's options for a list of test files: the same for both commands. */
function config(spec) {
  return {
    require: ["ts-node/register/transpile-only", "tests/helpers/reference-setup.ts"],
    extension: ["ts"],
    spec,
    timeout: 20000,
    parallel: true,
    jobs: 2,
  };
}

const missing = SLOW.filter((f) => !fs.existsSync(path.join(ROOT, f)));
if (missing.length > 0) throw new Error(`tests/suites.js lists slow test files that do not exist: ${missing.join(", ")}`);

module.exports = {
  SLOW,
  quick: config(testFiles("tests").filter((f) => !SLOW.includes(f))),
  slow: config(SLOW),
};
