// This program's unit tests under Pulumi's mocks. withGitHubReads answers the components' reads of each
// ops branch and its revision.yaml as GitHub would for a branch that exists and holds none yet; everything
// else goes to the mocks the test gives it.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { withGitHubReads } from "deliberate-image-builds";

pulumi.runtime.setMocks(
  withGitHubReads({
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  }),
  "platform-stack",
  "test",
  false,
);
pulumi.runtime.setAllConfig(
  {
    "platform-stack:githubOwner": "example-org",
    "platform-stack:listenerHost": "hooks.example.com",
    "platform-stack:githubToken": "fake-token",
    "platform-stack:webhookSecret": "fake-webhook-secret-of-32-characters-or-more",
  },
  ["platform-stack:githubToken", "platform-stack:webhookSecret"],
);

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("platform-stack", () => {
  it("builds go-sample-app from its initialRevision until the pipeline records a tested one", async () => {
    const program = await import("./index");
    assert.strictEqual(await valueOf(program.testedRevision), "0f3e2d1c4b5a69788776655443322110ffeeddcc");
    assert.strictEqual(await valueOf(program.eventListenerService), "el-go-sample-app-listener");
  });
});
