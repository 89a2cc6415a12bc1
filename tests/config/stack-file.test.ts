// Stack and project files read as Pulumi's CLI reads them: gopkg.in/yaml.v3 (sdk/go/common/encoding/marshal.go,
// yamlMarshaler.Unmarshal) refuses a duplicate key and a syntax error, so render, and with it diff, do too.
// The expected texts are what yaml.v3 v3.0.1's Unmarshal returns for the same files (its decode.go, d.mapping:
// `line <n>: mapping key "<key>" already defined at line <m>`, under `yaml: unmarshal errors:`).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../../components/config/stack-file";
import { renderStack } from "../../scripts/render";
import { appEntry, stackProject, tempDir } from "../helpers/fixtures";
import { stringify } from "yaml";

const P = "deliberate-image-builds";

/** A stack file as a person edits it: the config stringify writes, with extra lines spliced in. */
function stackText(extra: string): string {
  return stringify({ config: { [`${P}:githubOwner`]: "example-org", [`${P}:apps`]: [appEntry()] } }) + extra;
}

function lineOf(text: string, fragment: string, nth = 0): number {
  return text.split("\n").map((l, i) => [l, i + 1] as const).filter(([l]) => l.includes(fragment))[nth][1];
}

describe("config: stack files as Pulumi reads them", () => {
  it("refuses a key a stack file sets twice, with Pulumi's words and line numbers, the first and the repeat", () => {
    const text = stackText(`  ${P}:githubOwner: another-org\n`);
    const dir = stackProject("dev", text);
    assert.throws(
      () => readStackFile(dir, "dev"),
      (err: Error) =>
        err.message ===
        `Pulumi.dev.yaml: yaml: unmarshal errors:\n  line ${lineOf(text, `${P}:githubOwner`, 1)}: mapping key "${P}:githubOwner" already defined at line ${lineOf(text, `${P}:githubOwner`)}`,
    );
  });

  it("refuses a key repeated inside an app entry, every repeat listed in order", () => {
    const text = ["config:", `  ${P}:githubOwner: example-org`, `  ${P}:apps:`, "    - name: go-sample-app", "      repo: go-sample-app", "      name: other", "      repo: other", ""].join("\n");
    const dir = stackProject("dev", text);
    assert.throws(
      () => readStackFile(dir, "dev"),
      (err: Error) => err.message === 'Pulumi.dev.yaml: yaml: unmarshal errors:\n  line 6: mapping key "name" already defined at line 4\n  line 7: mapping key "repo" already defined at line 5',
    );
  });

  it("refuses broken indentation, tabs and an unclosed quote, naming the line and column", () => {
    const cases: [string, RegExp][] = [
      [["config:", `  ${P}:githubOwner: example-org`, ` ${P}:gitHost: https://github.com`, ""].join("\n"), /^Error: Pulumi\.dev\.yaml: invalid YAML file: line 3, column 1: All mapping items must start at the same column$/],
      [["config:", `\t${P}:githubOwner: example-org`, ""].join("\n"), /^Error: Pulumi\.dev\.yaml: invalid YAML file: line 2, column 1: Tabs are not allowed as indentation$/],
      [["config:", `  ${P}:githubOwner: "example-org`, `  ${P}:gitHost: https://github.com`, ""].join("\n"), /^Error: Pulumi\.dev\.yaml: invalid YAML file: line 4, column 1: Missing closing "quote$/],
      [["config:", `  ${P}:githubOwner: *owner`, ""].join("\n"), /^Error: Pulumi\.dev\.yaml: invalid YAML file: line 2: unknown anchor 'owner' referenced$/],
    ];
    for (const [text, expected] of cases) assert.throws(() => readStackFile(stackProject("dev", text), "dev"), expected, text);
  });

  it("refuses a Pulumi.yaml Pulumi refuses, too", () => {
    const dir = stackProject("dev", stackText(""));
    fs.appendFileSync(path.join(dir, "Pulumi.yaml"), "name: another-name\n");
    assert.throws(() => readStackFile(dir, "dev"), /^Error: Pulumi\.yaml: yaml: unmarshal errors:\n  line \d+: mapping key "name" already defined at line 1$/);
  });

  it("makes render fail on such a file, writing nothing", () => {
    const dir = stackProject("dev", stackText(`  ${P}:githubOwner: another-org\n`));
    const out = tempDir("render-refused-");
    assert.throws(() => renderStack({ projectDir: dir, stack: "dev", out }), /mapping key "deliberate-image-builds:githubOwner" already defined/);
    assert.deepStrictEqual(fs.readdirSync(out), []);
  });

  it("still reads a well-formed stack file, anchors and aliases included", () => {
    const text = ["config:", `  ${P}:githubOwner: &owner example-org`, `  ${P}:apps:`, "    - name: go-sample-app", "      repo: go-sample-app", "      opsRepo: go-sample-app-ops", "      image: registry.example.com/example-org/go-sample-app", `      initialRevision: "${"0".repeat(40)}"`, ""].join("\n");
    assert.strictEqual(readStackFile(stackProject("dev", text), "dev").raw.githubOwner, "example-org");
  });
});
