// Where ops files become text: the same function writes what pulumi up commits and what render shows.
import * as assert from "assert";
import { parseAllDocuments } from "yaml";
import { revisionOnLine } from "../../components/kpack/revision";
import { revisionFileOf, TEKTON_FILE, withTestedRevision } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { opsFileContent } from "../../components/synth/ops-file";
import { RENDER_SECRETS } from "../../components/synth/render";
import { appEntry, settings, SHA_A } from "../helpers/fixtures";

describe("synth: ops files as written", () => {
  it("writes each file's objects as YAML documents, under the header of whoever owns it", () => {
    const [app] = planStack(settings(), RENDER_SECRETS).apps;
    for (const file of app.repoFiles) {
      const text = opsFileContent(file);
      assert.deepStrictEqual(parseAllDocuments(text).map((d) => d.toJS()), JSON.parse(JSON.stringify(file.documents)), file.path);
      const header = text.split("\n")[0];
      if (file.ownedBy === "pipeline") assert.match(header, /^# The tested revision kpack builds\./, file.path);
      else assert.strictEqual(header, "# Written by pulumi up (deliberate-image-builds). Change the stack config, not this file.", file.path);
    }
    assert.strictEqual(app.repoFiles.find((f) => f.path === TEKTON_FILE)?.documents.length, 8);
  });

  it("writes revision.yaml byte for byte as the Task's script expects it (its revision line, six spaces in)", () => {
    const [app] = planStack(settings(), RENDER_SECRETS).apps;
    // Pinned as text: update-image-revision rewrites this file line by line, not as YAML.
    assert.strictEqual(
      opsFileContent(revisionFileOf(app.repoFiles)),
      [
        "# The tested revision kpack builds. Written by the update-image-revision Task after lint and test pass;",
        "# pulumi up created this file once and never changes it.",
        "apiVersion: kpack.io/v1alpha2",
        "kind: Image",
        "metadata:",
        "  name: go-sample-app-image-dw42v",
        "  namespace: default",
        "spec:",
        "  source:",
        "    git:",
        `      revision: "${SHA_A}"`,
        "",
      ].join("\n"),
    );
  });

  it("double-quotes revision.yaml's revision, so a SHA of digits stays a string on the line the Task rewrites", () => {
    const digits = "1234567890".repeat(4);
    const [app] = planStack(settings({}, [appEntry("go-sample-app", { initialRevision: digits })]), RENDER_SECRETS).apps;
    const text = opsFileContent(revisionFileOf(app.repoFiles));
    assert.ok(text.includes(`      revision: "${digits}"\n`), text);
    assert.strictEqual(revisionOnLine(text), digits);
    const other = opsFileContent(withTestedRevision(revisionFileOf(app.repoFiles), "f".repeat(40)));
    assert.strictEqual(other, text.replace(digits, "f".repeat(40)), "another revision changes that line alone");
  });
});
