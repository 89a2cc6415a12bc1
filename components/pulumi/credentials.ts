import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CredentialsPlan } from "../plan/private-access";

export interface ClusterCredentialsArgs {
  plan: CredentialsPlan<pulumi.Output<string>>;
  /** What must exist before a build namespace's objects: its namespace, by name. */
  namespaces: Map<string, pulumi.Resource[]>;
}

/**
 * Argo CD's repository credentials and, in each build namespace, kpack's Secrets and the service
 * accounts that list them. Only Pulumi applies these: none is ever committed to a repository.
 */
export class ClusterCredentials extends pulumi.ComponentResource {
  /** Everything registered here, for the Applications to wait on. */
  readonly resources: pulumi.Resource[] = [];

  constructor(name: string, args: ClusterCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:cluster:Credentials", name, {}, opts);
    const secretOpts = { parent: this, additionalSecretOutputs: ["stringData", "data"] };
    const { argocd, namespaces } = args.plan;
    if (argocd) this.resources.push(new k8s.core.v1.Secret(`${name}-argocd-${argocd.metadata.name}`, argocd, secretOpts));
    for (const ns of namespaces) {
      const prefix = `${name}-${ns.namespace}`;
      const first = args.namespaces.get(ns.namespace) ?? [];
      const secrets = [ns.git, ns.registry]
        .filter((s) => s !== undefined)
        .map((s) => new k8s.core.v1.Secret(`${prefix}-${s.metadata.name}`, s, { ...secretOpts, dependsOn: first }));
      // An account lists its Secrets only once they exist, so no build starts with a missing one.
      const accountOpts = { parent: this, dependsOn: [...first, ...secrets] };
      const accounts = ns.ownedServiceAccounts.map((sa) => new k8s.core.v1.ServiceAccount(`${prefix}-${sa.metadata.name}`, sa, accountOpts));
      // A patch, not an account: the stack's own account gains the Secrets and stays the stack's.
      const patches = ns.serviceAccountPatches.map((sa) => new k8s.core.v1.ServiceAccountPatch(`${prefix}-${sa.metadata.name}-secrets`, sa, accountOpts));
      this.resources.push(...secrets, ...accounts, ...patches);
    }
    this.registerOutputs({});
  }
}
