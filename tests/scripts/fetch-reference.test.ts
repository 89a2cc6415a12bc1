import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { filesUnder } from "../../scripts/render";
import { REFERENCE_DIR } from "../helpers/reference";
import { tempDir } from "../helpers/fixtures";

const SCRIPT = path.resolve(__dirname, "../../scripts/fetch-reference.sh");

/** The `<path> <url>` pairs the script fetches. */
function fetchList(): { file: string; url: string }[] {
  const list = /list="\n([\s\S]*?)\n"/.exec(fs.readFileSync(SCRIPT, "utf8"));
  assert.ok(list, "the script's list");
  return list[1].split("\n").map((line) => {
    const [file, url] = line.split(" ");
    return { file, url: url.replace("$raw", "https://raw.githubusercontent.com") };
  });
}


describe("scripts: fetch-reference.sh", () => {
  it("fetches exactly the reference files the tests read, so a fresh clone elsewhere can run npm test", () => {
    const listed = fetchList().map((f) => f.file).sort();
    assert.deepStrictEqual(listed, filesUnder(REFERENCE_DIR).filter((f) => f !== "README.md"));
  });

  it("fetches each at a tag or a full commit, never a moving branch", () => {
    for (const { file, url } of fetchList()) {
      assert.match(url, /^https:\/\/raw\.githubusercontent\.com\/[\w.-]+\/[\w.-]+\/(v\d+\.\d+\.\d+|[0-9a-f]{40})\//, `${file}: ${url}`);
    }
  });

  it("fetches only what is missing, each file whole, and fails on a failed download", () => {
    const target = tempDir("reference-");
    fs.cpSync(REFERENCE_DIR, target, { recursive: true });
    const missing = fetchList()[3].file;
    fs.rmSync(path.join(target, missing));
    const bin = tempDir("fake-curl-");
    // curl as the script calls it: writes to its -o file, or fails as curl --fail does on an HTTP error.
    fs.writeFileSync(path.join(bin, "curl"), '#!/bin/sh\nwhile [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done\n[ -n "$FAIL" ] && exit 22\necho fetched > "$out"\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const r = spawnSync("sh", [SCRIPT, target], { encoding: "utf8", env });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, `fetched ${missing}\n`);
    assert.strictEqual(fs.readFileSync(path.join(target, missing), "utf8"), "fetched\n");

    fs.rmSync(path.join(target, missing));
    const failed = spawnSync("sh", [SCRIPT, target], { encoding: "utf8", env: { ...env, FAIL: "1" } });
    assert.notStrictEqual(failed.status, 0);
    assert.ok(!fs.existsSync(path.join(target, missing)), "no half file left where a whole one belongs");
  });

  it("fetches nothing where the reference folder is already there", () => {
    const bin = tempDir("no-curl-");
    fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\ntouch "${bin}/curl-ran"\nexit 1\n`, { mode: 0o755 });
    const r = spawnSync("sh", [SCRIPT, REFERENCE_DIR], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /already in/);
    assert.ok(!fs.existsSync(path.join(bin, "curl-ran")), "curl ran");
  });
});
