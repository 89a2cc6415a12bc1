// Evaluates the program as `pulumi preview` starts it (same loader, from Pulumi.yaml's nodeargs), with
// Pulumi's mocks standing in for the engine. Config: BENCH_CONFIG, else the dev stack.
// Prints one JSON line: resources registered, milliseconds, peak RSS.
"use strict";
const started = process.hrtime.bigint();
const path = require("path");
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { parse } = require("yaml");

const root = path.resolve(__dirname, "..");

const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
let registered = 0;
pulumi.runtime.setMocks(
  { newResource: (a) => (registered++, { id: `${a.name}-id`, state: a.inputs }), call: () => ({}) },
  project.name,
  "bench",
  false,
);

// Config as the engine hands it to a program: a JSON object of strings. BENCH_CONFIG holds it (bench.ts
// reads the stack files beforehand, as the engine does); without it, the dev stack file is read here.
const config = process.env.BENCH_CONFIG
  ? JSON.parse(process.env.BENCH_CONFIG)
  : require("./stack-config").stackConfig(path.join(root, "Pulumi.dev.yaml"));
config[`${project.name}:githubToken`] = "fake-bench-token";
config[`${project.name}:webhookSecret`] = "fake-bench-secret";
pulumi.runtime.setAllConfig(config, [`${project.name}:githubToken`, `${project.name}:webhookSecret`]);

require(path.join(root, project.main));

let last = -1;
const wait = () => {
  if (registered === last) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(JSON.stringify({ resources: registered, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
    process.exit(0);
  }
  last = registered;
  setTimeout(wait, 5);
};
setTimeout(wait, 5);
