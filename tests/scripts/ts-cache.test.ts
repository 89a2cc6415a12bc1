import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { transform } from "sucrase";
import { tempDir } from "../helpers/fixtures";
// Plain JS: the loader Pulumi.yaml starts the program with.
const tsCache: {
  compile(code: string, filePath: string): string;
  cachedCompile(code: string, filePath: string, cacheDir?: string): string;
  cacheKey(code: string, filePath: string): string;
  MAX_ENTRIES: number;
} = require("../../scripts/ts-cache");

const SOURCE = 'import { a } from "./a";\nexport const b: number = a as number;\ninterface X { y: string }\n';
const FILE = "/project/components/example.ts";

describe("scripts: ts-cache (the program's TypeScript loader)", () => {
  it("strips types with sucrase/register/ts's transforms, its source map naming the file beside it", () => {
    const expected = transform(SOURCE, { transforms: ["imports", "typescript"], filePath: FILE });
    const js = tsCache.compile(SOURCE, FILE);
    const [code, map] = js.split("\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,");
    assert.strictEqual(code, expected.code);
    assert.doesNotMatch(js, /interface X|: number/);
    const sourceMap = JSON.parse(Buffer.from(map, "base64").toString("utf8"));
    assert.deepStrictEqual([sourceMap.file, sourceMap.sources], ["example.ts", ["example.ts"]]);
    assert.strictEqual(tsCache.compile(SOURCE, "/a/copy/elsewhere/example.ts"), js, "the same output wherever the checkout is");
  });

  it("names the file when sucrase cannot read it", () => {
    assert.throws(() => tsCache.compile("const = ;", FILE), new RegExp(`^Error: ${FILE}: `));
  });

  it("keeps the cache bounded: past its limit a new entry clears out the older half", () => {
    const dir = tempDir("ts-cache-");
    const earlier = new Date(2021, 0, 1);
    for (let i = 0; i <= tsCache.MAX_ENTRIES; i++) {
      const entry = path.join(dir, `${String(i).padStart(5, "0")}.js`);
      fs.writeFileSync(entry, "");
      fs.utimesSync(entry, earlier, earlier);
    }
    const oldest = new Date(2020, 0, 1);
    fs.utimesSync(path.join(dir, "00000.js"), oldest, oldest);
    tsCache.cachedCompile(SOURCE, FILE, dir);
    const left = fs.readdirSync(dir);
    assert.ok(left.length <= tsCache.MAX_ENTRIES / 2 + 2, `${left.length} entries left`);
    assert.ok(!left.includes("00000.js"), "the oldest went first");
    assert.ok(left.includes(`${tsCache.cacheKey(SOURCE, FILE)}.js`), "the new entry stays");
  });

  it("answers a source it compiled before from the cache, and a changed source afresh", () => {
    const dir = tempDir("ts-cache-");
    const first = tsCache.cachedCompile(SOURCE, FILE, dir);
    assert.strictEqual(first, tsCache.compile(SOURCE, FILE));
    const entry = path.join(dir, `${tsCache.cacheKey(SOURCE, FILE)}.js`);
    assert.strictEqual(fs.readFileSync(entry, "utf8"), first);
    assert.deepStrictEqual(fs.readdirSync(dir), [path.basename(entry)], "nothing partial left behind");

    fs.writeFileSync(entry, "// from the cache\n");
    assert.strictEqual(tsCache.cachedCompile(SOURCE, FILE, dir), "// from the cache\n");

    const changed = SOURCE.replace("number", "string");
    assert.notStrictEqual(tsCache.cacheKey(changed, FILE), tsCache.cacheKey(SOURCE, FILE));
    assert.strictEqual(tsCache.cachedCompile(changed, FILE, dir), tsCache.compile(changed, FILE));
    assert.strictEqual(tsCache.cacheKey(SOURCE, "/elsewhere/example.ts"), tsCache.cacheKey(SOURCE, FILE), "a copy elsewhere shares the entry");
    assert.notStrictEqual(tsCache.cacheKey(SOURCE, "/project/components/other.ts"), tsCache.cacheKey(SOURCE, FILE), "the file name is part of the key");
  });

  it("still compiles where the cache cannot be written", () => {
    const blocked = path.join(tempDir("ts-cache-"), "not-a-dir");
    fs.writeFileSync(blocked, "a file where the cache folder would go");
    assert.strictEqual(tsCache.cachedCompile(SOURCE, FILE, blocked), tsCache.compile(SOURCE, FILE));
  });
});
