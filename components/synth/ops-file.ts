import { REVISION_KEY } from "../kpack/revision";
import { RepoFile } from "../plan/ops-repository";
import { toYaml } from "./yaml";

const PULUMI_HEADER = "Written by pulumi up (deliberate-image-builds). Change the stack config, not this file.";
const PIPELINE_HEADER =
  "The tested revision kpack builds. Written by the update-image-revision Task after lint and test pass;\n" +
  "pulumi up created this file once and never changes it.";

/**
 * An ops file's text, the one place its objects become YAML: for the GitHub file `pulumi up` commits
 * and for `npm run render` alike. revision.yaml's revision is double-quoted, exactly as the Task
 * rewrites that line, so the Task's first rewrite changes only the SHA.
 */
export function opsFileContent(file: RepoFile): string {
  return file.ownedBy === "pipeline"
    ? toYaml(file.documents, PIPELINE_HEADER, { doubleQuoted: [REVISION_KEY] })
    : toYaml(file.documents, PULUMI_HEADER);
}
