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
  private readonly argocd: pulumi.Resource[] = [];
  /** By namespace: kpack's Secrets there, and the accounts (owned or patched) by name. */
  private readonly byNamespace = new Map<string, { secrets: pulumi.Resource[]; accounts: Map<string, pulumi.Resource> }>();

  constructor(name: string, args: ClusterCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:cluster:Credentials", name, {}, opts);
    const secretOpts = { parent: this, additionalSecretOutputs: ["stringData", "data"] };
    const { argocd, namespaces } = args.plan;
    if (argocd) this.argocd.push(new k8s.core.v1.Secret(`${name}-argocd-${argocd.metadata.name}`, argocd, secretOpts));
    for (const ns of namespaces) {
      const prefix = `${name}-${ns.namespace}`;
      const first = args.namespaces.get(ns.namespace) ?? [];
      const secrets = [ns.git, ns.registry]
        .filter((s) => s !== undefined)
        .map((s) => new k8s.core.v1.Secret(`${prefix}-${s.metadata.name}`, s, { ...secretOpts, dependsOn: first }));
      // An account lists its Secrets only once they exist, so no build starts with a missing one.
      const accountOpts = { parent: this, dependsOn: [...first, ...secrets] };
      const accounts = new Map<string, pulumi.Resource>();
      for (const sa of ns.ownedServiceAccounts) accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccount(`${prefix}-${sa.metadata.name}`, sa, accountOpts));
      // A patch, not an account: the stack's own account gains the Secrets and stays the stack's.
      for (const sa of ns.serviceAccountPatches) accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccountPatch(`${prefix}-${sa.metadata.name}-secrets`, sa, accountOpts));
      this.byNamespace.set(ns.namespace, { secrets, accounts });
    }
    this.registerOutputs({});
  }

  /**
   * What one app's Applications wait for: Argo CD's repository credentials, kpack's Secrets in the app's
   * namespace and the account its Image builds with. Only those: every Application waiting on every
   * app's account would make the dependencies grow with the square of the apps.
   */
  forApp(namespace: string, imageServiceAccount: string): pulumi.Resource[] {
    const ns = this.byNamespace.get(namespace);
    const account = ns?.accounts.get(imageServiceAccount);
    return [...this.argocd, ...(ns?.secrets ?? []), ...(account ? [account] : [])];
  }
}
