// The language host shim passes Pulumi.yaml's runtime options to the old host as the flags it reads.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { languageHostShim } from "../../e2e/pulumi-cli";
import { tempDir } from "../helpers/fixtures";

describe("e2e: the language host shim", () => {
  it("starts the host with each runtime option as -key=value, before the CLI's own arguments, quoting kept", () => {
    const dir = tempDir("shim-");
    const host = path.join(dir, "host");
    // A stand-in host that prints the arguments it was given, one a line.
    fs.writeFileSync(host, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: --require ./scripts/register-ts.js\n    tsconfig: it's here.json\n");
    const shimDir = languageHostShim(host, dir, path.join(dir, "bin"));
    const out = execFileSync(path.join(shimDir, "pulumi-language-nodejs"), ["-root=/x", "127.0.0.1:1234"], { encoding: "utf8" });
    assert.deepStrictEqual(out.trim().split("\n"), ["-typescript=false", "-nodeargs=--require ./scripts/register-ts.js", "-tsconfig=it's here.json", "-root=/x", "127.0.0.1:1234"]);
  });

  it("passes the project's own options: the program starts through scripts/register-ts.js, not ts-node", () => {
    const dir = tempDir("shim-project-");
    fs.writeFileSync(path.join(dir, "host"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const shimDir = languageHostShim(path.join(dir, "host"), path.resolve(__dirname, "../.."), path.join(dir, "bin"));
    const out = execFileSync(path.join(shimDir, "pulumi-language-nodejs"), [], { encoding: "utf8" });
    assert.strictEqual(out.trim(), "-typescript=false -nodeargs=--require ./scripts/register-ts.js");
  });
});
