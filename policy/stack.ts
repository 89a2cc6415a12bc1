/**
 * What the policies know of the stack beyond its resources. The Pulumi CLI starts the pack with the
 * stack's name and config in its environment (PULUMI_NODEJS_STACK, PULUMI_CONFIG), which the SDK reads.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, show } from "../components/config/errors";
import { SECRET_KEYS } from "../components/config/keys";
import { dockerConfigAuths } from "../components/config/validators";

export interface StackContext {
  /** The stack's name, e.g. `prod`. */
  stack(): string;
  /** The stack's config as the engine hands it to the pack: full keys, secret values decrypted. */
  config(): Readonly<Record<string, string>>;
}

export const PULUMI_STACK: StackContext = {
  stack: () => pulumi.getStack(),
  config: () => pulumi.runtime.allConfig(),
};

/** The folder with Pulumi.yaml and the stack files: this repository's root, the pack's parent. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * Prod-like stacks are told apart by name, the one thing every backend gives a pack (stack tags need
 * Pulumi Cloud). The default takes `prod`, `prod-eu`, `production`; a pack config can widen it.
 */
export const DEFAULT_PROD_STACKS = "^prod";

export function isProdLike(stack: string, pattern: string = DEFAULT_PROD_STACKS): boolean {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new Error(`prodStacks is ${show(pattern)}; expected a regular expression that prod-like stack names match (${(e as Error).message})`);
  }
  return re.test(stack);
}


export interface SecretValue {
  /** Full key, e.g. `deliberate-image-builds:githubToken`. */
  key: string;
  value: string;
}

// Shorter values would match ordinary text; a real token or webhook secret is far longer.
const MIN_SECRET_LENGTH = 8;

/**
 * The credentials inside a docker config.json (`auth`, `password`, tokens of each registry): a file
 * could hold one of them, copied out, without the rest of the JSON around it.
 */
export function dockerConfigCredentials(value: string): string[] {
  const found = dockerConfigAuths(value);
  if ("problem" in found) return [];
  return Object.values(found.auths).flatMap((entry) =>
    typeof entry === "object" && entry !== null
      ? ["auth", "password", "identitytoken", "registrytoken"].map((k) => (entry as Record<string, unknown>)[k]).filter((v): v is string => typeof v === "string")
      : [],
  );
}

/** The values of the secret keys this stack sets, to look for where they must never appear. */
export function secretConfigValues(config: Readonly<Record<string, string>>): SecretValue[] {
  return SECRET_KEYS.flatMap((k) => {
    const key = `${PROJECT}:${k}`;
    const value = config[key] ?? "";
    const parts = k === "registryCredentials" ? dockerConfigCredentials(value) : [];
    return [value, ...parts].map((v) => ({ key, value: v }));
  }).filter((s) => s.value.length >= MIN_SECRET_LENGTH);
}
