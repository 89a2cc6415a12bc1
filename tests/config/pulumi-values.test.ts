// Config as the CLI writes it: render and diff read the stack file, pulumi up reads what the engine hands the
// program; both must accept exactly what Pulumi accepts for each type Pulumi.yaml declares, and agree.
import * as assert from "assert";
import { ConfigError } from "../../components/config/errors";
import { parseSettings, settingsFromPulumiConfig } from "../../components/config/parse";
import { StackSettings } from "../../components/config/settings";
import { readStackFile } from "../../components/config/stack-file";
import { renderStack } from "../../scripts/render";
import { appEntry, stackProject, tempDir } from "../helpers/fixtures";

const P = "deliberate-image-builds";
const BASE = `config:\n  ${P}:githubOwner: example-org\n  ${P}:apps:\n    - name: go-sample-app\n      repo: go-sample-app\n      branch: main\n      opsRepo: go-sample-app-ops\n      image: registry.example.com/example-org/go-sample-app\n      initialRevision: ${appEntry().initialRevision}\n`;

type Outcome = { settings: StackSettings } | { problems: string[] };

function outcome(read: () => StackSettings): Outcome {
  try {
    return { settings: read() };
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return { problems: err.message.split("\n").slice(1) };
  }
}

/**
 * render's and diff's reading: the stack file as written, one more line of YAML under `config:` (in place
 * of the base's line for the same key: Pulumi refuses a key set twice).
 */
function viaStackFile(line: string): Outcome {
  const key = line.slice(0, line.indexOf(":", P.length + 1) + 1);
  const base = BASE.split("\n").filter((l) => !l.startsWith(`  ${key}`)).join("\n");
  const dir = stackProject("dev", `${base}  ${line}\n`);
  const file = readStackFile(dir, "dev");
  return outcome(() => parseSettings(file.raw, file.problems));
}

/** pulumi up's reading: the text Pulumi stores for that value and hands the program (every value a string). */
function viaPulumi(key: string, text: string): Outcome {
  const all = { [`${P}:githubOwner`]: "example-org", [`${P}:apps`]: JSON.stringify([appEntry()]), [`${P}:${key}`]: text };
  return outcome(() => settingsFromPulumiConfig(all, P));
}

describe("config: values as Pulumi stores them, one reading for render, diff and pulumi up", () => {
  // [line in the stack file, key, the text Pulumi hands the program, what the setting becomes]
  const accepted: [string, string, string, (s: StackSettings) => unknown, unknown][] = [
    [`${P}:writeBackAttempts: "8"`, "writeBackAttempts", "8", (s) => s.writeBack.maxAttempts, 8], // pulumi config set writeBackAttempts 8
    [`${P}:writeBackAttempts: 8`, "writeBackAttempts", "8", (s) => s.writeBack.maxAttempts, 8], // --type int, or by hand
    [`${P}:writeBackAttempts: "+8"`, "writeBackAttempts", "+8", (s) => s.writeBack.maxAttempts, 8], // strconv.Atoi takes a sign
    [`${P}:writeBackAttempts: "08"`, "writeBackAttempts", "08", (s) => s.writeBack.maxAttempts, 8],
    [`${P}:writeBackAttempts: 8.0`, "writeBackAttempts", "8", (s) => s.writeBack.maxAttempts, 8], // a YAML float stored as JSON: 8
    [`${P}:argocdPrune: "false"`, "argocdPrune", "false", (s) => s.argocd.prune, false], // pulumi config set argocdPrune false
    [`${P}:argocdPrune: false`, "argocdPrune", "false", (s) => s.argocd.prune, false],
    [`${P}:argocdSelfHeal: False`, "argocdSelfHeal", "false", (s) => s.argocd.selfHeal, false], // YAML's bool, stored "false"
    [`${P}:goVersion: "1.20"`, "goVersion", "1.20", (s) => s.toolchains.goVersion, "1.20"],
    [`${P}:goVersion: 1.20`, "goVersion", "1.2", (s) => s.toolchains.goVersion, "1.2"], // a YAML float: Pulumi stores 1.2
    [`${P}:goVersion: 1.2`, "goVersion", "1.2", (s) => s.toolchains.goVersion, "1.2"],
    [`${P}:githubOwner: 1234`, "githubOwner", "1234", (s) => s.githubOwner, "1234"], // any scalar is text to a string key
    [`${P}:gitAuthorName: true`, "gitAuthorName", "true", (s) => s.writeBack.authorName, "true"],
    [`${P}:kubeContext: ""`, "kubeContext", "", (s) => s.kubeContext, undefined],
    [`${P}:kubeContext:`, "kubeContext", "", (s) => s.kubeContext, undefined], // YAML null: Pulumi keeps ""
  ];
  for (const [line, key, text, pick, expected] of accepted) {
    it(`takes ${line} as pulumi up does: ${JSON.stringify(expected)}`, () => {
      const fromFile = viaStackFile(line);
      const fromPulumi = viaPulumi(key, text);
      assert.ok("settings" in fromFile, `render refused: ${JSON.stringify(fromFile)}`);
      assert.ok("settings" in fromPulumi, `pulumi up path refused: ${JSON.stringify(fromPulumi)}`);
      assert.deepStrictEqual(pick(fromFile.settings), expected);
      assert.deepStrictEqual(fromFile.settings, fromPulumi.settings);
    });
  }

  // [line, key, the text Pulumi would hold (undefined: an object, which the engine refuses for any scalar type), message]
  const refused: [string, string, string | undefined, RegExp][] = [
    [`${P}:writeBackAttempts: "8.5"`, "writeBackAttempts", "8.5", /writeBackAttempts: got "8\.5"; expected a whole number: Pulumi\.yaml declares writeBackAttempts type integer, which takes decimal digits only.*so pulumi up refuses this value too/],
    [`${P}:writeBackAttempts: 8.5`, "writeBackAttempts", "8.5", /writeBackAttempts: got 8\.5; expected a whole number: .*pulumi up refuses this value too/],
    [`${P}:writeBackAttempts: eight`, "writeBackAttempts", "eight", /got "eight"; expected a whole number/],
    [`${P}:writeBackAttempts: "1e3"`, "writeBackAttempts", "1e3", /got "1e3"; expected a whole number/],
    [`${P}:writeBackAttempts: "0x8"`, "writeBackAttempts", "0x8", /got "0x8"; expected a whole number/],
    [`${P}:writeBackAttempts: ""`, "writeBackAttempts", "", /got ""; expected a whole number/],
    [`${P}:writeBackAttempts:`, "writeBackAttempts", "", /got (an empty value|""); expected a whole number/],
    [`${P}:writeBackAttempts: "99999999999999999999"`, "writeBackAttempts", "99999999999999999999", /expected a whole number/], // beyond int64: Atoi fails
    [`${P}:writeBackAttempts: [8]`, "writeBackAttempts", undefined, /got \[8\]; expected a whole number: .*and a list is not one/],
    [`${P}:argocdPrune: "yes"`, "argocdPrune", "yes", /argocdPrune: got "yes"; expected true or false: Pulumi\.yaml declares argocdPrune type boolean, which takes exactly true or false.*pulumi up refuses this value too/],
    [`${P}:argocdPrune: "True"`, "argocdPrune", "True", /got "True"; expected true or false/],
    [`${P}:argocdPrune: 1`, "argocdPrune", "1", /got (1|"1"); expected true or false/],
    [`${P}:goVersion: {major: 1}`, "goVersion", undefined, /goVersion: got \{"major":1\}; expected a string: .*and a map is not one/],
  ];
  for (const [line, key, text, message] of refused) {
    it(`refuses ${line}, as Pulumi does, saying why`, () => {
      const fromFile = viaStackFile(line);
      assert.ok("problems" in fromFile, `render accepted ${line}`);
      assert.ok(fromFile.problems.some((p) => message.test(p)), `${message} not in:\n${fromFile.problems.join("\n")}`);
      if (text !== undefined) {
        const fromPulumi = viaPulumi(key, text);
        assert.ok("problems" in fromPulumi, `the pulumi up path accepted ${JSON.stringify(text)}`);
        assert.match(fromPulumi.problems.join("\n"), /pulumi up refuses this value too/);
      }
    });
  }

  it("still applies the program's own limits to a value Pulumi accepts", () => {
    const p = viaStackFile(`${P}:writeBackAttempts: "0"`);
    assert.ok("problems" in p);
    assert.deepStrictEqual(p.problems, [`  - ${P}:writeBackAttempts: got 0; expected a whole number from 1 to 20`]);
  });

  it("render takes a stack file written by pulumi config set, and warns where YAML changed a value's text", () => {
    const dir = stackProject("dev", `${BASE}  ${P}:writeBackAttempts: "8"\n  ${P}:argocdPrune: "false"\n  ${P}:privateRepositories: "false"\n  ${P}:goVersion: 1.20\n  ${P}:golangciLintVersion: v2.1.6\n`);
    const r = renderStack({ projectDir: dir, stack: "dev", out: tempDir("render-") });
    assert.ok(r.files.length > 0);
    const [yaml, ...more] = r.warnings;
    assert.strictEqual(yaml, `Pulumi.dev.yaml: ${P}:goVersion is written 1.20, which YAML reads as a number, and Pulumi stores "1.2"; render uses "1.2" as pulumi up would. Quote it ("1.20") to keep the text as written`);
    // And what a preview warns of too: the stack sets no write-back or read token of its own.
    assert.deepStrictEqual(more.map((w) => /githubToken also serves in the cluster/.test(w)), [true]);
  });
});

describe("config: a misspelt project namespace", () => {
  const misspelt = `config:\n  deliberate-image-build:githubOwner: example-org\n${BASE.split("\n").slice(2).join("\n")}`;

  it("is named, with the key expected, by render and by pulumi up's reading alike", () => {
    const dir = stackProject("dev", misspelt);
    assert.throws(
      () => renderStack({ projectDir: dir, stack: "dev", out: tempDir("render-") }),
      (err: Error) => {
        assert.match(err.message, /^ {2}- deliberate-image-build:githubOwner: not read: namespace "deliberate-image-build" is not the project's; expected deliberate-image-builds:githubOwner/m);
        assert.match(err.message, /deliberate-image-builds:githubOwner: got nothing; it is required/);
        return true;
      },
    );
    const all = { "deliberate-image-build:githubOwner": "example-org", [`${P}:apps`]: JSON.stringify([appEntry()]), "kubernetes:context": "kind" };
    const up = outcome(() => settingsFromPulumiConfig(all, P));
    assert.ok("problems" in up);
    assert.ok(up.problems.some((l) => l.includes("deliberate-image-build:githubOwner: not read") && l.includes(`expected ${P}:githubOwner`)), up.problems.join("\n"));
  });

  it("catches one of the project's keys under another package's namespace, and leaves provider config alone", () => {
    const all = {
      [`${P}:githubOwner`]: "example-org",
      [`${P}:apps`]: JSON.stringify([appEntry()]),
      "github:owner": "example-org",
      "kubernetes:context": "kind",
      "aws:writeBackAttempts": "3",
      "Deliberate-Image-Builds:argocdPrune": "false",
    };
    const up = outcome(() => settingsFromPulumiConfig(all, P));
    assert.ok("problems" in up);
    assert.deepStrictEqual(
      up.problems.map((l) => l.split(":").slice(0, 2).join(":")),
      ["  - aws:writeBackAttempts", "  - Deliberate-Image-Builds:argocdPrune"],
    );
  });
});
