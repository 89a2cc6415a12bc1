// TypeScript with its types stripped by sucrase, exactly as `sucrase/register/ts` strips them, and each
// file's output kept on disk, keyed by a hash of sucrase's version, the file's path and its source. A
// run then pays the transform only for files that changed since the last run: every `pulumi preview`
// and `pulumi up` starts about 0.1 s sooner. Types are checked by `npm test` (tsc, strict), not here.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const SUCRASE_VERSION = require("sucrase/package.json").version;
const OPTIONS = { transforms: ["imports", "typescript"] };
const DEFAULT_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "deliberate-image-builds", "ts");

/** What sucrase/register/ts would run for this file: the code, and its source map inline. */
function compile(code, filePath) {
  const { transform } = require("sucrase"); // loaded only when some file is not cached
  const out = transform(code, { ...OPTIONS, sourceMapOptions: { compiledFilename: filePath }, filePath });
  const map = Buffer.from(JSON.stringify(out.sourceMap)).toString("base64");
  return `${out.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}`;
}

function cacheKey(code, filePath) {
  return crypto.createHash("sha256").update(`${SUCRASE_VERSION}\0${JSON.stringify(OPTIONS)}\0${filePath}\0${code}`).digest("hex");
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
  } catch {
    // a read-only checkout: the program still runs, only uncached
  }
  return js;
}

module.exports = { compile, cachedCompile, cacheKey, DEFAULT_CACHE_DIR };
