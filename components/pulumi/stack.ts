import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { settingsFromPulumiConfig, settingsWarnings } from "../config/parse";
import { StackSettings } from "../config/settings";
import { planStack, SecretValues, StackPlan } from "../plan/stack";
import { DeliberateImageBuilds } from "./app";
import { BuildNamespace } from "./build-namespace";
import { previousRevisionFile, RevisionFileLocation } from "./recorded-revision";
import { ClusterCredentials } from "./credentials";
import { withoutPromiseStackTraces } from "./registration";

export interface StackOutputs {
  apps: Record<
    string,
    { testedRevision: pulumi.Output<string>; eventListenerService: string; opsRepository: string; revisionFile: pulumi.Output<RevisionFileLocation> }
  >;
}

/**
 * This stack's outputs from its last completed update, read through a StackReference to itself: the
 * engine reads the stored checkpoint, whose root stack still holds the previous outputs while the
 * program runs (pulumi/pulumi pkg/backend/backend.go GetStackOutputs; a same step keeps a resource's
 * old outputs, pkg/resource/deploy/step.go). Works with every backend, the file backend included
 * (organization "organization"); a stack never updated has none.
 */
export function previousStackOutputs(): pulumi.Output<unknown> {
  const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  // `outputs` rather than getOutput: an unknown name must read as "none", never throw.
  return pulumi.unsecret(new pulumi.StackReference("previous-update", { name: self }).outputs);
}

/** Reads and validates this stack's config, before any resource is registered. */
export function loadSettings(): StackSettings {
  return settingsFromPulumiConfig(pulumi.runtime.allConfig(), pulumi.getProject());
}

/** The secret values a plan is made with under Pulumi: the stack's secret config, as secret Outputs. */
export function configSecretValues(settings: StackSettings, config: pulumi.Config = new pulumi.Config()): SecretValues<pulumi.Output<string>> {
  return {
    githubToken: config.requireSecret("githubToken"),
    webhookSecret: config.requireSecret("webhookSecret"),
    argocdToken: settings.argocdToken === "argocdToken" ? config.requireSecret("argocdToken") : undefined,
    registryCredentials: settings.registryCredentials ? config.requireSecret("registryCredentials") : undefined,
    derive: (secret, compute) => secret.apply(compute),
  };
}

/** Wires the plan to the cluster and to GitHub. Everything it creates comes from `planStack`. */
export function deployStack(settings: StackSettings = loadSettings()): StackOutputs {
  const config = new pulumi.Config();
  for (const warning of settingsWarnings(settings)) pulumi.log.warn(warning);
  const plan = planStack(settings, configSecretValues(settings, config));
  // Only the registration runs without stack traces: an error in planning keeps its trace.
  return withoutPromiseStackTraces(() => registerStack(settings, plan, config));
}

/**
 * The Kubernetes provider's settings. `enableSecretMutable`: without it pulumi-kubernetes counts a change
 * of a Secret's `data`/`stringData` as a replacement (delete, then create), so rotating `githubToken`
 * would leave the pipeline and the listener without their Secret for a moment; with it, and no Secret
 * marked `immutable`, only a Secret's name, namespace and type force a replacement and a rotation is an
 * in-place patch (pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties; the option is read
 * in provider/pkg/provider/provider.go Configure). Changing it is no replacement of the provider:
 * DiffConfig replaces only for kubeconfig, context, cluster or clusterIdentifier.
 */
export function clusterProviderArgs(settings: StackSettings): k8s.ProviderArgs {
  return { ...(settings.kubeContext ? { context: settings.kubeContext } : {}), enableSecretMutable: true };
}

/**
 * The GitHub provider's settings, its write budget from the stack config. These apply with the
 * provider's default (legacy) client, which @pulumi/github 6.x uses unless `legacyClient` is false.
 */
export function gitHubProviderArgs(settings: StackSettings, token: pulumi.Input<string>): github.ProviderArgs {
  return {
    owner: settings.githubOwner,
    token,
    ...(settings.gitHost === "https://github.com" ? {} : { baseUrl: `${settings.gitHost}/api/v3/` }),
    writeDelayMs: settings.github.writeDelayMs,
    maxRetries: settings.github.maxRetries,
    retryableErrors: settings.github.retryableErrors,
  };
}

/**
 * What every app of the stack needs in the cluster before its Applications: each build namespace's
 * Secrets and the credentials. Returns, per namespace, what an app there depends on.
 */
export function registerClusterSide(plan: StackPlan<pulumi.Output<string>>, cluster: k8s.Provider): Map<string, pulumi.Resource[]> {
  const secretsByNamespace = new Map<string, pulumi.Resource[]>();
  const namespaceComponents = new Map<string, pulumi.Resource[]>();
  for (const ns of plan.namespaces) {
    const component = new BuildNamespace(`ns-${ns.name}`, { plan: ns }, { providers: [cluster] });
    secretsByNamespace.set(ns.name, [component.githubTokenSecret, component.webhookSecret, component.gitCredentialsSecret]);
    namespaceComponents.set(ns.name, [component]);
  }
  const credentials = new ClusterCredentials("credentials", { plan: plan.credentials, namespaces: namespaceComponents }, { providers: [cluster] });
  return new Map([...secretsByNamespace].map(([ns, secrets]) => [ns, [...secrets, ...credentials.resources]]));
}

function registerStack(settings: StackSettings, plan: StackPlan<pulumi.Output<string>>, config: pulumi.Config): StackOutputs {
  const cluster = new k8s.Provider("cluster", clusterProviderArgs(settings));
  const gitHub = new github.Provider("github", gitHubProviderArgs(settings, config.requireSecret("githubToken")));
  const clusterSide = registerClusterSide(plan, cluster);

  const previous = previousStackOutputs();
  const apps: StackOutputs["apps"] = {};
  for (const app of plan.apps) {
    const component = new DeliberateImageBuilds(
      app.app.name,
      {
        plan: app,
        dependsOn: clusterSide.get(app.app.namespace),
        previousRevisionFile: previous.apply((outputs) => previousRevisionFile(outputs, app.app.name)),
      },
      { providers: [cluster, gitHub] },
    );
    apps[app.app.name] = {
      testedRevision: component.testedRevision,
      eventListenerService: component.eventListenerService,
      opsRepository: `${settings.githubOwner}/${app.app.opsRepository}`,
      revisionFile: component.revisionFile,
    };
  }
  return { apps };
}
