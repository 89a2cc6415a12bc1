import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../config/component-args";
import { ConfigProblem, show } from "../config/errors";
import { STACK_KEYS } from "../config/keys";
import { normalGitHost } from "../config/parse";
import * as v from "../config/validators";
import { CredentialSettings, CredentialsPlan, planCredentials } from "../plan/private-access";
import { describeNamespace, GivenNamespace, givenNamespace, NamespaceArg } from "./build-namespace";
import { failFast } from "./failures";

/**
 * What lets kpack and Argo CD read private repositories and push images: in each build namespace,
 * kpack's Secrets and each app's image service account listing them; in Argo CD's namespace, its
 * repository credentials for every repository of githubOwner. Names and values are plain or secret as
 * the stack config's keys of the same names.
 */
export interface BuildCredentialsArgs {
  /** GitHub user or organisation owning the repositories. */
  githubOwner: string;
  /** The token that reads the repositories unless readToken is given; kept secret. */
  githubToken: pulumi.Input<string>;
  /**
   * A read-only token (Contents: read on the app and ops repositories) kpack clones private app
   * repositories with, and Argo CD reads with unless argocdToken is given; kept secret. @default githubToken
   */
  readToken?: pulumi.Input<string>;
  /** Base URL of the repositories. @default "https://github.com" */
  gitHost?: string;
  /**
   * The apps building with these credentials. `imageServiceAccount`: bring your own account, by name:
   * it gains kpack's Secrets through a patch (its own entries stay, and it is never taken over or
   * deleted). `namespace`: the app's namespace as the app takes it, its BuildNamespace (waited for, as
   * `namespaces` would) or its name (an Input); the app refuses another. @default each app's
   * imageServiceAccount: "<name>-image-builder", made here, listing kpack's Secrets
   */
  apps: { name: string; namespace: NamespaceArg; imageServiceAccount?: string }[];
  /** The repositories are private: kpack's git credentials in each namespace, and Argo CD's repo-creds. @default true */
  privateRepositories?: boolean;
  /** Argo CD's repo-creds for githubOwner's repositories; false when you bring your own. @default true */
  argocdRepositoryCredentials?: boolean;
  /** A read-only token Argo CD reads the ops repositories with; kept secret. @default readToken, else githubToken */
  argocdToken?: pulumi.Input<string>;
  /** Namespace Argo CD runs in. @default "argocd" */
  argocdNamespace?: string;
  /** A docker config.json kpack pushes images with (`kpack-registry-credentials`); kept secret. @default none */
  registryCredentials?: pulumi.Input<string>;
  /** What must exist before a build namespace's objects, by plain namespace name: e.g. `{ builds: [buildNamespace] }` (an app's BuildNamespace is waited for without it). */
  namespaces?: Record<string, pulumi.Resource[]>;
}

export const CREDENTIALS_COMPONENT = "BuildCredentials";

/** A namespace the apps build in, as given, and the first app given it. */
type NamespaceGroup = GivenNamespace & { app: number };

/**
 * The apps' namespaces, each once, by the key the plan and the resource names use: a plain name is its
 * own key; a name not known yet is keyed by its BuildNamespace's resource name, or by the first app
 * given that Output, and lands where it resolves to.
 */
function namespaceGroups(args: BuildCredentialsArgs, problems: ConfigProblem[]): { keys: string[]; groups: Map<string, NamespaceGroup> } {
  const groups = new Map<string, { given: GivenNamespace; identity: unknown; app: number }>();
  const keys = args.apps.map((app, i) => {
    const given = givenNamespace(app.namespace);
    const identity = given.plain ?? given.linked ?? given.value;
    const key = given.plain ?? given.linked?.resourceName ?? app.name;
    const claimed = groups.get(key);
    if (!claimed) groups.set(key, { given, identity, app: i });
    else if (claimed.identity !== identity) {
      problems.push({
        key: `apps[${i}].namespace`,
        message: `got ${describeNamespace(given)}, whose objects would take the names of apps[${claimed.app}]'s (${describeNamespace(claimed.given)}); expected each namespace given one way: its BuildNamespace, or one name`,
      });
    }
    return key;
  });
  return { keys, groups: new Map([...groups].map(([k, g]) => [k, { ...g.given, app: g.app }])) };
}

/** BuildCredentials' args as the settings the credentials are planned from; throws naming every wrong arg. */
export function credentialSettings(name: string, args: BuildCredentialsArgs): CredentialSettings & { groups: Map<string, NamespaceGroup> } {
  const problems: ConfigProblem[] = [];
  const check = (key: string, value: string, bad: string | undefined) => {
    if (bad) problems.push({ key, message: `got ${show(value)}; ${bad}` });
  };
  const { keys, groups } = namespaceGroups(args, problems);
  const gitHost = args.gitHost ?? STACK_KEYS.gitHost.default;
  const argocdNamespace = args.argocdNamespace ?? STACK_KEYS.argocdNamespace.default;
  check("githubOwner", args.githubOwner, v.githubName(args.githubOwner));
  check("gitHost", gitHost, v.baseHttpsUrl(gitHost));
  check("argocdNamespace", argocdNamespace, v.dnsLabel(argocdNamespace));
  args.apps.forEach((app, i) => {
    check(`apps[${i}].name`, app.name, v.dnsLabel(app.name));
    const plain = groups.get(keys[i])?.plain;
    if (plain !== undefined) check(`apps[${i}].namespace`, plain, v.dnsLabel(plain));
    if (app.imageServiceAccount !== undefined) check(`apps[${i}].imageServiceAccount`, app.imageServiceAccount, v.dnsLabel(app.imageServiceAccount));
  });
  // A plain value is checked now (without showing it: it is a secret); one from another resource is the program's.
  const registryProblem = typeof args.registryCredentials === "string" ? registryCredentialsProblem(args.registryCredentials) : undefined;
  if (registryProblem) problems.push(registryProblem);
  if (problems.length > 0) throw new ComponentArgsError(CREDENTIALS_COMPONENT, name, problems);
  return {
    githubOwner: args.githubOwner,
    gitHost: normalGitHost(gitHost),
    privateRepositories: args.privateRepositories ?? true,
    argocdRepositoryCredentials: args.argocdRepositoryCredentials ?? true,
    argocdToken: args.argocdToken === undefined ? "githubToken" : "argocdToken",
    readToken: args.readToken !== undefined,
    registryCredentials: args.registryCredentials !== undefined,
    argocd: { namespace: argocdNamespace },
    groups,
    apps: args.apps.map((app, i) => ({
      name: app.name,
      namespace: keys[i],
      imageServiceAccount: app.imageServiceAccount ? { name: app.imageServiceAccount, owned: false } : { name: `${app.name}-image-builder`, owned: true },
    })),
  };
}

/** The wrong shape of a docker config.json, never showing it (it is secret); undefined when right. */
function registryCredentialsProblem(value: string): ConfigProblem | undefined {
  const bad = v.dockerConfigJson(value);
  return bad ? { key: "registryCredentials", message: `got a value of the wrong shape (not shown: it is secret); ${bad}` } : undefined;
}

/**
 * registryCredentials checked: a plain value already is (credentialSettings); one from config or another
 * resource once it resolves, so a wrong shape stops the preview before kpack gets a Secret it cannot read.
 */
function checkedRegistryCredentials(name: string, given: pulumi.Input<string>): pulumi.Input<string> {
  if (typeof given === "string") return given;
  return pulumi.output(given).apply(
    failFast((value) => {
      const problem = registryCredentialsProblem(value);
      if (problem) throw new ComponentArgsError(CREDENTIALS_COMPONENT, name, [problem]);
      return value;
    }),
  );
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
 * accounts that list them. Only Pulumi applies these: none is ever committed to a repository. Give it
 * to each DeliberateImageBuilds (`credentials`): the app's Applications then wait for what it builds with.
 */
export class BuildCredentials extends pulumi.ComponentResource {
  private readonly argocd: pulumi.Resource[] = [];
  /** By namespace: kpack's Secrets there, and the accounts (owned or patched) by name. */
  private readonly byNamespace = new Map<string, { secrets: pulumi.Resource[]; accounts: Map<string, pulumi.Resource> }>();
  /** Each app's namespace (the plan's key, and as given) and image service account. */
  private readonly apps: Map<string, { key: string; given: GivenNamespace; account: string }>;

  constructor(name: string, args: BuildCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:cluster:Credentials", name, {}, opts);
    const settings = credentialSettings(name, args);
    const { groups } = settings;
    this.apps = new Map(settings.apps.map((a) => [a.name, { key: a.namespace, given: groups.get(a.namespace)!, account: a.imageServiceAccount.name }]));
    // Only a namespace from another resource makes an Output of them all (an Output costs promises: bench).
    const landsIn = [...groups.values()].every((g) => g.plain !== undefined) ? undefined : resolvedNamespaces(name, groups);
    const plan = planCredentials(settings, {
      githubToken: pulumi.secret(args.githubToken),
      readToken: args.readToken === undefined ? undefined : pulumi.secret(args.readToken),
      argocdToken: args.argocdToken === undefined ? undefined : pulumi.secret(args.argocdToken),
      registryCredentials: args.registryCredentials === undefined ? undefined : pulumi.secret(checkedRegistryCredentials(name, args.registryCredentials)),
    });
    const secretOpts = { parent: this, additionalSecretOutputs: ["stringData", "data"] };
    const { argocd, namespaces } = plan;
    if (argocd) this.argocd.push(new k8s.core.v1.Secret(`${name}-argocd-${argocd.metadata.name}`, argocd, secretOpts));
    const resourceOf = namespacedResources(name, plan);
    for (const ns of namespaces) {
      const named = (object: string) => resourceOf(ns.namespace, object);
      const given = groups.get(ns.namespace)!;
      const first = [...(args.namespaces?.[ns.namespace] ?? []), ...(given.linked ? [given.linked] : [])];
      // A namespace not known yet: the objects planned under its key land where it resolves to.
      const place = <T extends { metadata: object }>(object: T): T => (given.plain !== undefined ? object : { ...object, metadata: { ...object.metadata, namespace: landsIn!(ns.namespace) } });
      const secrets = [ns.git, ns.registry]
        .filter((s) => s !== undefined)
        .map((s) => {
          const { name: resourceName, aliases } = named(s.metadata.name ?? "");
          return new k8s.core.v1.Secret(resourceName, place(s), { ...secretOpts, dependsOn: first, aliases });
        });
      // An account lists its Secrets only once they exist, so no build starts with a missing one.
      const accountOpts = { parent: this, dependsOn: [...first, ...secrets] };
      const accounts = new Map<string, pulumi.Resource>();
      for (const sa of ns.ownedServiceAccounts) {
        const { name: resourceName, aliases } = named(sa.metadata.name);
        accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccount(resourceName, place(sa), { ...accountOpts, aliases }));
      }
      // A patch, not an account: the stack's own account gains the Secrets and stays the stack's.
      for (const sa of ns.serviceAccountPatches) {
        const { name: resourceName, aliases } = named(patchObject(sa.metadata.name));
        accounts.set(sa.metadata.name, new k8s.core.v1.ServiceAccountPatch(resourceName, place(sa), { ...accountOpts, aliases }));
      }
      this.byNamespace.set(ns.namespace, { secrets, accounts });
    }
    this.registerOutputs({});
  }

  /**
   * What one app's Applications wait for: Argo CD's repository credentials, kpack's Secrets in the app's
   * namespace and the account its Image builds with. Only those: every Application waiting on every
   * app's account would make the dependencies grow with the square of the apps. Undefined for an app
   * not among the args' apps.
   */
  forApp(app: string): { namespace: GivenNamespace; imageServiceAccount: string; waitFor: pulumi.Resource[] } | undefined {
    const found = this.apps.get(app);
    if (!found) return undefined;
    const ns = this.byNamespace.get(found.key);
    const account = ns?.accounts.get(found.account);
    return { namespace: found.given, imageServiceAccount: found.account, waitFor: [...this.argocd, ...(ns?.secrets ?? []), ...(account ? [account] : [])] };
  }
}

/**
 * Where each namespace not known yet lands, by its key, once every namespace resolves: each a DNS label,
 * and no two the same (two sets of kpack's Secrets and accounts for one namespace would fight over them).
 */
function resolvedNamespaces(name: string, groups: Map<string, NamespaceGroup>): (key: string) => pulumi.Output<string> {
  const keys = [...groups.keys()];
  const all = pulumi.all(keys.map((k) => groups.get(k)!.value)).apply(
    failFast((values: string[]) => {
      const problems: ConfigProblem[] = [];
      values.forEach((value, i) => {
        const given = groups.get(keys[i])!;
        if (given.plain !== undefined) return;
        const bad = v.dnsLabel(value);
        const twin = values.findIndex((other, j) => j !== i && other === value);
        const key = `apps[${given.app}].namespace`;
        if (bad) problems.push({ key, message: `got ${show(value)} (${describeNamespace(given)}); ${bad}` });
        else if (twin >= 0) {
          problems.push({ key, message: `got ${show(value)} (${describeNamespace(given)}), which ${describeNamespace(groups.get(keys[twin])!)} is too; expected each namespace given one way: its BuildNamespace, or one name` });
        }
      });
      if (problems.length > 0) throw new ComponentArgsError(CREDENTIALS_COMPONENT, name, problems);
      return values;
    }),
  );
  return (key) => all.apply((values) => values[keys.indexOf(key)]);
}
