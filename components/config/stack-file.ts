import * as fs from "fs";
import * as path from "path";
import { Document, isMap, isScalar, LineCounter, parseDocument, visit } from "yaml";
import { ConfigProblem, PROJECT } from "./errors";
import { STACK_KEYS, stackKeySpec } from "./keys";
import { RawConfig, SECRET_IS_SET } from "./parse";
import { projectConfig, storedText } from "./pulumi-config";

/** What to say of a secret key a stack file holds in plain text: the same words wherever it is noticed. */
export function plaintextSecretProblem(stack: string, key: string): string {
  return `Pulumi.${stack}.yaml holds ${PROJECT}:${key} in plain text; expected it encrypted (pulumi config set --secret ${key} --stack ${stack}), so the stack file never carries it to a repository`;
}

/** A value whose text Pulumi does not keep as written: `goVersion: 1.20` is the YAML number 1.2. */
export interface RetypedValue {
  key: string;
  written: string;
  stored: string;
}

/** What to say of it: worth a warning (Pulumi accepts it), since what is built differs from what was typed. */
export function retypedValueWarning(stack: string, r: RetypedValue): string {
  return `Pulumi.${stack}.yaml: ${PROJECT}:${r.key} is written ${r.written}, which YAML reads as a number, and Pulumi stores "${r.stored}"; render uses "${r.stored}" as pulumi up would. Quote it (${JSON.stringify(r.written)}) to keep the text as written`;
}

export interface StackFile {
  project: string;
  raw: RawConfig;
  /** Keys meant for the project under a misspelt namespace; parseSettings reports them with the rest. */
  problems: ConfigProblem[];
  /** Secret keys the stack file holds in plain text: worth a warning, never worth printing. */
  plaintextSecrets: string[];
  retyped: RetypedValue[];
}

// What `pulumi stack` takes as a stack name, and its words for the rest (pulumi/pulumi
// sdk/go/common/tokens, ParseStackName). An `org/project/stack` reference names a stack whose file is
// Pulumi.<stack>.yaml; read from the command line, it would name a file elsewhere.
const STACK_NAME_CHARS = /^[A-Za-z0-9_.-]*/;

/** Why `stack` is not a stack name render can read a file for, as `pulumi stack` says it; undefined when fine. */
export function stackNameProblem(stack: string): string | undefined {
  const parts = stack.split("/");
  if (parts.length === 3 && parts.every((p) => stackNameProblem(p) === undefined && !/^\.+$/.test(p))) {
    return `stack ${JSON.stringify(stack)}: give the stack's own name (${parts[2]}), not an org/project/stack reference; its stack file is Pulumi.${parts[2]}.yaml`;
  }
  if (stack === "") return "a stack name may not be empty";
  if (stack.length > 100) return "a stack name cannot exceed 100 characters";
  const valid = STACK_NAME_CHARS.exec(stack)![0].length;
  if (valid === stack.length) return undefined;
  return `stack ${JSON.stringify(stack)}: a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character ${JSON.stringify(stack[valid])} at position ${valid}`;
}

function readText(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`${file} not found`);
  return fs.readFileSync(file, "utf8");
}

/**
 * A project or stack file parsed as Pulumi reads it, or the reason Pulumi refuses it. Pulumi's CLI
 * unmarshals them with gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go, yamlMarshaler.Unmarshal;
 * workspace/loaders.go, LoadProjectStackBytes), which refuses a duplicate key in any mapping, reporting
 * every one as `line <n>: mapping key "<key>" already defined at line <m>`, and prefixes a syntax error
 * with `invalid YAML file: `. Without this, render would read the last of two keys and pass a file
 * `pulumi up` stops on. A syntax error is placed where this parser finds it; yaml.v3 sometimes names the
 * line where the enclosing block starts instead.
 */
export function readPulumiYaml(file: string): Document {
  const lines = new LineCounter();
  const doc = parseDocument(readText(file), { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new Error(`${path.basename(file)}: invalid YAML file: line ${at.line}, column ${at.col}: ${syntax.message}`);
  }
  const alias = unknownAlias(doc, lines);
  if (alias) throw new Error(`${path.basename(file)}: invalid YAML file: ${alias}`);
  const duplicates = duplicateKeys(doc, lines);
  if (duplicates.length > 0) throw new Error(`${path.basename(file)}: yaml: unmarshal errors:\n${duplicates.map((d) => `  ${d}`).join("\n")}`);
  return doc;
}

/** An alias to no anchor, which yaml.v3 refuses (decode.go, "unknown anchor") and this parser reads as null. */
function unknownAlias(doc: Document, lines: LineCounter): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      found = `line ${lines.linePos(alias.range?.[0] ?? 0).line}: unknown anchor '${alias.source}' referenced`;
      return visit.BREAK;
    },
  });
  return found;
}

/** Every key a mapping repeats, in yaml.v3's words and line numbers (decode.go, d.mapping). */
function duplicateKeys(doc: Document, lines: LineCounter): string[] {
  const found: { offset: number; text: string }[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const offset = pair.key.range[0];
        const earlier = first.get(key);
        if (earlier === undefined) first.set(key, offset);
        else found.push({ offset, text: `line ${lines.linePos(offset).line}: mapping key ${JSON.stringify(key)} already defined at line ${lines.linePos(earlier).line}` });
      }
    },
  });
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.text);
}

/** Numbers under the project's string keys written in a form Pulumi does not keep as text (1.20, 010, 1e3). */
function retypedValues(doc: Document, project: string): RetypedValue[] {
  const config = doc.get("config", true);
  if (!isMap(config)) return [];
  const found: RetypedValue[] = [];
  for (const pair of config.items) {
    const fullKey = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!fullKey.startsWith(`${project}:`) || !isScalar(pair.value) || typeof pair.value.value !== "number") continue;
    if (stackKeySpec(fullKey.slice(project.length + 1))?.type !== "string") continue; // 8.0 is 8 to an integer key
    const written = pair.value.source ?? "";
    const stored = storedText(pair.value.value);
    if ("text" in stored && written !== stored.text) found.push({ key: fullKey.slice(project.length + 1), written, stored: stored.text });
  }
  return found;
}

/**
 * Reads a stack's config as Pulumi would hand it to the program, from `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml`, without the Pulumi CLI. Secret values are replaced before anything sees them.
 */
export function readStackFile(projectDir: string, stack: string): StackFile {
  const bad = stackNameProblem(stack);
  if (bad) throw new Error(bad);
  const project = readPulumiYaml(path.join(projectDir, "Pulumi.yaml")).toJS() as { name?: unknown } | null;
  if (typeof project?.name !== "string") throw new Error("Pulumi.yaml has no project name");
  const doc = readPulumiYaml(path.join(projectDir, `Pulumi.${stack}.yaml`));
  const content = doc.toJS() as { config?: Record<string, unknown> } | null;
  const { raw: values, problems } = projectConfig(content?.config ?? {}, project.name, Object.keys(STACK_KEYS));
  const raw: RawConfig = {};
  const plaintextSecrets: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (stackKeySpec(key)?.secret) {
      const encrypted = typeof value === "object" && value !== null && "secure" in value;
      if (!encrypted) plaintextSecrets.push(key);
      raw[key] = SECRET_IS_SET;
    } else {
      raw[key] = value;
    }
  }
  return { project: project.name, raw, problems, plaintextSecrets, retyped: retypedValues(doc, project.name) };
}
