/**
 * Reads the revision out of a revision patch as the update-image-revision script does: the one line
 * that starts with six spaces and `revision: `, its value double-quoted (so no YAML reader takes a SHA
 * of digits for a number). Kept to the same rule so Pulumi and the Task agree; an unquoted value, as
 * files written before the quotes hold, is read too.
 */
export const REVISION_LINE = "      revision: ";

/** The key whose value revision.yaml always writes double-quoted, by Pulumi and by the Task alike. */
export const REVISION_KEY = "revision";

export function revisionInFile(content: string): string | undefined {
  const line = content.split("\n").find((l) => l.startsWith(REVISION_LINE));
  const value = line?.slice(REVISION_LINE.length).trim();
  return value !== undefined && /^".*"$/.test(value) ? value.slice(1, -1) : value;
}
