// The ops repository's files as the plan holds them: typed objects, written as YAML only at the edge.
import * as assert from "assert";
import { locationOf, revisionFileOf, sameLocation, testedRevisionOf, withTestedRevision } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { appEntry, settings, SHA_A } from "../helpers/fixtures";

const SHA_B = "b".repeat(40);

describe("plan: the ops repository's files", () => {
  const [app] = planStack(settings({ certManagerIssuer: "letsencrypt" }, [appEntry("go-sample-app", { ingressHost: "hooks.example.com" })]), RENDER_SECRETS).apps;

  it("holds each file as the objects it commits, in order, not as text", () => {
    assert.deepStrictEqual(
      app.repoFiles.map((f) => [f.path, f.ownedBy, f.documents.map((d) => d.kind)]),
      [
        ["cicd/kpack/kustomization.yaml", "pulumi", ["Kustomization"]],
        ["cicd/kpack/image.yaml", "pulumi", ["Image"]],
        ["cicd/kpack/revision.yaml", "pipeline", ["Image"]],
        [
          "cicd/tekton/build-pipeline.yaml",
          "pulumi",
          ["Task", "Task", "Task", "Task", "Pipeline", "TriggerBinding", "TriggerTemplate", "EventListener", "Ingress"],
        ],
      ],
    );
  });

  it("records the tested revision in revision.yaml's Image patch, and changes only that for another revision", () => {
    const file = revisionFileOf(app.repoFiles);
    assert.strictEqual(testedRevisionOf(file), SHA_A);
    const moved = withTestedRevision(file, SHA_B);
    assert.strictEqual(testedRevisionOf(moved), SHA_B);
    assert.strictEqual(testedRevisionOf(file), SHA_A, "the planned file is left as it was");
    assert.deepStrictEqual({ ...moved, documents: [] }, { ...file, documents: [] });
    assert.deepStrictEqual(moved.documents[0].metadata, file.documents[0].metadata);
  });

  it("compares locations by repository, branch and path alone", () => {
    const file = revisionFileOf(app.repoFiles);
    assert.deepStrictEqual(locationOf(file), { repository: "go-sample-app-ops", branch: "main", path: "cicd/kpack/revision.yaml" });
    assert.ok(sameLocation(file, locationOf(file)));
    assert.ok(!sameLocation(file, { ...locationOf(file), branch: "release" }));
  });
});
