import * as assert from "assert";
import { parseRef } from "../../../e2e/controllers/kpack-registry";

const DIGEST = "sha256:" + "5f".repeat(32);

describe("e2e: refs of the e2e's registry", () => {
  it("reads a tag, a digest, and kpack's builder ref with both (the digest names the image)", () => {
    assert.deepStrictEqual(parseRef("127.0.0.1:39787/stack/run:1"), { host: "127.0.0.1:39787", repo: "stack/run", reference: "1" });
    assert.deepStrictEqual(parseRef(`127.0.0.1:39787/stack/run@${DIGEST}`), { host: "127.0.0.1:39787", repo: "stack/run", reference: DIGEST });
    assert.deepStrictEqual(parseRef(`127.0.0.1:39787/builders/default:clusterbuilder-default@${DIGEST}`), { host: "127.0.0.1:39787", repo: "builders/default", reference: DIGEST });
  });

  it("refuses a ref with neither, naming it", () => {
    assert.throws(() => parseRef("127.0.0.1:39787/stack/run"), /not an image ref of the e2e's registry .*: 127\.0\.0\.1:39787\/stack\/run$/);
  });
});
