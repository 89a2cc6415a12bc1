#!/bin/sh
# node preset, test: npm ci, then npm test.
set -eu
npm ci --no-audit --no-fund
npm test
