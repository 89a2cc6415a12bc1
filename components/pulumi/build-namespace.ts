import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespacePlan } from "../plan/stack";

export interface BuildNamespaceArgs {
  plan: NamespacePlan<pulumi.Output<string>>;
}

/**
 * A build namespace's cluster side: the namespace (when it is not a built-in one) and the two Secrets
 * every app there uses: `github-token` for the pipeline's push, the webhook secret for the listener.
 */
export class BuildNamespace extends pulumi.ComponentResource {
  readonly githubTokenSecret: k8s.core.v1.Secret;
  readonly webhookSecret: k8s.core.v1.Secret;
  /** git-clone's basic-auth files, derived from the token: both clones of every run read it. */
  readonly gitCredentialsSecret: k8s.core.v1.Secret;

  constructor(name: string, args: BuildNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:cluster:BuildNamespace", name, {}, opts);
    const { plan } = args;
    // A patch, not a create: the namespace may exist already, and Pulumi must not fail or take it over.
    const ns = plan.namespace
      ? new k8s.core.v1.NamespacePatch(`${name}-namespace`, plan.namespace, { parent: this })
      : undefined;
    const secretOpts = { parent: this, dependsOn: ns ? [ns] : [], additionalSecretOutputs: ["stringData", "data"] };
    this.githubTokenSecret = new k8s.core.v1.Secret(`${name}-github-token`, plan.githubToken, secretOpts);
    this.webhookSecret = new k8s.core.v1.Secret(`${name}-webhook-secret`, plan.webhookSecret, secretOpts);
    this.gitCredentialsSecret = new k8s.core.v1.Secret(`${name}-git-credentials`, plan.gitCredentials, secretOpts);
    this.registerOutputs({ githubTokenSecret: plan.githubToken.metadata.name, webhookSecret: plan.webhookSecret.metadata.name });
  }
}
