/** The project's config namespace, as `pulumi config set` spells keys. */
export const PROJECT = "deliberate-image-builds";

/** One problem with one config key: which key, what it holds, and what was expected. */
export interface ConfigProblem {
  key: string;
  message: string;
  /** `key` is written with its namespace already (a key under some other namespace than the project's). */
  qualified?: boolean;
}

/**
 * An error its user fixes in the stack config or the args, not in code, printed as Pulumi prints a
 * `RunError`: the message alone, without stack trace or ANSI colours (@pulumi/pulumi cmd/run/run.js, the
 * uncaught-error handler; any other error goes through util.inspect with colours). Pulumi recognises a
 * RunError by its `__pulumiRunError` marker (errors.js, RunError.isInstance: "works even when multiple
 * copies of the SDK" are loaded), so this module loads no SDK: render and diff stay without one.
 */
export class ProgramError extends Error {
  /** What `pulumi.RunError.isInstance` looks for. */
  readonly __pulumiRunError = true;

  constructor(message: string) {
    super(message);
    // The SDK prefixes `error serializing property "<k>": ` to the message of an error that fails a
    // resource input, in place, once per input an Output failing with it feeds (runtime/rpc.js,
    // serializeFilteredProperties): one bad arg read 17 times wrapped. The message stays as written.
    Object.defineProperty(this, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
  }
}

/**
 * Thrown before any resource is registered. It lists every problem at once, so a stack file is fixed in
 * one pass rather than one error per `pulumi up`.
 */
export class ConfigError extends ProgramError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.qualified ? "" : `${PROJECT}:`}${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** How a value is quoted in messages: short, and never a secret (callers never pass secrets here). */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
