// goPackage goes unquoted into the catalog golang-test's script and into golangci-lint's mountPath, so
// the config takes only what Go takes as an import path: judged here by Go's own check.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { ConfigError } from "../../components/config/errors";
import { parseSettings } from "../../components/config/parse";
import { goImportPath } from "../../components/config/validators";
import { appEntry, rawStack } from "../helpers/fixtures";

/** golang.org/x/mod/module.CheckImportPath's verdict on each path: "" where Go accepts it, else why not. */
function goVerdicts(paths: string[]): string[] {
  return JSON.parse(
    execFileSync("go", ["run", "-p", "2", "."], { cwd: path.join(__dirname, "../go/import-path"), input: JSON.stringify(paths), encoding: "utf8" }),
  ) as string[];
}

/** Deterministic random strings over characters an import path may or may not hold, so a failure replays. */
function randomPaths(count: number, seed: number): string[] {
  const chars = "ab.-_~+/Z09;$ '\"`\\()*&|<>:é";
  let state = seed;
  const next = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(10) }, () => chars[next(chars.length)]).join(""));
}

describe("config: goPackage is a Go import path", () => {
  it("accepts exactly what Go accepts as an import path", function () {
    this.timeout(180000); // the first build of the check fetches golang.org/x/mod
    const named = [
      "github.com/example-org/go-sample-app", "example.com/team/app/v2", "gopkg.in/yaml.v3", "a", "a+b/c~d_e.f",
      "", "-x", "a//b", "a/", "/a", ".", "..", "a/../b", "a/.b", "a.", "a b", "a;rm -rf /", "$(id)", "a`id`", "a\nb",
      "x/con", "x/COM1.go", "x/lpt9", "x/com0", "x/a~1", "x/a~b", "é/x",
    ];
    const paths = [...named, ...randomPaths(600, 7)];
    const verdicts = goVerdicts(paths);
    const disagree = paths.flatMap((p, i) =>
      (verdicts[i] === "") === (goImportPath(p) === undefined) ? [] : [`${JSON.stringify(p)}: go says ${verdicts[i] || "ok"}; goPackage says ${goImportPath(p) ?? "ok"}`],
    );
    assert.deepStrictEqual(disagree, []);
    // The sample holds both kinds.
    assert.ok(verdicts.filter((v) => v === "").length > 20 && verdicts.filter((v) => v !== "").length > 100);
  });

  it("rejects a goPackage that is no import path, naming the key, the value and what is expected", () => {
    for (const bad of ["example.com/app; rm -rf /", "example.com/$(id)", "../../etc", "example.com/app/"]) {
      assert.throws(
        () => parseSettings(rawStack({}, [appEntry("a", { goPackage: bad })])),
        (err) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.strictEqual(err.problems.length, 1, err.message);
          const expected = `apps[0].goPackage: got ${JSON.stringify(bad)}; expected a Go import path such as github.com/example-org/app`;
          assert.ok(err.message.includes(expected), err.message);
          return true;
        },
        `${bad} was accepted`,
      );
    }
    assert.strictEqual(parseSettings(rawStack({}, [appEntry("a", { goPackage: "example.com/team/app" })])).apps[0].goPackage, "example.com/team/app");
  });
});
