// Tests written as the README writes one (README "Testing a program that uses the components"): Pulumi's
// mocks, construct, then await an output with the README's helper, which only resolves. Each program
// here is wrong in a way the components find only once an Input resolves, or under plain mocks; each
// test must fail with the component's message, at once. tests/pulumi/fail-fast.test.ts runs this file.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BuildNamespace, DeliberateImageBuilds, DeliberateImageBuildsArgs, withGitHubReads } from "../../../components";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET, SHA_A } from "../../helpers/fixtures";

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

const plainMocks: pulumi.runtime.Mocks = { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs };

const app = (name: string, extra: Partial<DeliberateImageBuildsArgs>): DeliberateImageBuildsArgs => ({
  githubOwner: "example-org",
  appRepository: name,
  branch: "main",
  opsRepository: "platform-ops",
  image: `registry.example.com/example-org/${name}`,
  initialRevision: SHA_A,
  namespace: "builds",
  imageServiceAccount: "builder",
  ...extra,
});

describe("README-style tests of wrong programs", () => {
  // The SDKs load their modules on first use: that time is no wait for an error. A right program first.
  before(async () => {
    pulumi.runtime.setMocks(withGitHubReads(plainMocks), "project", "test", false);
    void new k8s.core.v1.Namespace("warm-up", { metadata: { name: "warm-up" } });
    await valueOf(new DeliberateImageBuilds("warm-up", app("warm-up", { webhookSecret: FAKE_WEBHOOK_SECRET })).testedRevision);
  });

  it("two apps on one ops folder, the namespace from Namespace.metadata.name", async () => {
    pulumi.runtime.setMocks(withGitHubReads(plainMocks), "project", "test", false);
    const namespace = new k8s.core.v1.Namespace("builds", { metadata: { name: "builds" } });
    const builds = new BuildNamespace("builds", { namespace: namespace.metadata.name, githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET });
    new DeliberateImageBuilds("orders", app("orders", { namespace: builds }));
    const second = new DeliberateImageBuilds("payments", app("payments", { namespace: builds }));
    await valueOf(second.testedRevision);
  });

  it("plain mocks: the ops branch is not there", async () => {
    pulumi.runtime.setMocks(plainMocks, "project", "test", false);
    const one = new DeliberateImageBuilds("orders", app("orders", { webhookSecret: FAKE_WEBHOOK_SECRET }));
    await valueOf(one.testedRevision);
  });

  it("a webhookSecret from an Output, too short", async () => {
    pulumi.runtime.setMocks(withGitHubReads(plainMocks), "project", "test", false);
    const one = new DeliberateImageBuilds("orders", app("orders", { webhookSecret: pulumi.output("short"), webhook: { url: "https://hooks.example.com/" } }));
    await valueOf(one.testedRevision);
    await valueOf(one.eventListenerService);
  });
});
