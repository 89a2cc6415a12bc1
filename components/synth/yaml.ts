/** The data a Kubernetes object or a repository file holds: what JSON can say. */
export type YamlValue = string | number | boolean | null | undefined | readonly YamlValue[] | { readonly [key: string]: YamlValue };

/**
 * The one way objects become YAML, for the ops repository and for `npm run render` alike: block style,
 * keys in the order they were built, multi-line strings as literal blocks (a script stays byte for byte).
 *
 * A small emitter rather than a general YAML library: planning a hundred apps spent most of its time
 * building and printing a YAML syntax tree. It writes a scalar plain only where YAML 1.1 and 1.2 readers
 * (Kubernetes' go-yaml, kustomize, Argo CD) all read it back as the same string; anything else is
 * double-quoted with JSON's escapes, which YAML shares. Tests parse every output back with both schemas.
 */
export function toYaml(objects: object | readonly object[], header?: string, options: YamlOptions = {}): string {
  const quoted = new Set(options.doubleQuoted ?? []);
  const docs = (Array.isArray(objects) ? objects : [objects]).map((o, i) => {
    try {
      return document(o as YamlValue, quoted);
    } catch (err) {
      if (!(err instanceof Unwritable)) throw err;
      throw new Error(`cannot write document ${i + 1} as YAML: ${err.path.join("") || "its top"} is ${err.what}`);
    }
  });
  const head = header ? header.split("\n").map((line) => (line ? `# ${line}` : "#")).join("\n") + "\n" : "";
  return head + docs.join("---\n");
}

export interface YamlOptions {
  /**
   * Keys whose string values are always written double-quoted, whatever they hold: for a line that a
   * shell script rewrites and must write exactly as this writer does (revision.yaml's revision).
   */
  doubleQuoted?: readonly string[];
}

/** The keys written double-quoted; empty almost always. */
type Quoted = ReadonlySet<string>;

function document(value: YamlValue, quoted: Quoted): string {
  if (isMap(value) && Object.keys(value).length > 0) return mapBlock(value, "", quoted);
  if (Array.isArray(value) && value.length > 0) return seqBlock(value, "", quoted);
  return `${inline(value, "")}\n`;
}

/** A value JSON could not hold either (NaN, a Date, a class instance), and where it sits. */
class Unwritable extends Error {
  readonly path: string[] = [];
  constructor(readonly what: string) {
    super(what);
  }
}

/** A plain object, as object literals and JSON.parse make: the only objects written as mappings. */
function isMap(value: YamlValue): value is { readonly [key: string]: YamlValue } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Runs `write` for one entry, naming the entry on the way out when it meets something unwritable. */
function entry(step: string, write: () => string): string {
  try {
    return write();
  } catch (err) {
    if (err instanceof Unwritable) err.path.unshift(step);
    throw err;
  }
}

function mapBlock(map: { readonly [key: string]: YamlValue }, indent: string, quoted: Quoted): string {
  let out = "";
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    if (typeof value === "string" && quoted.has(key) && !value.includes("\n")) {
      out += `${indent}${scalar(key)}: ${doubleQuoted(value)}\n`;
      continue;
    }
    out += entry(`.${key}`, () => `${indent}${scalar(key)}:${afterIndicator(value, indent, quoted)}`);
  }
  return out;
}

function seqBlock(seq: readonly YamlValue[], indent: string, quoted: Quoted): string {
  let out = "";
  seq.forEach((item, i) => {
    const nested = entry(`[${i}]`, () => afterIndicator(item ?? null, indent, quoted));
    // A nested block starts on the dash's line (`- name: x`), as people write YAML.
    out += nested.startsWith("\n") ? `${indent}- ${nested.slice(indent.length + 3)}` : `${indent}-${nested}`;
  });
  return out;
}

/** What follows `key:` or `-` at `indent`: a nested block on the next lines, or ` scalar` and a newline. */
function afterIndicator(value: YamlValue, indent: string, quoted: Quoted): string {
  const inner = `${indent}  `;
  if (isMap(value) && Object.keys(value).length > 0) return `\n${mapBlock(value, inner, quoted)}`;
  if (Array.isArray(value) && value.length > 0) return `\n${seqBlock(value, inner, quoted)}`;
  return ` ${inline(value, inner)}\n`;
}

function inline(value: YamlValue, contentIndent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return scalar(value, contentIndent);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Unwritable(`${value}, not a finite number`);
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "[]";
  if (isMap(value)) return "{}";
  throw new Unwritable(`a ${Object.getPrototypeOf(value)?.constructor?.name ?? typeof value}, not plain data`);
}

// Plain only when every reader agrees it is this string: starts with a letter, `_`, `/`, `$` or `(`
// (never a sign or indicator), no `#`, single spaces between words; `: ` is ruled out below.
const PLAIN = /^[A-Za-z_/$(][\w/$.(){}@+=:,%~'"!&*?;<>|[\]-]*(?: [\w/$.(){}@+=:,%~'"!&*?;<>|[\]-]+)*$/;
// Or a word of digits and letters that no reader takes for a number (a commit SHA, `1h30m`): it needs a
// letter other than an exponent's `e`, and no 0b/0o/0x prefix.
const PLAIN_FROM_DIGIT = /^(?!0[box])[0-9][0-9A-Za-z]*[a-df-zA-DF-Z][0-9A-Za-z]*$/i;
// Words that YAML 1.1 (go-yaml) reads as booleans or null.
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
// Characters a literal block cannot hold verbatim; YAML 1.1 readers also break lines at U+2028/2029.
const NOT_LITERAL = /[^\t\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]|[\ud800-\udfff\u2028\u2029\ufeff]/;
// Characters JSON leaves raw but YAML wants escaped.
const YAML_ESCAPE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

/** A plain or quoted scalar; a literal block where `blockIndent` is given (values, never keys). */
function scalar(text: string, blockIndent?: string): string {
  if (blockIndent !== undefined && text.includes("\n")) return multiline(text, blockIndent);
  return singleLine(text);
}

function singleLine(text: string): string {
  if (PLAIN_FROM_DIGIT.test(text)) return text;
  if (PLAIN.test(text) && !text.includes(": ") && !text.endsWith(":") && !RESERVED.test(text)) return text;
  return doubleQuoted(text);
}

function doubleQuoted(text: string): string {
  return JSON.stringify(text).replace(YAML_ESCAPE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function isLiteralSafe(text: string): boolean {
  // A first content line starting with a blank (after any empty lines) would need an indentation
  // indicator: rare enough to quote instead.
  return !NOT_LITERAL.test(text) && !/^(?:[ \t]*\n)*[ \t]/.test(text) && text.trim() !== "";
}

// Every app's Task carries the same script: how it is written is worked out once per indentation.
const multilines = new Map<string, Map<number, string>>();

function multiline(text: string, blockIndent: string): string {
  let byIndent = multilines.get(text);
  if (byIndent === undefined) {
    if (multilines.size >= 256) multilines.clear(); // bounded: a plan holds a handful of distinct scripts
    multilines.set(text, (byIndent = new Map()));
  }
  let written = byIndent.get(blockIndent.length);
  if (written === undefined) byIndent.set(blockIndent.length, (written = isLiteralSafe(text) ? literalBlock(text, blockIndent) : singleLine(text)));
  return written;
}

function literalBlock(text: string, contentIndent: string): string {
  const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? text : text.slice(0, -1);
  const lines = body.split("\n").map((line) => (line ? `${contentIndent}${line}` : ""));
  return `|${chomp}\n${lines.join("\n")}`;
}
