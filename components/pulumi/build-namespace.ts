import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../config/component-args";
import { show } from "../config/errors";
import { STACK_KEYS } from "../config/keys";
import { normalGitHost } from "../config/parse";
import { baseHttpsUrl, dnsLabel, webhookSecret } from "../config/validators";
import { namespace as namespaceObject } from "../kubernetes/namespace";
import { Secret } from "../kubernetes/types";
import { NamespacePlan, planNamespace } from "../plan/stack";
import { failFast } from "./failures";

export interface BuildNamespaceArgs {
  /** The namespace the apps build in, e.g. a Namespace resource's `metadata.name`. */
  namespace: pulumi.Input<string>;
  /** GitHub token every token below defaults to; kept secret. Split it (a preview warning says so). */
  githubToken: pulumi.Input<string>;
  /** The token the write-back pushes revision.yaml with: Contents read and write on the ops repositories only. @default githubToken */
  writeBackToken?: pulumi.Input<string>;
  /** The token git-clone and the write-back read the app repositories with: Contents read-only. @default githubToken */
  readToken?: pulumi.Input<string>;
  /**
   * At least 32 random characters: each app here that is given no webhook secret of its own signs with
   * one derived from it (appWebhookSecret), so no two apps share one. Kept secret; never in the cluster.
   */
  webhookSecret: pulumi.Input<string>;
  /** Base URL the git credentials are for. @default "https://github.com", the gitHost config key's default */
  gitHost?: string;
  /**
   * Label the namespace as part of deliberate-image-builds, and `pod-security.kubernetes.io/enforce:
   * restricted` (POD_SECURITY_ENFORCE: the API server then refuses any pod of it that fails the
   * `restricted` Pod Security Standard, as every pod the pipeline, its EventListener and kpack make
   * passes it; Tekton needs its set-security-context flag, README). A patch: the namespace must exist,
   * and is never taken over or deleted. The stack program does so for every namespace but default,
   * kube-system and kube-public; a program that makes its own namespace can set the same labels there.
   * @default false
   */
  labelNamespace?: boolean;
}

export const NAMESPACE_COMPONENT = "BuildNamespace";

/** A namespace as a component's args take it: a BuildNamespace, or its name (an Input). */
export type NamespaceArg = BuildNamespace | pulumi.Input<string>;

/** A namespace arg's parts: its name now when it is plain, the name as an Input, and what its objects wait for. */
export interface GivenNamespace {
  plain: string | undefined;
  value: pulumi.Input<string>;
  /** The BuildNamespace given, if one was: its Secrets come first. */
  linked: BuildNamespace | undefined;
}

/** One reading of a namespace arg, for every component taking one. */
export function givenNamespace(arg: NamespaceArg): GivenNamespace {
  // A BuildNamespace's plain name when it has one, so a plan needs no Output.
  if (arg instanceof BuildNamespace) return { plain: arg.namespaceName, value: arg.namespaceName ?? arg.namespace, linked: arg };
  return { plain: typeof arg === "string" ? arg : undefined, value: arg, linked: undefined };
}

/** How a namespace arg is shown in a message: its plain name, or the resource it comes from. */
export function describeNamespace(given: GivenNamespace): string {
  if (given.plain !== undefined) return show(given.plain);
  return given.linked ? `the namespace of BuildNamespace ${show(given.linked.resourceName)}` : "a namespace from another resource";
}

/**
 * A build namespace's Secrets, which every app there uses: `github-token` for the write-back's push and
 * its read of the app, and git-clone's credentials derived from the read token; and the root of the
 * apps' webhook secrets (each app's own Secret is made by its DeliberateImageBuilds).
 */
export class BuildNamespace extends pulumi.ComponentResource {
  readonly githubTokenSecret: k8s.core.v1.Secret;
  /** The root the apps' webhook secrets are derived from, checked; secret. */
  readonly webhookSecretRoot: pulumi.Output<string>;
  /** git-clone's basic-auth files, derived from the token: both clones of every run read it. */
  readonly gitCredentialsSecret: k8s.core.v1.Secret;
  /** The namespace's name, once its Secrets exist. */
  readonly namespace: pulumi.Output<string>;
  /** The namespace's name when the args give it as a plain value (checked), else undefined. */
  readonly namespaceName: string | undefined;
  /** The resource name: what messages and other components' resource names call it before its namespace is known. */
  readonly resourceName: string;

  constructor(name: string, args: BuildNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:cluster:BuildNamespace", name, {}, opts);
    this.resourceName = name;
    // The stack config's default, so a component and a stack without gitHost mean the same host.
    const stack = { gitHost: checkedGitHost(name, args.gitHost ?? STACK_KEYS.gitHost.default) };
    const values = {
      githubToken: pulumi.secret(args.githubToken),
      writeBackToken: args.writeBackToken === undefined ? undefined : pulumi.secret(args.writeBackToken),
      readToken: args.readToken === undefined ? undefined : pulumi.secret(args.readToken),
      derive: (secret: pulumi.Output<string>, compute: (plain: string) => string) => secret.apply(compute),
    };
    // Planned once: the Secrets' types and values do not depend on the namespace, so they are known
    // before it resolves; only where each lands does, and its metadata takes the namespace once it does.
    const plan: NamespacePlan<pulumi.Output<string>> = planNamespace(stack, "", values);
    const namespace = pulumi.output(args.namespace).apply(
      failFast((ns) => {
        const bad = dnsLabel(ns);
        if (bad) throw new ComponentArgsError(NAMESPACE_COMPONENT, name, [{ key: "namespace", message: `got ${show(ns)}; ${bad}` }]);
        return ns;
      }),
    );

    // A patch, not a create: the namespace may exist already, and Pulumi must not fail or take it over.
    const patch = args.labelNamespace
      ? new k8s.core.v1.NamespacePatch(`${name}-namespace`, { apiVersion: "v1", kind: "Namespace", metadata: namespace.apply((ns) => namespaceObject(ns).metadata) }, { parent: this })
      : undefined;
    const secretOpts = { parent: this, dependsOn: patch ? [patch] : [], additionalSecretOutputs: ["stringData", "data"] };
    const secret = (suffix: string, planned: Secret<pulumi.Output<string>>) =>
      new k8s.core.v1.Secret(`${name}-${suffix}`, { ...planned, metadata: namespace.apply((ns) => ({ ...planned.metadata, namespace: ns })) }, secretOpts);
    this.githubTokenSecret = secret("github-token", plan.githubToken);
    this.webhookSecretRoot = pulumi.secret(
      pulumi.output(args.webhookSecret).apply(
        failFast((root) => {
          const bad = webhookSecret(root);
          if (bad) throw new ComponentArgsError(NAMESPACE_COMPONENT, name, [{ key: "webhookSecret", message: `got a value too short (not shown: it is secret); ${bad}` }]);
          return root;
        }),
      ),
    );
    this.gitCredentialsSecret = secret("git-credentials", plan.gitCredentials);
    this.namespaceName = typeof args.namespace === "string" && !dnsLabel(args.namespace) ? args.namespace : undefined;
    this.namespace = pulumi
      .all([namespace, this.githubTokenSecret.metadata, this.gitCredentialsSecret.metadata])
      .apply(([ns]) => ns);
    this.registerOutputs({
      namespace: this.namespace,
      githubTokenSecret: this.githubTokenSecret.metadata.name,
      gitCredentialsSecret: this.gitCredentialsSecret.metadata.name,
    });
  }
}

function checkedGitHost(name: string, gitHost: string): string {
  const bad = baseHttpsUrl(gitHost);
  if (bad) throw new ComponentArgsError(NAMESPACE_COMPONENT, name, [{ key: "gitHost", message: `got ${show(gitHost)}; ${bad}` }]);
  return normalGitHost(gitHost);
}
