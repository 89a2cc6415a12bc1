// The upstream-validate binary: built from tools/upstream-validate (Go modules the Go module proxy serves
// at the versions its go.mod pins) into a cache outside the repository, keyed by everything the build
// reads, so a second run finds it and starts at once.
import { createHash } from "crypto";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const TOOL_DIR = path.resolve(__dirname, "../../tools/upstream-validate");
const BINARY = "upstream-validate";
/** The Tekton releases' ConfigMaps the webhooks would load, copied from the modules beside the binary. */
const RELEASE_CONFIG = {
  "github.com/tektoncd/pipeline": { folder: "pipeline-config", files: ["config-feature-flags.yaml", "config-defaults.yaml"] },
  "github.com/tektoncd/triggers": { folder: "triggers-config", files: ["config-feature-flags.yaml", "config-defaults-triggers.yaml"] },
} as const;

export interface Binary {
  path: string;
  pipelineConfig: string;
  triggersConfig: string;
  /** Whether this run built it (a cold cache). */
  built: boolean;
}

function go(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync("go", args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new Error(`go not found (${r.error.message}): upstream-validate is built with Go (the version tools/upstream-validate/go.mod names, or later); install it and put it on PATH`);
  if (r.status !== 0) throw new Error(`go ${args.join(" ")} failed in ${cwd}:\n${r.stderr.trim()}`);
  return r.stdout;
}

/** Every file the build reads from the repository, and the toolchain: a change to any makes a new binary. */
export function buildKey(toolDir = TOOL_DIR): string {
  const hash = createHash("sha256");
  const files = fs
    .readdirSync(toolDir)
    .filter((f) => f === "go.mod" || f === "go.sum" || (f.endsWith(".go") && !f.endsWith("_test.go")))
    .sort();
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(toolDir, f))).update("\0");
  hash.update(go(["env", "GOVERSION", "GOOS", "GOARCH"], toolDir));
  return hash.digest("hex").slice(0, 16);
}

/** ${XDG_CACHE_HOME:-~/.cache}/deliberate-image-builds/upstream-validate: never inside the repository. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "deliberate-image-builds", "upstream-validate");
}

/**
 * The binary for the current sources, built first when the cache has none. The build runs with at most
 * two packages at once (`-p 2`), takes the modules go.sum pins and nothing else (`-mod=readonly`), and
 * lands in a folder of its own that is renamed into place, so an interrupted build leaves nothing behind
 * that a later run would take for a finished one.
 */
export function ensureBinary(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Binary {
  const dir = path.join(cacheRoot(env), buildKey());
  const binary = { path: path.join(dir, BINARY), pipelineConfig: path.join(dir, RELEASE_CONFIG["github.com/tektoncd/pipeline"].folder), triggersConfig: path.join(dir, RELEASE_CONFIG["github.com/tektoncd/triggers"].folder) };
  if (fs.existsSync(binary.path)) return { ...binary, built: false };

  log(`upstream-validate: building the validator into ${dir} (the first run: a few minutes; later runs reuse it)`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(`${dir}.building-`);
  try {
    const buildEnv = { ...env, GOFLAGS: "-mod=readonly -trimpath -buildvcs=false" };
    go(["build", "-p", "2", "-o", path.join(staging, BINARY), "."], TOOL_DIR, buildEnv);
    const modules = go(["list", "-m", "-f", "{{.Path}} {{.Dir}}", ...Object.keys(RELEASE_CONFIG)], TOOL_DIR, buildEnv);
    for (const line of modules.trim().split("\n")) {
      const [module, moduleDir] = line.split(" ");
      const { folder, files } = RELEASE_CONFIG[module as keyof typeof RELEASE_CONFIG];
      fs.mkdirSync(path.join(staging, folder));
      for (const f of files) fs.copyFileSync(path.join(moduleDir, "config", f), path.join(staging, folder, f));
    }
    fs.renameSync(staging, dir);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    // Another run built the same sources meanwhile: its binary is as good as ours.
    if (fs.existsSync(binary.path)) return { ...binary, built: true };
    throw err;
  }
  return { ...binary, built: true };
}
