// A stack file's config as the engine hands it to a program: keys as written, values as strings,
// lists and objects as JSON.
"use strict";
const fs = require("fs");
const { parse } = require("yaml");

function stackConfig(file) {
  const entries = Object.entries(parse(fs.readFileSync(file, "utf8")).config);
  return Object.fromEntries(entries.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

module.exports = { stackConfig };
