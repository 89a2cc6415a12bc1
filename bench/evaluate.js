// Evaluates the program as `pulumi preview` starts it (same loader, from Pulumi.yaml's nodeargs), with
// Pulumi's mocks standing in for the engine. Config: the dev stack, or APPS=<n> generated apps.
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

const config = {};
const n = Number(process.env.APPS || 0);
if (n > 0) {
  config[`${project.name}:githubOwner`] = "example-org";
  // The loader from Pulumi.yaml also reads TypeScript, so the tests' fixture serves here too.
  const { manyApps } = require("../tests/helpers/fixtures");
  config[`${project.name}:apps`] = JSON.stringify(manyApps(n));
} else {
  const dev = parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
  for (const [k, v] of Object.entries(dev.config)) config[k] = typeof v === "string" ? v : JSON.stringify(v);
}
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
