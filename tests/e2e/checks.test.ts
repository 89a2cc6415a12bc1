import * as assert from "assert";
import { Checks } from "../../e2e/checks";

describe("e2e/checks: the run's last lines", () => {
  it("say what ran for real and what stood in, right above the count", () => {
    const c = new Checks();
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      c.expect("held", true);
      c.expect("did not", false);
    } finally {
      process.stdout.write = write;
    }
    c.ranForReal.push("Tekton Pipelines' controller", "Argo CD");
    c.standIns.push("the kubelet");
    assert.deepStrictEqual(c.summary().trimEnd().split("\n").slice(-3), ["ran for real: Tekton Pipelines' controller; Argo CD", "stand-ins: the kubelet", "e2e: 1 passed, 1 failed"]);
  });

  it("ends with the count alone when nothing was said of either", () => {
    assert.deepStrictEqual(new Checks().summary().trimEnd().split("\n").slice(-2), ["", "e2e: 0 passed, 0 failed"]);
  });
});
