import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { transform } from "sucrase";
// Plain JS: the loader Pulumi.yaml starts the program with.
const tsCache: {
  compile(code: string, filePath: string): string;
  cachedCompile(code: string, filePath: string, cacheDir?: string): string;
  cacheKey(code: string, filePath: string): string;
} = require("../../scripts/ts-cache");

const SOURCE = 'import { a } from "./a";\nexport const b: number = a as number;\ninterface X { y: string }\n';
const FILE = "/project/components/example.ts";

describe("scripts: ts-cache (the program's TypeScript loader)", () => {
  it("strips types exactly as sucrase/register/ts does", () => {
    const expected = transform(SOURCE, { transforms: ["imports", "typescript"], sourceMapOptions: { compiledFilename: FILE }, filePath: FILE });
    const js = tsCache.compile(SOURCE, FILE);
    assert.ok(js.startsWith(`${expected.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,`));
    assert.doesNotMatch(js, /interface X|: number/);
  });

  it("answers a source it compiled before from the cache, and a changed source afresh", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-cache-"));
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
    assert.notStrictEqual(tsCache.cacheKey(SOURCE, "/elsewhere/example.ts"), tsCache.cacheKey(SOURCE, FILE), "the path is part of the key");
  });

  it("still compiles where the cache cannot be written", () => {
    const blocked = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ts-cache-")), "not-a-dir");
    fs.writeFileSync(blocked, "a file where the cache folder would go");
    assert.strictEqual(tsCache.cachedCompile(SOURCE, FILE, blocked), tsCache.compile(SOURCE, FILE));
  });
});
