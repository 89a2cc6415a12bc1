/**
 * Reads the revision out of a revision patch as the update-image-revision script does: the one line
 * that starts with six spaces and `revision: `. Kept to the same rule so Pulumi and the Task agree.
 */
export const REVISION_LINE = "      revision: ";

export function revisionInFile(content: string): string | undefined {
  const line = content.split("\n").find((l) => l.startsWith(REVISION_LINE));
  return line?.slice(REVISION_LINE.length).trim();
}
