// Evaluates the program as `pulumi preview` starts it (same loader, from Pulumi.yaml's nodeargs), with
// Pulumi's mocks standing in for the engine. Config: BENCH_CONFIG, else the dev stack. BENCH_BARE_APPS=<n>
// registers only the resources n apps would, to show what the SDK alone costs.
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
  {
    newResource: (a) => (registered++, { id: `${a.name}-id`, state: a.inputs }),
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
config[`${project.name}:webhookSecret`] = "fake-bench-secret";
pulumi.runtime.setAllConfig(config, [`${project.name}:githubToken`, `${project.name}:webhookSecret`]);

const bareApps = Number(process.env.BENCH_BARE_APPS || 0);
if (bareApps > 0) {
  // What the SDK alone costs: per app the resources the program registers (a component, four
  // repository files, two Applications), with trivial inputs and no planning.
  const github = require("@pulumi/github");
  const k8s = require("@pulumi/kubernetes");
  const { withoutPromiseStackTraces } = require("../components/pulumi/registration");
  withoutPromiseStackTraces(() => {
    for (let i = 0; i < bareApps; i++) {
      const app = new pulumi.ComponentResource("bench:app:App", `app-${i}`);
      for (let f = 0; f < 4; f++) {
        new github.RepositoryFile(`app-${i}-file-${f}`, { repository: "ops", branch: "main", file: `f${f}.yaml`, content: "a: b\n" }, { parent: app });
      }
      for (let a = 0; a < 2; a++) {
        const metadata = { name: `app-${i}-${a}`, namespace: "argocd" };
        new k8s.apiextensions.CustomResource(metadata.name, { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata, spec: {} }, { parent: app });
      }
    }
  });
} else {
  require(path.join(root, project.main));
}

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
