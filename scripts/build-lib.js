// npm run build (and prepare, which npm runs on npm ci, npm pack and an install of this folder as a
// package): the library into dist/, compiled by tsc with declarations, and the files it reads at run
// time beside it.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
// Read with fs next to the compiled module that reads them: every step script of components/tekton
// (the write-back's, the clone's, each preset's).
function scripts(dir) {
  return fs
    .readdirSync(path.join(root, "components", dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? scripts(`${dir}/${e.name}`) : e.name.endsWith(".sh") ? [`${dir}/${e.name}`] : []));
}
const ASSETS = scripts("tekton");

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.lib.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const asset of ASSETS) {
  fs.mkdirSync(path.dirname(path.join(dist, asset)), { recursive: true });
  fs.copyFileSync(path.join(root, "components", asset), path.join(dist, asset));
}
