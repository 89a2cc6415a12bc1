import { REVISION_FILE } from "../../components/plan/ops-repository";
import { REVISION_KEY } from "../../components/kpack/revision";
import * as assert from "assert";
import { parseAllDocuments } from "yaml";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { opsFileContent } from "../../components/synth/ops-file";
import { toYaml, YamlValue } from "../../components/synth/yaml";
import { manyApps, settings } from "../helpers/fixtures";

/** What a YAML 1.2 reader (kustomize, Argo CD) and a YAML 1.1 reader (go-yaml v2) make of the text. */
function readBothWays(text: string): { v12: unknown[]; v11: unknown[] } {
  const read = (version: "1.1" | "1.2") =>
    parseAllDocuments(text, { version }).map((doc) => {
      assert.deepStrictEqual(doc.errors, [], `YAML ${version} errors in:\n${text}`);
      return doc.toJS();
    });
  return { v12: read("1.2"), v11: read("1.1") };
}

function assertRoundTrip(value: YamlValue): void {
  const text = toYaml(value as object);
  const { v12, v11 } = readBothWays(text);
  const expected = JSON.parse(JSON.stringify(value));
  assert.deepStrictEqual(v12, [expected], `YAML 1.2 reads back something else from:\n${text}`);
  assert.deepStrictEqual(v11, [expected], `YAML 1.1 reads back something else from:\n${text}`);
}

// Strings that look like something else to some YAML reader, or that need escapes or blocks.
const TRICKY_STRINGS = [
  "", " ", "plain", "two words", "true", "False", "yes", "No", "on", "OFF", "y", "N", "null", "Null", "~",
  "0", "1", "-1", "+1", "0x1f", "0o17", "0b101", "017", "1_000", "1e5", "1E+5", "1.5", ".5", "1.24.4", "1:20", "190:20:30",
  ".inf", "-.Inf", ".NaN", "2026-11-24", "2026-11-24T02:16:21Z", "1h30m", "0f3e2d1c4b5a69788776655443322110ffeeddcc",
  "1234567812345678123456781234567812345678", "12345678e2345678123456781234567812345678",
  "key: value", "key:value", "ends:", "a #comment", "a#b", "#start", "- item", "-", "? q", ": x", "[a]", "{a: b}", "a, b",
  "&anchor", "*alias", "!tag", "|", ">", "%directive", "@at", "`tick`", "'single'", '"double"', "it's", 'say "hi"',
  "$(params.revision)", "$(tt.params.git-revision)", "body.ref == 'refs/heads/main' && !body.deleted",
  "https://github.com/example-org/app.git", "registry.example.com/org/app@sha256:abc", "trailing ", " leading", "a  b",
  "tab\there", "line\nline", "line\n", "line\n\n", "\nleading newline", "  indented\nsecond", "a\n  b\n\tc\n", "last\n  ",
  "crlf\r\nline", "nul\u0000byte", "del\u007fchar", "bell\u0007", "nel\u0085line", "ls\u2028ps\u2029", "bom\ufeff",
  "\n  indented after an empty line\ny", "\n   \nx\n", "a\nb\u2028c\n", "a\n\ufeffb\n",
  "unicode é ✓ 雪", "emoji 😀", "lone \ud800 surrogate", "back\\slash", "---", "...", "--- doc", "<<",
];

describe("synth: toYaml", () => {
  it("writes every tricky string so that YAML 1.1 and 1.2 readers both read back the same string", () => {
    for (const s of TRICKY_STRINGS) {
      if (/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) continue; // a lone surrogate is not text
      assertRoundTrip({ value: s, [s || "empty"]: "as key", list: [s, { s }] });
    }
  });

  it("writes literal blocks for scripts, keeping every byte including trailing newlines", () => {
    const script = "#!/bin/sh\nset -eu\n\nif [ -n \"$X\" ]; then\n  echo \"x: $X\" # note\nfi\n";
    const text = toYaml({ spec: { steps: [{ name: "run", script }] } });
    assert.ok(text.includes("script: |\n        #!/bin/sh\n        set -eu\n\n        if"), text);
    assertRoundTrip({ script });
    assertRoundTrip({ keep: "a\nb\n\n\n", strip: "a\nb", clip: "a\nb\n" });
  });

  it("keeps key order, nested sequences, empty collections, numbers, booleans and null", () => {
    const value = { z: 1, a: [[1, 2], [], [{ b: null }]], m: {}, t: true, f: false, n: -2.5, big: 4294967296 };
    assertRoundTrip(value);
    assert.deepStrictEqual(Object.keys(readBothWays(toYaml(value)).v12[0] as object), ["z", "a", "m", "t", "f", "n", "big"]);
    assert.strictEqual(toYaml({ a: [{ b: 1, c: [{ d: 2 }] }] }), "a:\n  - b: 1\n    c:\n      - d: 2\n");
  });

  it("skips undefined fields as JSON does, and refuses what JSON cannot hold, naming where it is", () => {
    assert.strictEqual(toYaml({ a: undefined, b: 1 }), "b: 1\n");
    assert.throws(() => toYaml({ spec: { steps: [{ n: Number.NaN }] } }), /^Error: cannot write document 1 as YAML: \.spec\.steps\[0\]\.n is NaN, not a finite number$/);
    assert.throws(() => toYaml([{}, { when: new Date(0) }]), /^Error: cannot write document 2 as YAML: \.when is a Date, not plain data$/);
  });

  it("keeps characters that YAML 1.1 reads as line breaks out of literal blocks", () => {
    for (const text of ["a\nb\u2028c\n", "a\nb\u2029c\n", "a\n\ufeffb\n", "x\n\u0085y\n"]) {
      const yaml = toYaml({ text });
      assert.ok(yaml.startsWith('text: "'), `${JSON.stringify(text)} written as ${yaml}`);
      assert.doesNotMatch(yaml, /[\u2028\u2029\ufeff\u0085]/);
    }
  });

  it("reads back random nested data built from the tricky strings", () => {
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const build = (depth: number): YamlValue => {
      const kind = depth > 3 ? random(4) : random(6);
      if (kind === 0) return TRICKY_STRINGS[random(TRICKY_STRINGS.length)].replace(/[\ud800-\udfff]/g, "");
      if (kind === 1) return random(2) === 0 ? random(1000) - 500 : random(2) === 0;
      if (kind === 2) return null;
      if (kind === 3) return `w${random(100)}`;
      if (kind === 4) return Array.from({ length: random(4) }, () => build(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, () => [TRICKY_STRINGS[random(TRICKY_STRINGS.length)].replace(/[\ud800-\udfff]/g, ""), build(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) assertRoundTrip({ root: build(0) });
  });

  it("is a fixed point over everything a stack plans: each rendered file, read and written again, is unchanged", () => {
    const plan = planStack(settings({}, manyApps(3)), RENDER_SECRETS);
    // revision.yaml writes its revision double-quoted, whatever it holds; everything else as the writer decides.
    const texts = plan.apps.flatMap((app) => [
      ...app.repoFiles.map((f) => [opsFileContent(f).replace(/^(#.*\n)+/, ""), f.path === REVISION_FILE ? [REVISION_KEY] : []] as const),
      ...app.applications.map((a) => [toYaml(a), []] as const),
    ]);
    assert.strictEqual(texts.length, 3 * (4 + 2), "3 apps, each with 4 ops repository files and 2 Applications");
    for (const [text, doubleQuoted] of texts) {
      const { v12, v11 } = readBothWays(text);
      assert.deepStrictEqual(v11, v12);
      assert.strictEqual(toYaml(v12 as object[], undefined, { doubleQuoted }), text);
    }
  });
});
