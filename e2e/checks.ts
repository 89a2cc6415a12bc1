// The e2e's record of what held and what did not, and the figures it measured. A failed check does
// not stop the run: later steps still say what they can, and the summary counts both.
export interface Figure {
  apps: number;
  command: string;
  seconds: number;
  githubReads: number;
  githubWrites: number;
}

export class Checks {
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];
  /** What could not run here at all, and so proves nothing either way. */
  readonly notRun: string[] = [];
  readonly figures: Figure[] = [];
  /** What ran as upstream code, and what stood in for what does not run here: said beside the count. */
  readonly ranForReal: string[] = [];
  readonly standIns: string[] = [];
  /** Times that are not a CLI command's: the controllers' start, the loop's hops. */
  readonly timings: { what: string; seconds: number }[] = [];

  /** Records one expectation; `detail` says what was seen when it does not hold. */
  expect(name: string, ok: boolean, detail = ""): boolean {
    if (ok) {
      this.passed++;
      process.stdout.write(`  ok    ${name}\n`);
    } else {
      this.failed++;
      this.failures.push(name);
      process.stdout.write(`  FAIL  ${name}${detail ? `\n        ${detail.split("\n").join("\n        ")}` : ""}\n`);
    }
    return ok;
  }

  equal<T>(name: string, actual: T, expected: T): boolean {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    return this.expect(name, a === e, `expected ${e}\n got      ${a}`);
  }

  summary(): string {
    const lines = ["", "figures (wall time; GitHub requests the command caused):", "  apps  command                      seconds  reads  writes"];
    for (const f of this.figures) {
      lines.push(`  ${String(f.apps).padStart(4)}  ${f.command.padEnd(28)} ${f.seconds.toFixed(1).padStart(7)}  ${String(f.githubReads).padStart(5)}  ${String(f.githubWrites).padStart(6)}`);
    }
    if (this.timings.length > 0) lines.push("", "controller timings (wall time):", ...this.timings.map((t) => `  ${t.what.padEnd(60)} ${t.seconds.toFixed(1).padStart(7)} s`));
    if (this.failures.length > 0) lines.push("", "failed:", ...this.failures.map((f) => `  - ${f}`));
    if (this.notRun.length > 0) lines.push("", "not run:", ...this.notRun.map((f) => `  - ${f}`));
    lines.push("");
    if (this.ranForReal.length > 0) lines.push(`ran for real: ${this.ranForReal.join("; ")}`);
    if (this.standIns.length > 0) lines.push(`stand-ins: ${this.standIns.join("; ")}`);
    lines.push(`e2e: ${this.passed} passed, ${this.failed} failed`);
    return lines.join("\n") + "\n";
  }
}
