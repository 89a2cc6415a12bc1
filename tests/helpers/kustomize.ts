// Argo CD builds cicd/kpack with kustomize; the tests run the real one, `kubectl kustomize`, on the
// folder as rendered. kubectl 1.27 and later carry kustomize v5, as Argo CD 3 bundles it (Debian's
// kubernetes-client 1.20 carries kustomize v2, which reads `patches` differently: not that one).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { KubernetesObject } from "../../components/kubernetes/types";
import { tempDir } from "./fixtures";

const INSTALL = "install kubectl 1.27 or later (it carries kustomize v5, as Argo CD does) and put it on PATH";

/** The kustomize version `kubectl` carries, or an error saying what is missing. Checked once per PATH. */
const checked = new Map<string, string>();
function kustomizeVersion(env: NodeJS.ProcessEnv): string {
  const key = env.PATH ?? "";
  const known = checked.get(key);
  if (known) return known;
  const r = spawnSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8", env });
  if (r.error) throw new Error(`kubectl not found (${r.error.message}): the kustomize tests build cicd/kpack with \`kubectl kustomize\`, as Argo CD builds it; ${INSTALL}`);
  const version = (JSON.parse(r.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? "";
  if (!/^v([5-9]|\d{2,})\./.test(version)) throw new Error(`kubectl carries kustomize ${version || "of no known version"}; expected v5 or later: ${INSTALL}`);
  checked.set(key, version);
  return version;
}

/** Runs `kubectl kustomize` on a folder and returns the objects it prints. */
export function kustomizeFolder(dir: string, env: NodeJS.ProcessEnv = process.env): KubernetesObject[] {
  kustomizeVersion(env);
  const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${path.basename(dir)} failed: ${r.stderr.trim()}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as KubernetesObject);
}

/** Writes a kustomization's files (name → content) to a folder of their own and builds it. */
export function kustomizeBuild(files: Record<string, string>, env?: NodeJS.ProcessEnv): KubernetesObject[] {
  const dir = tempDir("kustomize-");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return kustomizeFolder(dir, env);
}
