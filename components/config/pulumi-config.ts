/**
 * How Pulumi stores a top-level config value and what it lets through for a type `Pulumi.yaml` declares,
 * so that render and diff (reading the stack file) and `pulumi up` (reading what the engine hands over)
 * accept exactly the same values. What this follows, in pulumi/pulumi:
 * - sdk/go/common/resource/config/object.go (unmarshalObject, MarshalString): a stack-file value is read as
 *   YAML; a bool, int or float is stored as its JSON text ("true", "8", and "1.2" for `1.20`), a string as
 *   itself, a list or map as JSON (an "object"). The program receives that text, whatever the key's type.
 *   `pulumi config set k 8` stores the string "8"; `--type`/`--path` store real YAML types.
 * - YAML null (`k:` or `k: ~`) never reaches that code: yaml.v3 skips a null node's UnmarshalYAML and leaves
 *   the zero Value, the empty string.
 * - sdk/go/common/workspace/config.go (validateStackConfigValue) and project.go (ValidateConfigValue): before
 *   the program runs, the engine checks each declared key's text: `integer` takes what Go's strconv.Atoi
 *   parses (optional sign, decimal digits, within int64), `boolean` exactly "true" or "false", `string`
 *   any text; an object fails every scalar type ("Stack 'dev' with configuration key 'k' must be of type 'integer'").
 * - sdk/nodejs/config.ts (getBoolean, getNumber) reads the same texts: exactly "true"/"false"; numbers by parseFloat.
 */
import { ConfigProblem, show } from "./errors";
import { ScalarType } from "./keys";

export type Stored = { text: string } | { object: unknown };

/** What Pulumi stores for a value as a stack file holds it (already read as YAML), and hands the program. */
export function storedText(value: unknown): Stored {
  if (value === null) return { text: "" };
  if (typeof value === "string") return { text: value };
  if (typeof value === "boolean") return { text: String(value) };
  // JavaScript's shortest round-trip form is Go's JSON form of a float64 too (1.2, 1e+21, 1e-7).
  if (typeof value === "number" && Number.isFinite(value)) return { text: String(value) };
  return { object: value };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const TYPE_WORDS: Record<ScalarType, string> = {
  string: "a string",
  integer: "a whole number",
  boolean: "true or false",
};

function rejected(key: string, type: ScalarType, shown: string, why: string): string {
  return `got ${shown}; expected ${TYPE_WORDS[type]}: Pulumi.yaml declares ${key} type ${type}, ${why}, so pulumi up refuses this value too`;
}

/**
 * The typed value of a declared key whose stack value is `value` (as YAML read it, or the text Pulumi hands
 * over: both pass through `storedText`), or the problem Pulumi would report, explained.
 */
export function readDeclared(key: string, type: ScalarType, value: unknown): { value: string | number | boolean } | { problem: string } {
  const stored = storedText(value);
  const shown = value === null ? "an empty value" : show(value);
  if ("object" in stored) {
    const what = Array.isArray(value) ? "a list" : typeof value === "number" ? "a number Pulumi cannot store" : "a map";
    return { problem: rejected(key, type, shown, `and ${what} is not one`) };
  }
  const text = stored.text;
  switch (type) {
    case "string":
      return { value: text };
    case "boolean":
      if (text === "true" || text === "false") return { value: text === "true" };
      return { problem: rejected(key, type, shown, "which takes exactly true or false, quoted or not (not yes, no, 1, 0 or \"True\")") };
    case "integer":
      if (/^[+-]?[0-9]+$/.test(text) && BigInt(text) >= INT64_MIN && BigInt(text) <= INT64_MAX) return { value: Number(text) };
      return { problem: rejected(key, type, shown, "which takes decimal digits only, with an optional sign (8 or \"8\"; not 8.5, 1e3, 0x8 or words)") };
  }
}

/** Namespaces other programs' config legitimately uses in this project's stacks. */
const PROVIDER_NAMESPACES = ["kubernetes", "github", "pulumi"];

/** Edit distance, for telling a misspelt project name from another namespace, and a misspelt key from an unknown one. */
export function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

export interface ProjectConfig {
  /** The project's keys, without the `<project>:` prefix, values as given. */
  raw: Record<string, unknown>;
  /** Keys that were surely meant for the project but carry another namespace: Pulumi hands them to no one. */
  problems: ConfigProblem[];
}

/**
 * Splits a stack's whole config (`<namespace>:<key>` to value) into the project's keys and the keys that look
 * meant for it under a misspelt namespace (`deliberate-image-build:githubOwner`), which Pulumi would silently
 * treat as some other package's config. `knownKeys`: the project's key names.
 */
export function projectConfig(all: Record<string, unknown>, project: string, knownKeys: readonly string[]): ProjectConfig {
  const raw: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    const colon = fullKey.indexOf(":");
    const namespace = colon < 0 ? "" : fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === project) {
      raw[key] = value;
      continue;
    }
    const nearProject = distance(namespace.toLowerCase(), project.toLowerCase()) <= 3;
    const oursElsewhere = knownKeys.includes(key) && !PROVIDER_NAMESPACES.includes(namespace);
    if (nearProject || oursElsewhere) {
      problems.push({
        key: fullKey,
        qualified: true,
        message: `not read: ${namespace ? `namespace "${namespace}" is not the project's` : "it has no namespace"}; expected ${project}:${key} (the project's name in Pulumi.yaml is ${project})`,
      });
    }
  }
  return { raw, problems };
}
