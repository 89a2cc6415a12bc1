// The e2e's program for how a user sees errors: the stack config read as the stack program reads it (a
// bad value stops here), then a BuildNamespace whose namespace comes from another resource and turns out
// wrong, as a program of one's own might pass it.
import * as pulumi from "@pulumi/pulumi";
import { BuildNamespace } from "../components";
import { loadSettings } from "../components/pulumi/stack";

loadSettings();
new BuildNamespace("builds", { namespace: pulumi.output("Not_A_Label"), githubToken: pulumi.secret("ghp_fake_e2e_token"), webhookSecret: pulumi.secret("fake-e2e-webhook-secret-of-32-characters-or-more") });
