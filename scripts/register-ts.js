// `node --require ./scripts/register-ts.js`: loads .ts files with types stripped (see ts-cache.js).
// Pulumi.yaml starts the program this way; the npm scripts that run TypeScript do too.
"use strict";
const { addHook } = require("pirates");
const { cachedCompile } = require("./ts-cache");

addHook((code, filePath) => cachedCompile(code, filePath), { exts: [".ts"] });
