import * as assert from "assert";
import { withoutPromiseStackTraces } from "../../components/pulumi/registration";

const frames = () => (new Error().stack ?? "").split("\n").filter((l) => l.trim().startsWith("at ")).length;

describe("pulumi: withoutPromiseStackTraces", () => {
  it("captures no stack frames while registering, and restores the limit afterwards", () => {
    const before = Error.stackTraceLimit;
    assert.ok(frames() > 0);
    assert.strictEqual(withoutPromiseStackTraces(frames, {}), 0);
    assert.strictEqual(Error.stackTraceLimit, before);
  });

  it("restores the limit when registering throws", () => {
    const before = Error.stackTraceLimit;
    assert.throws(() => withoutPromiseStackTraces(() => { throw new Error("boom"); }, {}), /boom/);
    assert.strictEqual(Error.stackTraceLimit, before);
  });

  it("keeps stack traces while PULUMI_DEBUG_PROMISE_LEAKS is set, for the SDK's leak report", () => {
    assert.ok(withoutPromiseStackTraces(frames, { PULUMI_DEBUG_PROMISE_LEAKS: "true" }) > 0);
  });
});
