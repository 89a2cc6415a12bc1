#!/bin/sh
# node preset, lint: npm ci, then npm run lint when package.json has a lint script.
set -eu
npm ci --no-audit --no-fund
if node -e 'const s = require("./package.json").scripts; process.exit(s && typeof s.lint === "string" ? 0 : 1)'; then
  npm run lint
else
  echo "node preset: package.json has no lint script: nothing to lint"
fi
