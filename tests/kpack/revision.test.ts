import * as assert from "assert";
import { revisionInFile, revisionOnLine } from "../../components/kpack/revision";

const SHA = "0f3e2d1c4b5a69788776655443322110ffeeddcc";
const DIGITS = "1234567890123456789012345678901234567890";

describe("kpack: the revision a revision.yaml records", () => {
  it("is read as YAML, wherever the key sits and however it is indented or quoted", () => {
    const twoSpaces = `apiVersion: kpack.io/v1alpha2\nkind: Image\nspec:\n  source:\n    git:\n      revision: "${SHA}"\n`;
    const fourSpaces = `kind: Image\nspec:\n    source:\n        git:\n            revision: '${SHA}'\n`;
    const flow = `kind: Image\nspec: {source: {git: {revision: ${SHA}}}}\n`;
    for (const file of [twoSpaces, fourSpaces, flow]) assert.strictEqual(revisionInFile(file), SHA, file);
    assert.strictEqual(revisionOnLine(fourSpaces), undefined, "the Task's line is another matter: the policy checks it");
  });

  it("keeps an unquoted SHA of digits as written, not as a number", () => {
    assert.strictEqual(revisionInFile(`spec:\n  source:\n    git:\n      revision: ${DIGITS}\n`), DIGITS);
  });

  it("finds none in a file without it, or one that is no YAML", () => {
    assert.strictEqual(revisionInFile("spec: {}\n"), undefined);
    assert.strictEqual(revisionInFile("# only: a comment\n      revision: \"x\"\n"), undefined, "a line alone is no revision");
    assert.strictEqual(revisionInFile("spec: [unclosed\n"), undefined);
  });
});
