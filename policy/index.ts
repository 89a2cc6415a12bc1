// The policy pack `pulumi preview --policy-pack policy` runs. Constructing the PolicyPack starts the
// policy server (a gRPC server on a local port that the CLI reads from stdout), so this file is the only
// place that does it; the rules live in rules.ts, where tests call them directly.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packPolicies } from "./rules";

new PolicyPack(PACK_NAME, {
  description: "Deliberate image builds: pinned images, full-SHA kpack revisions, no secrets in repositories, Argo CD syncing on its own.",
  policies: packPolicies(),
});
