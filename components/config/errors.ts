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
 * Thrown before any resource is registered. It lists every problem at once, so a stack file is fixed in
 * one pass rather than one error per `pulumi up`.
 */
export class ConfigError extends Error {
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
