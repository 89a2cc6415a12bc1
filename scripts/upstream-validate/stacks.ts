// What upstream-validate judges: every stack file of the project, and one more stack made here with
// several apps in one namespace and the longest app name the settings accept, rendered with render's own
// code; the kpack Image as Argo CD applies it (kustomize's output of cicd/kpack).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, PROJECT } from "../../components/config/errors";
import { parseSettings, RawConfig } from "../../components/config/parse";
import { StackSettings } from "../../components/config/settings";
import { readStackFile } from "../../components/config/stack-file";
import { KPACK_FOLDER, TEKTON_FILE } from "../../components/plan/ops-repository";
import { renderStack } from "../render";

/** The stack upstream-validate adds: its name, and its namespace shared by all its apps. */
export const CROWDED_STACK = "upstream-validate-crowded";
const CROWDED_NAMESPACE = "builds";

/** Stacks with a Pulumi.<stack>.yaml in the project folder, sorted. */
export function projectStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function app(name: string): Record<string, unknown> {
  return {
    name,
    repo: name,
    branch: "main",
    opsRepo: `${name}-ops`,
    namespace: CROWDED_NAMESPACE,
    image: `registry.example.com/example-org/${name}`,
    initialRevision: "0f3e2d1c4b5a69788776655443322110ffeeddcc",
  };
}

function accepts(config: RawConfig): boolean {
  try {
    parseSettings(config);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

/** The longest app name the settings accept in the crowded namespace (`long-app-xx…xz`). */
export function longestAcceptedAppName(): string {
  const named = (n: number) => `long-app-${"x".repeat(Math.max(0, n - 10))}z`.slice(0, n);
  for (let n = 63; n >= 11; n--) {
    if (accepts({ githubOwner: "example-org", apps: [app(named(n))] })) return named(n);
  }
  throw new Error("upstream-validate: no app name of 11 or more characters is accepted; the name limits changed beyond what this stack expects");
}

/**
 * The crowded stack's config, as `pulumi config set` writes a stack file: keys prefixed by the project.
 * Besides the go apps, one app per other preset and one with its own lint and test, so Tekton's code
 * judges every kind of Task the project renders.
 */
export function crowdedStackConfig(): RawConfig {
  const go = ["go-sample-app", "go-payments", "go-ledger", longestAcceptedAppName()].map(app);
  const presets = (["node", "python", "maven", "gradle"] as const).map((language) => ({ ...app(`${language}-app`), language }));
  const rust = "docker.io/library/rust:1.93.0";
  const own = { ...app("rust-app"), lint: { image: rust, script: "cargo clippy --all-targets -- -D warnings" }, test: { image: rust, script: "#!/bin/bash\nset -euo pipefail\ncargo test --locked" } };
  return { githubOwner: "example-org", apps: [...go, ...presets, own] };
}

export interface RenderedStack {
  stack: string;
  settings: StackSettings;
  /** Folder render wrote to. */
  dir: string;
  /** Each app's files to judge, relative to `dir`'s parent: its Tekton file and the kustomize output of its cicd/kpack. */
  appFiles: { tekton: string; kpack: string }[];
  /** All of them. */
  files: string[];
}

/** Argo CD builds cicd/kpack with kustomize; kubectl 1.27 and later carry kustomize v5, as Argo CD 3 does. */
function kustomize(folder: string): string {
  const r = spawnSync("kubectl", ["kustomize", folder], { encoding: "utf8" });
  if (r.error) {
    throw new Error(`kubectl not found (${r.error.message}): upstream-validate judges the kpack Image as Argo CD applies it, the output of \`kubectl kustomize cicd/kpack\`; install kubectl 1.27 or later (it carries kustomize v5) and put it on PATH`);
  }
  if (r.status !== 0) throw new Error(`kubectl kustomize ${folder} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Renders `stack` of the project in `projectDir` into `<root>/<stack>` and lists what to judge. */
export function renderForValidation(projectDir: string, stack: string, root: string): RenderedStack {
  const dir = path.join(root, stack);
  renderStack({ projectDir, stack, out: dir });
  const settings = parseSettings(readStackFile(projectDir, stack).raw);
  const appFiles = settings.apps.map((a) => {
    const repo = path.join(dir, "repos", settings.githubOwner, a.opsRepository);
    // Beside render's folders, not in them: what kustomize makes of cicd/kpack, as Argo CD applies it.
    const kustomized = path.join(dir, "kustomized", settings.githubOwner, a.opsRepository, `${KPACK_FOLDER}.yaml`);
    fs.mkdirSync(path.dirname(kustomized), { recursive: true });
    fs.writeFileSync(kustomized, kustomize(path.join(repo, KPACK_FOLDER)));
    return { tekton: path.relative(root, path.join(repo, TEKTON_FILE)), kpack: path.relative(root, kustomized) };
  });
  return { stack, settings, dir, appFiles, files: appFiles.flatMap((f) => [f.tekton, f.kpack]) };
}

/** A project folder holding the project's Pulumi.yaml and the crowded stack's file. */
export function crowdedProject(projectDir: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const config = Object.fromEntries(Object.entries(crowdedStackConfig()).map(([k, v]) => [`${PROJECT}:${k}`, v]));
  fs.writeFileSync(path.join(dir, `Pulumi.${CROWDED_STACK}.yaml`), stringify({ config }));
  return dir;
}
