// TypeScript with its types stripped by sucrase, with the transforms and inline source map of
// `sucrase/register/ts` (not its SUCRASE_OPTIONS override), and each file's output kept on disk, keyed by
// a hash of sucrase's version, this file, the file's name and its source. A run then pays the transform
// only for files that changed since an earlier run: every `pulumi preview` and `pulumi up` starts about
// 0.1 s sooner. Types are checked by `npm test` (tsc, strict), not here.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const OPTIONS = { transforms: ["imports", "typescript"] };
// What else decides the output: sucrase's version and how this file calls it.
const TOOLCHAIN = `${require("sucrase/package.json").version}\0${fs.readFileSync(__filename, "utf8")}`;
const DEFAULT_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "deliberate-image-builds", "ts");
// Past this many entries, a miss clears out the older half: edits add entries, nothing else removes them.
const MAX_ENTRIES = 1000;

/**
 * What sucrase/register/ts would run for this file: the code, and its source map inline. The map names
 * the source by its file name alone, which resolves next to the compiled file (it is the same file), so
 * the output does not depend on where the checkout is: a copy elsewhere (a diff's base) shares entries.
 */
function compile(code, filePath) {
  const { transform } = require("sucrase"); // loaded only when some file is not cached
  const name = path.basename(filePath);
  let out;
  try {
    out = transform(code, { ...OPTIONS, sourceMapOptions: { compiledFilename: name }, filePath: name });
  } catch (err) {
    throw new Error(`${filePath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const map = Buffer.from(JSON.stringify(out.sourceMap)).toString("base64");
  return `${out.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}`;
}

function cacheKey(code, filePath) {
  return crypto.createHash("sha256").update(`${TOOLCHAIN}\0${path.basename(filePath)}\0${code}`).digest("hex");
}

function prune(cacheDir) {
  const entries = fs.readdirSync(cacheDir).filter((f) => f.endsWith(".js"));
  if (entries.length <= MAX_ENTRIES) return;
  const byAge = entries.map((f) => ({ f, t: fs.statSync(path.join(cacheDir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, Math.ceil(entries.length / 2))) fs.rmSync(path.join(cacheDir, f), { force: true });
}

/** `compile`, answered from `cacheDir` when this source was compiled before. */
function cachedCompile(code, filePath, cacheDir = DEFAULT_CACHE_DIR) {
  const file = path.join(cacheDir, `${cacheKey(code, filePath)}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // not cached yet
  }
  const js = compile(code, filePath);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a concurrent run reads a whole entry or none.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, js);
    fs.renameSync(partial, file);
    prune(cacheDir);
  } catch {
    // a read-only checkout: the program still runs, only uncached
  }
  return js;
}

module.exports = { compile, cachedCompile, cacheKey, DEFAULT_CACHE_DIR, MAX_ENTRIES };
