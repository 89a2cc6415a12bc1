// The package as a program outside this repository gets it: `npm pack`, the tarball installed into a
// fresh program with the example's index.ts, type-checked against the packed .d.ts and run under
// Pulumi's mocks. Offline: the tarball's own dependency comes from npm's cache (npm ci filled it), and
// the @pulumi packages, peers of the library, from this repository's node_modules through NODE_PATH,
// as one copy, which the program and the components must share.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectCopy, tempDir } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "examples/platform-stack");
const NODE_MODULES = path.join(ROOT, "node_modules");

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  assert.strictEqual(r.status, 0, `${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// Pulumi's mocks in front of the example, as the engine would run it; prints what it registered.
const EVALUATE = `"use strict";
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
  newResource: (a) => (registered.push({ type: a.type, name: a.name, inputs: a.inputs }), { id: a.name + "-id", state: a.inputs }),
  call: (a) => (a.token === "github:index/getBranch:getBranch" ? { ...a.inputs, sha: "0".repeat(40) } : {}),
}, "platform-stack", "test", false);
pulumi.runtime.setAllConfig({
  "platform-stack:githubOwner": "example-org",
  "platform-stack:listenerHost": "hooks.example.com",
  "platform-stack:githubToken": "ghp_fakePackTestToken",
  "platform-stack:webhookSecret": "fake-webhook-secret-of-32-characters-or-more",
}, ["platform-stack:githubToken", "platform-stack:webhookSecret"]);
const program = require("./index.ts");
let last = -1;
const wait = () => {
  if (registered.length === last) return program.testedRevision.apply((revision) => process.stdout.write(JSON.stringify({ revision, registered })));
  last = registered.length;
  setTimeout(wait, 50);
};
setTimeout(wait, 50);
`;

function packedDependencies(): Record<string, string> {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {};
}

/** The commands of the first sh block of a README, one per line, comments dropped. */
export function readmeCommands(readme: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(fs.readFileSync(readme, "utf8"))?.[1] ?? "";
  return block.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

describe("examples/platform-stack: the packed components in a program of its own", function () {
  this.timeout(240000);

  it("works from a fresh clone as its README says: npm ci builds and installs the library with dist/, npm test passes", () => {
    const commands = readmeCommands(path.join(EXAMPLE, "README.md"));
    // The first step's result is this repository's node_modules, which the copy links.
    assert.strictEqual(commands[0], "npm ci", commands.join("\n"));
    const clone = projectCopy([], tempDir("fresh-clone-"));
    assert.ok(!fs.existsSync(path.join(clone, "dist")), "the clone starts without a build");
    // npm takes the lockfile's packages from its cache where it has them (the repository's npm ci filled it).
    const r = spawnSync("sh", ["-ec", commands.slice(1).join("\n")], { cwd: clone, encoding: "utf8", env: { ...process.env, npm_config_prefer_offline: "true" } });
    assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /1 passing/);
    assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /warning/i, "the example's own program and test warn of nothing");
    const example = path.join(clone, "examples/platform-stack");
    const resolved = run(process.execPath, ["-p", "require.resolve('deliberate-image-builds')"], example).trim();
    assert.strictEqual(resolved, path.join(example, "node_modules/deliberate-image-builds/dist/index.js"));
    assert.ok(!fs.lstatSync(path.join(example, "node_modules/deliberate-image-builds")).isSymbolicLink(), "a copy, with this program's @pulumi/pulumi");
  });

  it("packs compiled JavaScript and .d.ts, installs offline, type-checks and deploys one app under mocks", () => {
    const packs = tempDir("pack-");
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", packs], ROOT)) as { filename: string; files: { path: string }[] }[];
    const files = packed.files.map((f) => f.path);
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/tekton/update-image-revision.sh", "package.json"]) assert.ok(files.includes(f), `${f} not packed`);
    assert.deepStrictEqual(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), [], "no TypeScript sources in the package");

    const program = tempDir("platform-stack-");
    fs.writeFileSync(path.join(program, "package.json"), JSON.stringify({ name: "platform-stack-probe", private: true }));
    for (const f of ["index.ts", "Pulumi.yaml"]) fs.copyFileSync(path.join(EXAMPLE, f), path.join(program, f));
    // The library's own dependencies as this repository installed them, packed from node_modules: npm ci
    // cached their tarballs, not the registry's version lists that resolving a range would need.
    const dependencies = Object.keys(packedDependencies()).map((name) => {
      const [dependency] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", packs, path.join(NODE_MODULES, name)], ROOT)) as { filename: string }[];
      return path.join(packs, dependency.filename);
    });
    run("npm", ["install", "--no-save", "--offline", "--ignore-scripts", "--legacy-peer-deps", "--no-audit", "--no-fund", ...dependencies, path.join(packs, packed.filename)], program);
    const installed = path.join(program, "node_modules/deliberate-image-builds");
    assert.ok(fs.existsSync(path.join(installed, "dist/index.d.ts")));

    // The example against the packed declarations: only the documented args type-check.
    fs.writeFileSync(
      path.join(program, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true,
          baseUrl: ".", paths: { "@pulumi/*": [path.join(NODE_MODULES, "@pulumi/*")] }, typeRoots: [path.join(NODE_MODULES, "@types")], types: ["node"],
        },
        files: ["index.ts"],
      }),
    );
    run(process.execPath, [path.join(NODE_MODULES, "typescript/bin/tsc"), "-p", program], program);

    fs.writeFileSync(path.join(program, "evaluate.js"), EVALUATE);
    const out = run(process.execPath, ["--require", path.join(ROOT, "scripts/register-ts.js"), "evaluate.js"], program, { NODE_PATH: NODE_MODULES });
    const { revision, registered } = JSON.parse(out) as { revision: string; registered: { type: string; name: string; inputs: Record<string, unknown> }[] };
    assert.strictEqual(revision, "0f3e2d1c4b5a69788776655443322110ffeeddcc");
    const count = (type: string) => registered.filter((r) => r.type === type).length;
    assert.deepStrictEqual(
      [count("deliberate-image-builds:app:DeliberateImageBuilds"), count("deliberate-image-builds:cluster:BuildNamespace"), count("github:index/repositoryFile:RepositoryFile"), count("kubernetes:argoproj.io/v1alpha1:Application"), count("github:index/repositoryWebhook:RepositoryWebhook")],
      [1, 1, 4, 2, 1],
    );
    const secrets = registered.filter((r) => r.type === "kubernetes:core/v1:Secret");
    assert.deepStrictEqual(secrets.map((s) => (s.inputs.metadata as { namespace: string }).namespace), ["go-builds", "go-builds", "go-builds", "go-builds"]);
    const image = registered.find((r) => r.inputs.file === "cicd/kpack/image.yaml");
    assert.match(String(image?.inputs.content), /namespace: go-builds/);
  });
});
