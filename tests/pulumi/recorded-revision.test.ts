// What `pulumi up` writes into revision.yaml, decided from what GitHub answers and where the last
// update recorded it: never a revision older than the recorded one.
import * as assert from "assert";
import { previousRevisionFile, revisionSeed, RevisionFileLocation, SeedInputs } from "../../components/pulumi/recorded-revision";
import { RevisionFile, revisionFileOf } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { RENDER_SECRETS } from "../../components/synth/render";
import { revisionFile } from "../helpers/git-world";
import { settings, SHA_A } from "../helpers/fixtures";

const SHA_B = "b".repeat(40);
const SHA_C = "c".repeat(40);
const PATH = "cicd/kpack/revision.yaml";

/** The planned revision.yaml, on the ops branch "release", recording initialRevision (SHA_A). */
const planned: RevisionFile = { ...revisionFileOf(planStack(settings(), RENDER_SECRETS).apps[0].repoFiles), branch: "release" };
const main: RevisionFileLocation = { repository: "go-sample-app-ops", branch: "main", path: PATH };

function seed(over: Partial<SeedInputs>) {
  return revisionSeed({ app: "go-sample-app", owner: "example-org", file: planned, here: { branch: "readable" }, ...over });
}

describe("pulumi: the revision file's first content", () => {
  it("refuses an ops branch it cannot read, naming repository and branch, whatever the file answer", () => {
    assert.throws(
      () => seed({ here: { branch: "unreadable" } }),
      /app go-sample-app: the ops repository example-org\/go-sample-app-ops has no branch "release" that the token can read .*create the branch, or fix opsRepo, opsBranch or the token's access/,
    );
  });

  it("keeps what a readable branch records, and starts from initialRevision only where nothing was ever recorded", () => {
    assert.deepStrictEqual(seed({ here: { branch: "readable", content: revisionFile(SHA_B) } }), { content: revisionFile(SHA_B), revision: SHA_B, source: "kept" });
    assert.deepStrictEqual(seed({}), { content: revisionFile(SHA_A), revision: SHA_A, source: "initialRevision" });
    // The same location as last time: a file deleted there is re-seeded (docs/changing-a-running-setup.md: delete it to start over).
    assert.strictEqual(seed({ previous: { location: { ...main, branch: "release" }, lookup: { branch: "readable" } } }).source, "initialRevision");
  });

  it("carries the recorded revision over to a new branch, in the new branch's file", () => {
    const moved = seed({ previous: { location: main, lookup: { branch: "readable", content: revisionFile(SHA_B) } } });
    assert.deepStrictEqual(moved, { content: revisionFile(SHA_B), revision: SHA_B, source: "carried-over" });
  });

  it("refuses to seed a moved revision from initialRevision when the old file cannot be read", () => {
    for (const lookup of [{ branch: "unreadable" as const }, { branch: "readable" as const }]) {
      assert.throws(
        () => seed({ previous: { location: main, lookup } }),
        /the last pulumi up recorded the tested revision in example-org\/go-sample-app-ops@main:cicd\/kpack\/revision\.yaml, which cannot be read now .*never seeds a moved revision from initialRevision/,
      );
    }
  });

  it("refuses a new branch that records another revision than the old one, and accepts the same one", () => {
    assert.throws(
      () => seed({ here: { branch: "readable", content: revisionFile(SHA_C) } , previous: { location: main, lookup: { branch: "readable", content: revisionFile(SHA_B) } } }),
      new RegExp(`recorded ${SHA_B} in example-org/go-sample-app-ops@main:${PATH}, but the new example-org/go-sample-app-ops@release:${PATH} records ${SHA_C}`),
    );
    const same = seed({ here: { branch: "readable", content: revisionFile(SHA_B) }, previous: { location: main, lookup: { branch: "readable", content: revisionFile(SHA_B) } } });
    assert.strictEqual(same.source, "kept");
    // The old branch gone: what the new branch records stands.
    assert.strictEqual(seed({ here: { branch: "readable", content: revisionFile(SHA_C) }, previous: { location: main, lookup: { branch: "unreadable" } } }).revision, SHA_C);
  });

  it("names the file when a recorded revision is not a full SHA, here or where it was", () => {
    assert.throws(() => seed({ here: { branch: "readable", content: "spec: {}\n" } }), /go-sample-app-ops@release:cicd\/kpack\/revision\.yaml records no full commit SHA/);
    assert.throws(
      () => seed({ previous: { location: main, lookup: { branch: "readable", content: revisionFile("main") } } }),
      /go-sample-app-ops@main:cicd\/kpack\/revision\.yaml records no full commit SHA/,
    );
  });

  it("reads the previous location from the stack's outputs, and nothing from outputs without one", () => {
    const outputs = { apps: { "go-sample-app": { testedRevision: SHA_B, revisionFile: main } } };
    assert.deepStrictEqual(previousRevisionFile(outputs, "go-sample-app"), main);
    assert.strictEqual(previousRevisionFile(outputs, "other"), undefined);
    assert.strictEqual(previousRevisionFile(outputs, "constructor"), undefined);
    // A stack never updated, and one updated by a version that did not record the location.
    assert.strictEqual(previousRevisionFile(undefined, "go-sample-app"), undefined);
    assert.strictEqual(previousRevisionFile({}, "go-sample-app"), undefined);
    assert.strictEqual(previousRevisionFile({ apps: { "go-sample-app": { testedRevision: SHA_B, opsRepository: "example-org/x" } } }, "go-sample-app"), undefined);
    assert.strictEqual(previousRevisionFile({ apps: { "go-sample-app": { revisionFile: { repository: "r", branch: 3, path: PATH } } } }, "go-sample-app"), undefined);
  });
});
