import * as assert from "assert";
import { Image } from "../../components/kpack/image";
import { KPACK_FOLDER, revisionFileOf, withTestedRevision } from "../../components/plan/ops-repository";
import { opsFileContent } from "../../components/synth/ops-file";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { checkKpackRevision, kpackRevisionFullSha } from "../../policy/rules";
import { SHA_A, settings } from "../helpers/fixtures";
import { editedFileResource, planFile, planResources, repositoryFileResource, validateResource, violations } from "./harness";

const plan = planStack(settings(), RENDER_SECRETS);
const revisionFile = revisionFileOf(plan.apps[0].repoFiles);
const imageFile = planFile(plan, `${KPACK_FOLDER}/image.yaml`);
const WHERE = "go-sample-app-ops@main:cicd/kpack/revision.yaml";

const withRevision = (revision: string) => repositoryFileResource(withTestedRevision(revisionFile, revision));
const imageWithRevision = (revision: string) => editedFileResource<Image>(imageFile, "Image", (image) => (image.spec.source.git.revision = revision));

describe("policy kpack-revision-full-sha", () => {
  it("passes the revision file the program writes, and every other planned file", async () => {
    assert.ok(opsFileContent(revisionFile).includes(`      revision: "${SHA_A}"\n`));
    for (const resource of planResources(plan)) {
      assert.deepStrictEqual((await validateResource(kpackRevisionFullSha, resource)).violations, [], resource.name);
    }
  });

  it("reports a branch name on the revision line, naming the file and the value", () => {
    assert.deepStrictEqual(violations((r) => checkKpackRevision(withRevision("main"), r)), [
      `${WHERE}: the revision line records "main"; expected a full commit SHA: 40 lowercase hex characters`,
    ]);
  });

  it("checks the revision file in an app's own folder of a shared ops repository too", () => {
    const shared = { ...withTestedRevision(revisionFile, "main"), path: "apps/go-sample-app/kpack/revision.yaml" };
    assert.deepStrictEqual(violations((r) => checkKpackRevision(repositoryFileResource(shared), r)), [
      `go-sample-app-ops@main:apps/go-sample-app/kpack/revision.yaml: the revision line records "main"; expected a full commit SHA: 40 lowercase hex characters`,
    ]);
  });

  it("reports an abbreviated, an upper-case and a single-quoted SHA: the Task compares the line byte for byte", () => {
    for (const revision of [SHA_A.slice(0, 12), SHA_A.toUpperCase(), `'${SHA_A}'`]) {
      assert.deepStrictEqual(violations((r) => checkKpackRevision(withRevision(revision), r)), [
        `${WHERE}: the revision line records ${JSON.stringify(revision)}; expected a full commit SHA: 40 lowercase hex characters`,
      ]);
    }
  });

  it("reports a revision file without the revision line the Task reads, e.g. one indented differently", () => {
    // A hand edit of the text: the line the Task reads is what the rule guards.
    const reindented = repositoryFileResource(revisionFile, opsFileContent(revisionFile).replace(`      revision: "${SHA_A}"`, `    revision: "${SHA_A}"`));
    assert.deepStrictEqual(violations((r) => checkKpackRevision(reindented, r)), [
      `${WHERE}: no line starts with "      revision: "; expected the tested revision on that line, where update-image-revision reads and writes it`,
    ]);
  });

  it("reads any other kpack Image's spec.source.git.revision as YAML", () => {
    const pinned = imageWithRevision(SHA_A);
    assert.ok(String(pinned.props.content).includes(`revision: ${SHA_A}`));
    assert.deepStrictEqual(violations((r) => checkKpackRevision(pinned, r)), []);
    const branch = imageWithRevision("main");
    assert.deepStrictEqual(violations((r) => checkKpackRevision(branch, r)), [
      'go-sample-app-ops@main:cicd/kpack/image.yaml, Image default/go-sample-app-image-dw42v: spec.source.git.revision is "main"; expected a full commit SHA: 40 lowercase hex characters',
    ]);
  });

  it("reports a revision that YAML reads as a number, and checks a kpack Image applied by Pulumi too", () => {
    const image = {
      type: "kubernetes:kpack.io/v1alpha2:Image",
      name: "img",
      props: { apiVersion: "kpack.io/v1alpha2", kind: "Image", metadata: { name: "img" }, spec: { source: { git: { url: "u", revision: 1234567 } } } },
    };
    assert.deepStrictEqual(violations((r) => checkKpackRevision(image, r)), [
      "Image img (Pulumi resource img): spec.source.git.revision is 1234567; expected a full commit SHA: 40 lowercase hex characters",
    ]);
  });

  it("leaves an Image without a revision (image.yaml: revision.yaml patches it in) and other kinds alone", () => {
    assert.deepStrictEqual(violations((r) => checkKpackRevision(repositoryFileResource(imageFile), r)), []);
    const notKpack = repositoryFileResource(imageFile, "apiVersion: example.com/v1\nkind: Image\nspec:\n  source:\n    git:\n      revision: main\n");
    assert.deepStrictEqual(violations((r) => checkKpackRevision(notKpack, r)), []);
  });
});
