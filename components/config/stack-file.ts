import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { SECRET_IS_SET, RawConfig } from "./parse";
import { stackKeySpec } from "./keys";
import { PROJECT } from "./errors";

/** What to say of a secret key a stack file holds in plain text: the same words wherever it is noticed. */
export function plaintextSecretProblem(stack: string, key: string): string {
  return `Pulumi.${stack}.yaml holds ${PROJECT}:${key} in plain text; expected it encrypted (pulumi config set --secret ${key} --stack ${stack}), so the stack file never carries it to a repository`;
}

export interface StackFile {
  project: string;
  raw: RawConfig;
  /** Secret keys the stack file holds in plain text: worth a warning, never worth printing. */
  plaintextSecrets: string[];
}

function readYaml(file: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${file} not found`);
  return parse(fs.readFileSync(file, "utf8"));
}

/**
 * Reads a stack's config as Pulumi would hand it to the program, from `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml`, without the Pulumi CLI. Secret values are replaced before anything sees them.
 */
export function readStackFile(projectDir: string, stack: string): StackFile {
  const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { name?: unknown };
  if (typeof project?.name !== "string") throw new Error("Pulumi.yaml has no project name");
  const doc = readYaml(path.join(projectDir, `Pulumi.${stack}.yaml`)) as { config?: Record<string, unknown> } | null;
  const raw: RawConfig = {};
  const plaintextSecrets: string[] = [];
  const prefix = `${project.name}:`;
  for (const [fullKey, value] of Object.entries(doc?.config ?? {})) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (stackKeySpec(key)?.secret) {
      const encrypted = typeof value === "object" && value !== null && "secure" in value;
      if (!encrypted) plaintextSecrets.push(key);
      raw[key] = SECRET_IS_SET;
    } else {
      raw[key] = value;
    }
  }
  return { project: project.name, raw, plaintextSecrets };
}
