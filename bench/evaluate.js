// Evaluates the program as `pulumi preview` starts it (same loader, from Pulumi.yaml's nodeargs), with
// Pulumi's mocks standing in for the engine. Config: BENCH_CONFIG, else the dev stack.
// BENCH_RECORD=<file>: also writes every resource the program registered (type, name, inputs as the
// engine got them). BENCH_REPLAY=<file>: registers exactly those resources with those inputs as plain
// values, and nothing else: what the SDK alone costs for the same resources.
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
const recorded = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      registered++;
      if (process.env.BENCH_RECORD) recorded.push({ type: a.type, name: a.name, custom: a.custom !== false, inputs: a.inputs });
      return { id: `${a.name}-id`, state: a.inputs };
    },
    // Every ops branch exists (the program checks before it trusts an empty file answer); no file does yet.
    call: (a) => (a.token === "github:index/getBranch:getBranch" ? { ...a.inputs, sha: "0".repeat(40) } : {}),
  },
  project.name,
  "bench",
  false,
  "organization",
);

// Config as the engine hands it to a program: a JSON object of strings. BENCH_CONFIG holds it (bench.ts
// reads the stack files beforehand, as the engine does); without it, the dev stack file is read here.
const config = process.env.BENCH_CONFIG
  ? JSON.parse(process.env.BENCH_CONFIG)
  : require("./stack-config").stackConfig(path.join(root, "Pulumi.dev.yaml"));
config[`${project.name}:githubToken`] = "fake-bench-token";
config[`${project.name}:webhookSecret`] = "fake-bench-secret-of-32-characters-or-more";
pulumi.runtime.setAllConfig(config, [`${project.name}:githubToken`, `${project.name}:webhookSecret`]);

if (process.env.BENCH_REPLAY) {
  const { withoutPromiseStackTraces } = require("../components/pulumi/registration");
  const k8s = require("@pulumi/kubernetes");
  const github = require("@pulumi/github");
  // Each resource through its own SDK class, as the program registers it: a class declares all its
  // output properties, and the SDK makes an Output of each (a generic CustomResource would make fewer).
  const classes = {
    "pulumi:providers:kubernetes": k8s.Provider,
    "pulumi:providers:github": github.Provider,
    "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
    "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount,
    "kubernetes:core/v1:ServiceAccountPatch": k8s.core.v1.ServiceAccountPatch,
    "kubernetes:core/v1:NamespacePatch": k8s.core.v1.NamespacePatch,
    "github:index/repositoryFile:RepositoryFile": github.RepositoryFile,
    "github:index/repositoryWebhook:RepositoryWebhook": github.RepositoryWebhook,
  };
  const register = (r) => {
    if (r.type === "pulumi:pulumi:StackReference") return new pulumi.StackReference(r.name, { name: r.inputs.name });
    if (!r.custom) return new pulumi.ComponentResource(r.type, r.name);
    const Class = classes[r.type] ?? (/^kubernetes:[^:]+\.[^:]+\/[^:]+:[A-Za-z]+$/.test(r.type) ? k8s.apiextensions.CustomResource : undefined);
    if (!Class) throw new Error(`the replay knows no SDK class for ${r.type}`);
    return new Class(r.name, r.inputs);
  };
  const resources = JSON.parse(fs.readFileSync(process.env.BENCH_REPLAY, "utf8"));
  withoutPromiseStackTraces(() => {
    for (const r of resources) if (r.type !== "pulumi:pulumi:Stack") register(r); // the runtime registers its own stack
  });
} else {
  require(path.join(root, project.main));
}

let last = -1;
const wait = () => {
  if (registered === last) {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (process.env.BENCH_RECORD) fs.writeFileSync(process.env.BENCH_RECORD, JSON.stringify(recorded));
    process.stdout.write(JSON.stringify({ resources: registered, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
    process.exit(0);
  }
  last = registered;
  setTimeout(wait, 5);
};
setTimeout(wait, 5);
