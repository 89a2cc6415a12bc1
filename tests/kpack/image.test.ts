// The Image and its revision patch as Argo CD builds them (the real `kubectl kustomize`) after the
// changes a platform team makes to a running setup: revision.yaml is the pipeline's and is kept byte for
// byte, while the Image it patches moves to another namespace or gets another tag.
import * as assert from "assert";
import * as path from "path";
import { Image, Kustomization } from "../../components/kpack/image";
import { KubernetesObject } from "../../components/kubernetes/types";
import { KPACK_FOLDER, revisionFileOf, withTestedRevision } from "../../components/plan/ops-repository";
import { AppPlan, planStack } from "../../components/plan/stack";
import { revisionSeed } from "../../components/pulumi/recorded-revision";
import { opsFileContent } from "../../components/synth/ops-file";
import { RENDER_SECRETS } from "../../components/synth/render";
import { appEntry, plannedImage, settings } from "../helpers/fixtures";
import { kustomizeBuild } from "../helpers/kustomize";
import { labels } from "../helpers/random";

/** What the pipeline recorded after the first rollout. */
const TESTED = "b".repeat(40);

function appPlan(extra: Record<string, unknown>): AppPlan<string> {
  return planStack(settings({}, [appEntry("go-sample-app", extra)]), RENDER_SECRETS).apps[0];
}

/** revision.yaml as the pipeline left it: update-image-revision rewrites only the revision line (tests/tekton). */
function keptRevisionFile(before: AppPlan<string>): string {
  return opsFileContent(withTestedRevision(revisionFileOf(before.repoFiles), TESTED));
}

/**
 * cicd/kpack as Argo CD builds it after `pulumi up` with the new settings: the Pulumi-owned files as
 * planned, revision.yaml as `pulumi up` decides it from what the branch holds (kept).
 */
function buildAfterChange(after: AppPlan<string>, kept: string): Image[] {
  const planned = revisionFileOf(after.repoFiles);
  const seed = revisionSeed({ app: after.app.name, owner: "example-org", file: planned, here: { branch: "readable", content: kept } });
  assert.strictEqual(seed.source, "kept");
  assert.strictEqual(seed.content, kept, "revision.yaml is kept byte for byte");
  const files: Record<string, string> = { "revision.yaml": seed.content };
  for (const f of after.repoFiles.filter((f) => f.ownedBy === "pulumi" && f.path.startsWith(`${KPACK_FOLDER}/`))) files[path.basename(f.path)] = opsFileContent(f);
  return kustomizeBuild(files) as unknown as Image[];
}

/**
 * kpack's admission rule for an update of an Image (pivotal/kpack v0.17.2,
 * pkg/apis/build/v1alpha2/image_validation.go validateTag, via pkg/apis/validate ImmutableField):
 * an Image that exists keeps its spec.tag, or the update is refused with "Immutable field changed".
 */
function kpackRefusesUpdate(existing: KubernetesObject & Pick<Image, "spec">, updated: KubernetesObject & Pick<Image, "spec">): string | undefined {
  const same = existing.metadata.name === updated.metadata.name && existing.metadata.namespace === updated.metadata.namespace;
  return same && existing.spec.tag !== updated.spec.tag ? `Immutable field changed: tag (got: ${updated.spec.tag}, want: ${existing.spec.tag})` : undefined;
}

describe("kpack: the Image and the revision patch after a change", () => {
  it("applies a revision.yaml kept from the old namespace to the Image in the new one (real kustomize)", () => {
    const before = appPlan({ namespace: "default" });
    const after = appPlan({ namespace: "builds" });
    const [image, ...more] = buildAfterChange(after, keptRevisionFile(before));
    assert.deepStrictEqual(more, []);
    assert.deepStrictEqual([image.metadata.namespace, image.metadata.name], ["builds", after.names.kpackImage]);
    assert.strictEqual(image.spec.source.git.revision, TESTED, "the tested revision still reaches kpack");
    assert.strictEqual(image.spec.tag, plannedImage(after).spec.tag);
  });

  it("gives the Image another name for another tag, so kpack never sees its tag change, and the kept revision follows (real kustomize)", () => {
    const label = labels(11);
    for (let i = 0; i < 30; i++) {
      const [tagA, tagB] = [`registry.example.com/${label(3 + (i % 9))}/app`, `registry.example.com/team/${label(1 + (i % 20))}:v${i}`];
      const [a, b] = [appPlan({ image: tagA }), appPlan({ image: tagB })];
      assert.strictEqual(kpackRefusesUpdate(plannedImage(a), plannedImage(b)), undefined, `${tagA} -> ${tagB}`);
      const otherwise = appPlan({ image: tagA, namespace: "builds", builder: "other-builder", branch: "release" });
      assert.strictEqual(plannedImage(otherwise).metadata.name, plannedImage(a).metadata.name, "the same tag keeps its Image whatever else changes");
      assert.ok(plannedImage(b).metadata.name!.length <= 63, "kpack's validateName: a label value");
    }
    // The first rollout's revision.yaml names the old Image; the new one gets the tested revision all the same.
    const before = appPlan({ image: "registry.example.com/example-org/go-sample-app" });
    const after = appPlan({ image: "registry.example.com/platform/go-sample-app" });
    const [image, ...more] = buildAfterChange(after, keptRevisionFile(before));
    assert.deepStrictEqual(more, [], "only the new Image: Argo CD prunes the old one, no longer in the folder");
    assert.deepStrictEqual([image.metadata.name, image.spec.tag], [after.names.kpackImage, "registry.example.com/platform/go-sample-app"]);
    assert.notStrictEqual(image.metadata.name, before.names.kpackImage);
    assert.strictEqual(image.spec.source.git.revision, TESTED);
  });

  it("aims the revision patch at image.yaml's Image by group, kind and name", () => {
    const after = appPlan({});
    const kustomization = after.repoFiles.find((f) => f.path === `${KPACK_FOLDER}/kustomization.yaml`)?.documents[0] as Kustomization;
    const image = plannedImage(after);
    assert.deepStrictEqual(kustomization.patches, [{ path: "revision.yaml", target: { group: image.apiVersion.split("/")[0], kind: image.kind, name: image.metadata.name } }]);
  });
});
