import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CredentialsPlan } from "../plan/private-access";

export interface ClusterCredentialsArgs {
  plan: CredentialsPlan<pulumi.Output<string>>;
  /** What must exist before a build namespace's objects: its namespace, by name. */
  namespaces: Map<string, pulumi.Resource[]>;
}

/** What a patch of a named account is registered as, in its namespace. */
const patchObject = (account: string) => `${account}-secrets`;

/**
 * Resource names of the objects in build namespaces: `<component>-<namespace>.<object>`. A namespace (a
 * DNS label) holds no `.`, so two namespaces' objects never share a name, whatever their names. Before,
 * `<component>-<namespace>-<object>`: an account `b-x` in `a` and `x` in `a-b` were one URN. The old
 * name stays an alias, so an existing stack renames its resources instead of replacing them; an old name
 * two objects of the plan would claim is no alias (the engine refuses one alias on two resources,
 * pulumi/pulumi diag GetDuplicateResourceAliasError), and whichever of them the stack had is replaced.
 */
function namespacedResources(component: string, plan: CredentialsPlan<unknown>): (namespace: string, object: string) => { name: string; aliases: pulumi.Alias[] } {
  const oldName = (namespace: string, object: string) => `${component}-${namespace}-${object}`;
  const claims = new Map<string, number>();
  for (const ns of plan.namespaces) {
    const objects = [ns.git?.metadata.name, ns.registry?.metadata.name, ...ns.ownedServiceAccounts.map((sa) => sa.metadata.name), ...ns.serviceAccountPatches.map((sa) => patchObject(sa.metadata.name))];
    for (const object of objects.filter((o): o is string => o !== undefined)) claims.set(oldName(ns.namespace, object), (claims.get(oldName(ns.namespace, object)) ?? 0) + 1);
  }
  return (namespace, object) => {
    const old = oldName(namespace, object);
    return { name: `${component}-${namespace}.${object}`, aliases: claims.get(old) === 1 ? [{ name: old }] : [] };
  };
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
    const resourceOf = namespacedResources(name, args.plan);
    for (const ns of namespaces) {
      const named = (object: string) => resourceOf(ns.namespace, object);
      const first = args.namespaces.get(ns.namespace) ?? [];
      const secrets = [ns.git, ns.registry]
        .filter((s) => s !== undefined)
        .map((s) => {
          const { name: resourceName, aliases } = named(s.metadata.name ?? "");
          return new k8s.core.v1.Secret(resourceName, s, { ...secretOpts, dependsOn: first, aliases });
        });
      // An account lists its Secrets only once they exist, so no build starts with a missing one.
      const accountOpts = { parent: this, dependsOn: [...first, ...secrets] };
      const accounts = new Map<string, pulumi.Resource>();
      for (const sa of ns.ownedServiceAccounts) {
        const { name: resourceName, aliases } = named(sa.metadata.name);
        accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccount(resourceName, sa, { ...accountOpts, aliases }));
      }
      // A patch, not an account: the stack's own account gains the Secrets and stays the stack's.
      for (const sa of ns.serviceAccountPatches) {
        const { name: resourceName, aliases } = named(patchObject(sa.metadata.name));
        accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccountPatch(resourceName, sa, { ...accountOpts, aliases }));
      }
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
