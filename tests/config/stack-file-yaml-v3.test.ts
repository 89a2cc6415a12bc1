// The stack files render and diff refuse, judged by the parser Pulumi's CLI reads them with:
// gopkg.in/yaml.v3 v3.0.1 (what github.com/pulumi/pulumi/sdk/v3's go.mod requires; encoding/marshal.go,
// yamlMarshaler.Unmarshal), built from the Go module proxy into a temporary folder outside the repository.
// Slow (a Go build): in npm run test:slow. Without `go` it fails saying so.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readPulumiYaml } from "../../components/config/stack-file";
import { tempDir } from "../helpers/fixtures";

const P = "deliberate-image-builds";

// Prints, for each file, what LoadProjectStackBytes would fail with (its Unmarshal's error, wrapped as
// marshal.go wraps it), or "ok".
const PROBE = `package main

import (
	"fmt"
	"os"

	yaml "gopkg.in/yaml.v3"
)

func main() {
	for _, f := range os.Args[1:] {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var v any
		err = yaml.Unmarshal(b, &v)
		if _, ok := err.(*yaml.TypeError); ok {
			fmt.Printf("%q\\n", err.Error())
		} else if err != nil {
			fmt.Printf("%q\\n", fmt.Errorf("invalid YAML file: %w", err).Error())
		} else {
			fmt.Printf("%q\\n", "ok")
		}
	}
}
`;

/** yaml.v3's verdict on each file, as LoadProjectStackBytes returns it. */
function yamlV3(files: string[]): string[] {
  const dir = tempDir("yaml-v3-probe-");
  fs.writeFileSync(path.join(dir, "main.go"), PROBE);
  fs.writeFileSync(path.join(dir, "go.mod"), "module yamlprobe\n\ngo 1.22\n\nrequire gopkg.in/yaml.v3 v3.0.1\n");
  fs.writeFileSync(
    path.join(dir, "go.sum"),
    "gopkg.in/yaml.v3 v3.0.1 h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=\ngopkg.in/yaml.v3 v3.0.1/go.mod h1:K4uyk7z7BCEPqu6E+C64Yfv1cQ7kz7rIZviUmN+EgEM=\n",
  );
  const build = spawnSync("go", ["build", "-p", "2", "-o", "probe", "."], { cwd: dir, encoding: "utf8" });
  if (build.error) throw new Error(`go not found (${build.error.message}): this test builds gopkg.in/yaml.v3, the parser Pulumi reads stack files with`);
  assert.strictEqual(build.status, 0, build.stderr);
  const run = spawnSync(path.join(dir, "probe"), files, { encoding: "utf8" });
  assert.strictEqual(run.status, 0, run.stderr);
  return run.stdout.trim().split("\n").map((l) => JSON.parse(l) as string);
}

/** What render's reading says of the file: "ok", or its error without the file name it starts with. */
function ours(file: string): string {
  try {
    readPulumiYaml(file);
    return "ok";
  } catch (err) {
    return (err as Error).message.replace(`${path.basename(file)}: `, "");
  }
}

const CASES: Record<string, string[]> = {
  "well-formed": ["config:", `  ${P}:githubOwner: &owner example-org`, `  ${P}:gitAuthorName: *owner`, `  ${P}:apps:`, "    - name: go-sample-app", "      repo: go-sample-app"],
  "a key set twice": ["config:", `  ${P}:githubOwner: example-org`, `  ${P}:gitHost: https://github.com`, `  ${P}:githubOwner: another-org`],
  "keys repeated in an app": ["config:", `  ${P}:apps:`, "    - name: a", "      repo: r", "      name: b", "    - name: c", "      name: d"],
  "a quoted and a plain key alike": ["config:", `  ${P}:githubOwner: example-org`, `  "${P}:githubOwner": another-org`],
  "config twice": ["config:", `  ${P}:githubOwner: example-org`, "config:", `  ${P}:gitHost: https://github.com`],
  "an item indented too far": ["config:", `  ${P}:githubOwner: example-org`, `   ${P}:gitHost: https://github.com`],
  "an item indented too little": ["config:", `  ${P}:githubOwner: example-org`, ` ${P}:gitHost: https://github.com`],
  "a tab": ["config:", `\t${P}:githubOwner: example-org`],
  "an unclosed quote": ["config:", `  ${P}:githubOwner: "example-org`, `  ${P}:gitHost: https://github.com`],
  "an alias to no anchor": ["config:", `  ${P}:githubOwner: *owner`],
};

describe("config: stack files judged by gopkg.in/yaml.v3, Pulumi's parser", function () {
  this.timeout(180000);

  it("refuses what Pulumi refuses and reads what it reads; a duplicate key in Pulumi's exact words", () => {
    const dir = tempDir("stack-files-");
    const names = Object.keys(CASES);
    const files = names.map((name, i) => {
      const file = path.join(dir, `case-${i}.yaml`);
      fs.writeFileSync(file, `${CASES[name].join("\n")}\n`);
      return file;
    });
    const pulumi = yamlV3(files);
    names.forEach((name, i) => {
      const mine = ours(files[i]);
      assert.strictEqual(mine === "ok", pulumi[i] === "ok", `${name}: render says ${JSON.stringify(mine)}, Pulumi ${JSON.stringify(pulumi[i])}`);
      if (pulumi[i].startsWith("yaml: unmarshal errors:")) assert.strictEqual(mine, pulumi[i], name);
      if (pulumi[i].startsWith("invalid YAML file: ")) assert.match(mine, /^invalid YAML file: line \d+/, name);
    });
    assert.ok(pulumi.filter((v) => v.startsWith("yaml: unmarshal errors:")).length >= 3, "the duplicate-key cases are Pulumi's refusals");
  });
});
