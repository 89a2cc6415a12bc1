// npm run build (and prepare, which npm runs on npm ci, npm pack and an install of this folder as a
// package): the library into dist/, compiled by tsc with declarations, and the files it reads at run
// time beside it.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
// Read with fs next to the compiled module that reads them.
const ASSETS = ["tekton/update-image-revision.sh"];

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.lib.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const asset of ASSETS) fs.copyFileSync(path.join(root, "components", asset), path.join(dist, asset));
