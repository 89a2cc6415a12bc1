// Stack config as a stack file would hold it, for tests and benchmarks. Tokens here are obviously fake.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { PROJECT } from "../../components/config/errors";
import { parseSettings, RawConfig } from "../../components/config/parse";
import { StackSettings } from "../../components/config/settings";
import { AppPlan, planStack } from "../../components/plan/stack";
import { Image } from "../../components/kpack/image";
import { KPACK_FOLDER } from "../../components/plan/ops-repository";
import { RENDER_SECRETS } from "../../components/synth/render";
import { Task } from "../../components/tekton/types";

const ROOT = path.resolve(__dirname, "../..");

const temporary: string[] = [];
process.on("exit", () => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system's temp folder, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/**
 * A copy of this project as a clone of it has it, in a new folder (or `dir`): its tracked files and new
 * ones git does not ignore, as the working tree has them now (under `pathspecs` only, when given), with
 * node_modules linked so its scripts and tests run there. A tracked file deleted in the working tree is
 * left out, as the next commit would leave it.
 */
export function projectCopy(pathspecs: string[] = [], dir = tempDir("project-copy-")): string {
  fs.mkdirSync(dir, { recursive: true });
  const listed = execFileSync("git", ["ls-files", "-z", "-co", "--exclude-standard", "--", ...pathspecs], { cwd: ROOT, encoding: "utf8" });
  for (const file of listed.split("\0").filter(Boolean)) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

export const FAKE_TOKEN = "ghp_FAKE_TEST_TOKEN_not_a_real_credential_0000";
/** The read-only token's stand-in: another obviously fake value, so a test tells the two apart. */
export const FAKE_READ_TOKEN = "ghp_FAKE_READ_ONLY_TOKEN_not_a_real_credential_1";
export const FAKE_WEBHOOK_SECRET = "fake-webhook-secret-for-tests-only";

export const SHA_A = "0f3e2d1c4b5a69788776655443322110ffeeddcc";

export function appEntry(name = "go-sample-app", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    repo: name,
    branch: "main",
    opsRepo: `${name}-ops`,
    image: `registry.example.com/example-org/${name}`,
    initialRevision: SHA_A,
    ...extra,
  };
}

export function rawStack(extra: RawConfig = {}, apps: unknown[] = [appEntry()]): RawConfig {
  return { githubOwner: "example-org", apps, ...extra };
}

export function settings(extra: RawConfig = {}, apps?: unknown[]): StackSettings {
  return parseSettings(rawStack(extra, apps));
}

/** n apps, all in the default namespace. */
export function manyApps(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => appEntry(`app-${String(i).padStart(3, "0")}`));
}

/**
 * A project folder with this repository's Pulumi.yaml and one stack file, as render and
 * readStackFile read them. The stack file is YAML text as written, or config keys to prefix.
 */
export function stackProject(stack: string, stackFile: string | RawConfig, dir = tempDir("stack-")): string {
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text =
    typeof stackFile === "string"
      ? stackFile
      : stringify({ config: Object.fromEntries(Object.entries(stackFile).map(([k, v]) => [`${PROJECT}:${k}`, v])) });
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
  return dir;
}

/** The kpack Image an app's image.yaml holds. */
export function plannedImage(app: AppPlan<unknown>): Image {
  const image = app.repoFiles.find((f) => f.path === `${KPACK_FOLDER}/image.yaml`)?.documents[0] as Image | undefined;
  assert.ok(image?.kind === "Image" && typeof image.spec.tag === "string", `no kpack Image in ${KPACK_FOLDER}/image.yaml`);
  return image;
}

/** The one object of this kind that the plan commits to the (first) app's ops repository. */
export function plannedObject<T>(kind: string, extra: RawConfig = {}, apps?: unknown[], component?: string): T {
  const objects = planStack(settings(extra, apps), RENDER_SECRETS)
    .apps[0].repoFiles.flatMap((f) => f.documents)
    .filter((o) => o.kind === kind && (component === undefined || ("metadata" in o && o.metadata.labels?.["app.kubernetes.io/component"] === component)));
  assert.strictEqual(objects.length, 1, `expected one ${kind}${component ? ` of ${component}` : ""} in the ops repository, found ${objects.length}`);
  return objects[0] as T;
}

/** The first app's Task of one part of the pipeline: clone, lint, test or write-back. */
export function plannedTask(component: "clone" | "lint" | "test" | "write-back", extra: RawConfig = {}, apps?: unknown[]): Task {
  return plannedObject<Task>("Task", extra, apps, component);
}
