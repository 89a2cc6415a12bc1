// Mocha's global setup (main process, once, before any test file runs): makes sure the reference files are
// there, fetching them into .reference-cache/ when neither folder holds them. When that fails it says once
// how to get them, and the tests run all the same: those that need no reference file pass or fail on
// their own, and each that reads one fails pointing here (referenceDir), so the run fails.
import { spawnSync } from "child_process";
import { defaultPlaces, FETCH_SCRIPT, locateReference, referenceUnavailable } from "./reference";

export function mochaGlobalSetup(): void {
  if (!("problem" in locateReference())) return;
  const fetch = spawnSync("sh", [FETCH_SCRIPT], { encoding: "utf8" });
  const found = locateReference();
  if (!("problem" in found)) {
    process.stderr.write(fetch.stdout.replace(/^(?=.)/gm, "fetch-reference: "));
    return;
  }
  process.stderr.write(`\n${referenceUnavailable(defaultPlaces(), found.problem, `${fetch.stdout}${fetch.stderr}${fetch.error?.message ?? ""}`)}\n\n`);
}
