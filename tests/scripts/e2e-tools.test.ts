import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers/fixtures";
import { CONTROLLERS } from "../../e2e/binaries";

// `npm run e2e:tools` builds for about an hour; these tests only run the parts
// that need neither Go nor the network: --help, --list and the pins.
const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "scripts/e2e-tools.sh");
const PINS = path.join(ROOT, "e2e/tools/pins.env");

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const cacheDir = tempDir("e2e-tools-");
  const result = spawnSync("bash", [SCRIPT, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, E2E_TOOLS_DIR: path.join(cacheDir, "tools"), ...env },
  });
  // Nothing but a build creates the cache dir.
  assert.ok(!fs.existsSync(path.join(cacheDir, "tools")), "the cache dir was created");
  return result;
}

function pins(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of fs.readFileSync(PINS, "utf8").split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const TOOLS = [
  "etcd",
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-kubernetes",
  "pulumi-resource-github",
  "kube-apiserver",
  "kube-controller-manager",
  // The controllers the e2e looks for, all built here but redis-server (a Debian package).
  ...CONTROLLERS.filter((t) => t !== "redis-server"),
];

describe("scripts: npm run e2e:tools", function () {
  it("is the package script", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.strictEqual(pkg.scripts["e2e:tools"], "bash scripts/e2e-tools.sh");
    assert.ok(!/e2e/.test(pkg.scripts.test), "the build stays out of npm test");
  });

  it("--help says where the binaries go and how to use them", () => {
    const r = run(["--help"]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /E2E_TOOLS_DIR/);
    assert.match(r.stdout, /export PATH=<dir>\/bin:\$PATH/);
  });

  it("--list names every tool, in build order", () => {
    const r = run(["--list"]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(r.stdout.trim().split("\n"), TOOLS);
  });

  it("the pins are well-formed Go module versions", () => {
    const p = pins();
    const semver = /^v\d+\.\d+\.\d+$/;
    const pseudo = /^v\d+\.0\.0-\d{14}-[0-9a-f]{12}$/;
    for (const key of Object.keys(p).filter((k) => k.endsWith("_VERSION") && p[k] !== "")) {
      assert.ok(semver.test(p[key]) || pseudo.test(p[key]), `${key}=${p[key]}`);
    }
    assert.match(p.KUBERNETES_VERSION, /^v1\.\d+\.\d+$/);
    assert.match(p.ETCD_VERSION, /^v3\.6\./);
  });

  it("--print-pins shows each tool's module@version and version flags from the pins file", () => {
    const r = run(["--print-pins"]);
    assert.strictEqual(r.status, 0, r.stderr);
    const p = pins();
    const lines = r.stdout.trim().split("\n");
    assert.deepStrictEqual(
      lines.map((l) => l.slice(0, l.indexOf(":"))),
      TOOLS,
    );
    const line = (tool: string) => lines.find((l) => l.startsWith(`${tool}:`)) ?? "";
    assert.ok(line("etcd").includes(`${p.ETCD_MODULE}@${p.ETCD_VERSION}`));
    assert.ok(line("pulumi").includes(`${p.PULUMI_MODULE}@${p.PULUMI_VERSION}`));
    assert.ok(line("pulumi").includes(`version.Version=${p.PULUMI_VERSION}`));
    assert.match(line("pulumi-resource-github"), new RegExp(`^pulumi-resource-github: ${p.GITHUB_PROVIDER_SOURCE}@[0-9a-f]{16} pkg=\\./cmd/pulumi-resource-github ldflags=-X main\\.version=${p.GITHUB_PROVIDER_RELEASE}$`));
    const [, minor] = /^v1\.(\d+)\./.exec(p.KUBERNETES_VERSION) ?? [];
    for (const tool of ["kube-apiserver", "kube-controller-manager"]) {
      assert.ok(line(tool).includes(`${p.KUBERNETES_MODULE}@${p.KUBERNETES_VERSION} pkg=${p.KUBERNETES_MODULE}/cmd/${tool}`));
      assert.ok(line(tool).includes(`k8s.io/component-base/version.gitVersion=${p.KUBERNETES_VERSION}`));
      assert.ok(line(tool).includes(`k8s.io/client-go/pkg/version.gitMinor=${minor}`));
    }
  });

  it("runs the controllers of the releases tools/upstream-validate judges objects with, Argo CD on the Go it needs", () => {
    const p = pins();
    const goMod = fs.readFileSync(path.join(ROOT, "tools", "upstream-validate", "go.mod"), "utf8");
    for (const [module, version] of [[p.TEKTON_PIPELINE_MODULE, p.TEKTON_PIPELINE_VERSION], [p.TEKTON_TRIGGERS_MODULE, p.TEKTON_TRIGGERS_VERSION], [p.KPACK_MODULE, p.KPACK_VERSION]]) {
      assert.match(goMod, new RegExp(`^\\s*${module.replace(/\./g, "\\.")} ${version.replace(/\./g, "\\.")}$`, "m"), `${module} ${version} in tools/upstream-validate/go.mod`);
    }
    const lines = run(["--print-pins"]).stdout.trim().split("\n");
    const line = (tool: string) => lines.find((l) => l.startsWith(`${tool}:`)) ?? "";
    assert.strictEqual(line("tekton-triggers-eventlistenersink"), `tekton-triggers-eventlistenersink: ${p.TEKTON_TRIGGERS_MODULE}@${p.TEKTON_TRIGGERS_VERSION} pkg=${p.TEKTON_TRIGGERS_MODULE}/cmd/eventlistenersink ldflags=`);
    assert.strictEqual(line("argocd"), `argocd: ${p.ARGOCD_MODULE}@${p.ARGOCD_VERSION} pkg=${p.ARGOCD_MODULE}/cmd ldflags=-X github.com/argoproj/argo-cd/v3/common.version=${p.ARGOCD_VERSION.slice(1)}`);
    assert.match(p.ARGOCD_GOTOOLCHAIN, /^go1\.27\.\d+$/);
  });

  it("builds the GitHub plugin from the project's own module, pinned by its go.mod, and rebuilds it when a file changes", () => {
    const dir = path.join(ROOT, pins().GITHUB_PROVIDER_SOURCE);
    const goMod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
    // What pulumi-github 6.15.0 is made of: the upstream it wraps, the bridge, and Pulumi's fork of the plugin SDK.
    assert.match(goMod, /^\tgithub\.com\/integrations\/terraform-provider-github\/v6 v6\.13\.0$/m);
    assert.match(goMod, /^\tgithub\.com\/pulumi\/pulumi-terraform-bridge\/v3 v3\.137\.0$/m);
    assert.match(goMod, /^replace github\.com\/hashicorp\/terraform-plugin-sdk\/v2 => github\.com\/pulumi\/terraform-plugin-sdk\/v2 v2\.0\.0-\d{14}-[0-9a-f]{12}$/m);
    const copy = tempDir("github-provider-");
    fs.cpSync(dir, path.join(copy, pins().GITHUB_PROVIDER_SOURCE), { recursive: true });
    fs.cpSync(path.join(ROOT, "scripts"), path.join(copy, "scripts"), { recursive: true });
    fs.cpSync(path.join(ROOT, "e2e", "tools", "pins.env"), path.join(copy, "e2e", "tools", "pins.env"));
    const printed = () => spawnSync("bash", [path.join(copy, "scripts", "e2e-tools.sh"), "--print-pins", "pulumi-resource-github"], { encoding: "utf8" }).stdout;
    const before = printed();
    fs.appendFileSync(path.join(copy, pins().GITHUB_PROVIDER_SOURCE, "provider", "info.go"), "\n// changed\n");
    assert.notStrictEqual(printed(), before, "a changed source file changes the pin, so the cached plugin is rebuilt");
  });

  it("builds kpack's controller from the webhook's module and the e2e's registry from the project's own module, pinned by its go.mod", () => {
    const p = pins();
    const lines = run(["--print-pins", "kpack-controller", "kpack-registry"]).stdout.trim().split("\n");
    assert.strictEqual(lines[0], `kpack-controller: ${p.KPACK_MODULE}@${p.KPACK_VERSION} pkg=${p.KPACK_MODULE}/cmd/controller ldflags=`);
    assert.match(lines[1], new RegExp(`^kpack-registry: ${p.KPACK_REGISTRY_SOURCE}@[0-9a-f]{16} pkg=\\. ldflags=$`));
    const dir = path.join(ROOT, p.KPACK_REGISTRY_SOURCE);
    // go-containerregistry's in-process registry, at the version the Go module proxy serves.
    assert.match(fs.readFileSync(path.join(dir, "go.mod"), "utf8"), /^require github\.com\/google\/go-containerregistry v0\.22\.1$/m);
    assert.match(fs.readFileSync(path.join(dir, "go.sum"), "utf8"), /^github\.com\/google\/go-containerregistry v0\.22\.1 h1:/m);
  });

  it("builds only the named tools and refuses unknown ones", () => {
    const r = run(["--print-pins", "etcd", "kube-apiserver"]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(
      r.stdout.trim().split("\n").map((l) => l.slice(0, l.indexOf(":"))),
      ["etcd", "kube-apiserver"],
    );
    const bad = run(["kubelet"]);
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /unknown tool kubelet/);
  });

  it("reads the pins file as data: a line with a command in it is refused", () => {
    const dir = tempDir("e2e-pins-");
    const marker = path.join(dir, "ran");
    const file = path.join(dir, "pins.env");
    fs.writeFileSync(file, fs.readFileSync(PINS, "utf8") + `ETCD_VERSION=$(touch ${marker})\n`);
    const r = run(["--print-pins"], { E2E_TOOLS_PINS: file });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /bad line/);
    assert.ok(!fs.existsSync(marker));
  });

  it("names a missing pin", () => {
    const dir = tempDir("e2e-pins-");
    const file = path.join(dir, "pins.env");
    fs.writeFileSync(file, fs.readFileSync(PINS, "utf8").replace(/^KUBERNETES_VERSION=.*$/m, ""));
    const r = run(["--print-pins"], { E2E_TOOLS_PINS: file });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /KUBERNETES_VERSION is not set/);
  });
});
