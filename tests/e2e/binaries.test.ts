import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { findBinaries, searchPath, toolsBinDir, TOOLS } from "../../e2e/binaries";
import { tempDir } from "../helpers/fixtures";

function fakeTools(dir: string, tools: readonly string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const tool of tools) fs.writeFileSync(path.join(dir, tool), "#!/bin/sh\n", { mode: 0o755 });
}

describe("e2e: finding the real binaries", () => {
  it("takes E2E_BIN first, then the e2e:tools folder, then PATH", () => {
    const root = tempDir("e2e-bin-");
    const env = { E2E_BIN: path.join(root, "given"), E2E_TOOLS_DIR: path.join(root, "built"), PATH: path.join(root, "path") };
    fakeTools(env.E2E_BIN, ["pulumi"]);
    fakeTools(toolsBinDir(env), TOOLS.filter((t) => t !== "git"));
    fakeTools(env.PATH, TOOLS);
    const { bin, lacking } = findBinaries(env);
    assert.deepStrictEqual(lacking, []);
    assert.strictEqual(bin.pulumi, path.join(env.E2E_BIN, "pulumi"));
    assert.strictEqual(bin.etcd, path.join(root, "built", "bin", "etcd"));
    assert.strictEqual(bin.git, path.join(env.PATH, "git"));
    assert.deepStrictEqual(searchPath(env), [env.E2E_BIN, path.join(root, "built", "bin"), env.PATH]);
  });

  it("names every missing tool and how to get them, in one error", () => {
    const root = tempDir("e2e-bin-");
    const env = { E2E_TOOLS_DIR: path.join(root, "built"), PATH: path.join(root, "path"), HOME: root };
    fakeTools(env.PATH, TOOLS.filter((t) => t !== "etcd" && t !== "pulumi-resource-github"));
    // Not executable: does not count.
    fs.writeFileSync(path.join(env.PATH, "etcd"), "", { mode: 0o644 });
    assert.throws(() => findBinaries(env), /not found: pulumi-resource-github, etcd .*npm run e2e:tools/);
    // A tool the caller can do without is reported, not thrown about.
    assert.throws(() => findBinaries(env, ["pulumi-resource-github"]), /not found: etcd \(/);
    fs.chmodSync(path.join(env.PATH, "etcd"), 0o755);
    assert.deepStrictEqual(findBinaries(env, ["pulumi-resource-github"]).lacking, ["pulumi-resource-github"]);
  });
});
