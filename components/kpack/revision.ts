import { isScalar, parseDocument } from "yaml";

/**
 * The line update-image-revision reads and rewrites in revision.yaml (a shell script reads lines, not
 * YAML): six spaces and `revision: `, its value double-quoted (so no YAML reader takes a SHA of digits
 * for a number). The policy checks that the file keeps that line; the program reads the file as YAML.
 */
export const REVISION_LINE = "      revision: ";

/** The key whose value revision.yaml always writes double-quoted, by Pulumi and by the Task alike. */
export const REVISION_KEY = "revision";

/**
 * The revision a revision patch records at spec.source.git.revision, read as YAML. The scalar's text
 * is taken as written, so an unquoted SHA of digits (files from before the quotes) stays a string.
 */
export function revisionInFile(content: string): string | undefined {
  let node: unknown;
  try {
    node = parseDocument(content).getIn(["spec", "source", "git", REVISION_KEY], true);
  } catch {
    return undefined;
  }
  if (!isScalar(node) || node.value === null) return undefined;
  return node.type === "PLAIN" && node.source !== undefined ? node.source : String(node.value);
}

/** The value on the Task's revision line, as update-image-revision reads it; undefined without one. */
export function revisionOnLine(content: string): string | undefined {
  const line = content.split("\n").find((l) => l.startsWith(REVISION_LINE));
  const value = line?.slice(REVISION_LINE.length).trim();
  return value !== undefined && /^".*"$/.test(value) ? value.slice(1, -1) : value;
}
