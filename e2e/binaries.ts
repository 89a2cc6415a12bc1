// Where the e2e finds the real binaries: E2E_BIN first, then the folder `npm run e2e:tools` builds into,
// then PATH. However they were obtained (built here, the official CLI, setup-envtest), the e2e only
// needs them to be on one of those.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The controllers the loop runs on (built by `npm run e2e:tools`, but redis-server: a Debian package).
 * A run without one of them says which and leaves out what needs it.
 */
export const CONTROLLERS = [
  "tekton-pipeline-webhook",
  "tekton-pipeline-controller",
  "tekton-triggers-webhook",
  "tekton-triggers-eventlistenersink",
  "tekton-triggers-interceptors",
  "kpack-webhook",
  "kpack-controller",
  "kpack-registry",
  "argocd",
  "kustomize",
  "redis-server",
] as const;

export type Controller = (typeof CONTROLLERS)[number];

export const TOOLS = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-kubernetes",
  "pulumi-resource-github",
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kubectl",
  "git",
  ...CONTROLLERS,
] as const;
export type Tool = (typeof TOOLS)[number];
export type Binaries = Record<Tool, string>;

/** The folder `npm run e2e:tools` writes its binaries to (its E2E_TOOLS_DIR, default under the user's cache). */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
  return path.join(env.E2E_TOOLS_DIR || path.join(cache, "deliberate-image-builds", "e2e-tools"), "bin");
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The folders searched, in order. */
export function searchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...(env.E2E_BIN ? [env.E2E_BIN] : []), toolsBinDir(env), ...(env.PATH ?? "").split(path.delimiter).filter(Boolean)];
}

/** Each tool's path where there is one in `dirs`, and the tools there is none of. */
function locateBinaries(dirs: string[]): { found: Partial<Binaries>; missing: Tool[] } {
  const found: Partial<Binaries> = {};
  const missing: Tool[] = [];
  for (const tool of TOOLS) {
    const hit = dirs.map((d) => path.join(d, tool)).find(executable);
    if (hit) found[tool] = hit;
    else missing.push(tool);
  }
  return { found, missing };
}

/**
 * Every tool's path, except those in `mayLack`, which come back as missing instead; one error naming each
 * other missing tool and how to get them all.
 */
export function findBinaries(env: NodeJS.ProcessEnv = process.env, mayLack: readonly Tool[] = []): { bin: Binaries; lacking: Tool[] } {
  const dirs = searchPath(env);
  const { found, missing: all } = locateBinaries(dirs);
  const missing = all.filter((t) => !mayLack.includes(t));
  if (missing.length > 0) {
    throw new Error(
      `e2e: not found: ${missing.join(", ")} (looked in ${dirs.slice(0, 2).join(", ")} and PATH). ` +
        "Build them with `npm run e2e:tools`, or put the official Pulumi CLI and plugins and the envtest binaries on PATH or in E2E_BIN.",
    );
  }
  // A tool that may be lacking is never looked up by path: its entry stays empty.
  return { bin: found as Binaries, lacking: all.filter((t) => mayLack.includes(t)) };
}
