// What render and diff share as command-line programs: strict argument parsing and a quiet end when the
// reader of their output goes away (`npm run diff | head`).
import { parseArgs } from "node:util";

export type CommandLine = { run: Record<string, string | undefined> } | { help: true } | { error: string };

/**
 * Reads `--name value` and `--name=value` for each of `options` (strings) and `--help`/`-h`, strictly: an
 * unknown flag, a flag without its value, a stray argument or a missing required option is an error.
 */
export function readCommandLine(args: string[], options: readonly string[], required: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { ...Object.fromEntries(options.map((name) => [name, { type: "string" as const }])), help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { help: true };
  const missing = required.filter((name) => !values[name]);
  if (missing.length > 0) return { error: `missing ${missing.map((m) => `--${m} <value>`).join(" and ")}` };
  return { run: values as Record<string, string | undefined> };
}

/**
 * A command's options, or the exit status it ends with after answering `--help` (0, usage on stdout) or a
 * bad command line (2, what is wrong and the usage on stderr).
 */
export function optionsOrExit(
  command: string,
  usage: string,
  args: string[],
  options: readonly string[],
  required: readonly string[],
): Record<string, string | undefined> | number {
  const line = readCommandLine(args, options, required);
  if ("help" in line) {
    process.stdout.write(usage);
    return 0;
  }
  if ("error" in line) {
    process.stderr.write(`${command}: ${line.error}\n${usage}`);
    return 2;
  }
  return line.run;
}

/**
 * Ends the process quietly, with the status it would have had, when what it writes to has closed its end
 * (EPIPE: `| head` read enough); any other write error still surfaces.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      process.exit(process.exitCode ?? 0);
    });
  }
}

/** Runs a command's `main` as a program: its result is the exit status. */
export function runAsProgram(main: (args: string[]) => number): void {
  endQuietlyWhenOutputCloses();
  process.exitCode = main(process.argv.slice(2));
}
