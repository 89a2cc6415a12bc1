import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { settingsFromPulumiConfig, settingsWarnings } from "../config/parse";
import { StackSettings } from "../config/settings";
import { isBuiltInNamespace } from "../kubernetes/namespace";
import { DeliberateImageBuilds } from "./app";
import { appArgs } from "../config/component-args";
import { buildNamespaces } from "../plan/names";
import { GITHUB_COM, githubApiUrl } from "../plan/ops-repository";
import { BuildNamespace } from "./build-namespace";
import { previousRevisionFile, RevisionFileLocation } from "./recorded-revision";
import { BuildCredentials, BuildCredentialsArgs } from "./credentials";
import { withoutPromiseStackTraces } from "./registration";

export interface StackOutputs {
  apps: Record<
    string,
    { testedRevision: pulumi.Output<string>; eventListenerService: pulumi.Output<string>; opsRepository: string; revisionFile: pulumi.Output<RevisionFileLocation> }
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

/** The secret config values, as Pulumi secret Outputs; optional ones only when the stack sets them. */
export function secretConfig(settings: StackSettings, config: pulumi.Config = new pulumi.Config()) {
  return {
    githubToken: config.requireSecret("githubToken"),
    writeBackToken: settings.writeBackToken ? config.requireSecret("writeBackToken") : undefined,
    readToken: settings.readToken ? config.requireSecret("readToken") : undefined,
    statusToken: settings.statusToken ? config.requireSecret("statusToken") : undefined,
    webhookSecret: config.requireSecret("webhookSecret"),
    argocdToken: settings.argocdToken === "argocdToken" ? config.requireSecret("argocdToken") : undefined,
    registryCredentials: settings.registryCredentials ? config.requireSecret("registryCredentials") : undefined,
  };
}

/**
 * The stack program: reads and checks the stack config, then creates the providers and the components
 * from it, nothing else. The components plan with planNamespace and planApp, as render does (planStack).
 */
export function deployStack(settings: StackSettings = loadSettings()): StackOutputs {
  const config = new pulumi.Config();
  for (const warning of settingsWarnings(settings)) pulumi.log.warn(warning);
  const secrets = secretConfig(settings, config);
  return withoutPromiseStackTraces(() => registerStack(settings, secrets));
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
    ...(settings.gitHost === GITHUB_COM ? {} : { baseUrl: `${githubApiUrl(settings.gitHost)}/` }),
    writeDelayMs: settings.github.writeDelayMs,
    maxRetries: settings.github.maxRetries,
    retryableErrors: settings.github.retryableErrors,
  };
}

/** The stack's credentials as BuildCredentials' args: the same keys, and every app with its own account or the one it names. */
export function credentialsArgs(settings: StackSettings, secrets: ReturnType<typeof secretConfig>): BuildCredentialsArgs {
  return {
    githubOwner: settings.githubOwner,
    githubToken: secrets.githubToken,
    readToken: secrets.readToken,
    gitHost: settings.gitHost,
    apps: settings.apps.map((a) => ({ name: a.name, namespace: a.namespace, imageServiceAccount: a.imageServiceAccount.owned ? undefined : a.imageServiceAccount.name })),
    privateRepositories: settings.privateRepositories,
    argocdToken: secrets.argocdToken,
    argocdNamespace: settings.argocd.namespace,
    registryCredentials: secrets.registryCredentials,
  };
}

/**
 * What every app of the stack needs in the cluster before its Applications: each build namespace's
 * Secrets, and the credentials Argo CD and kpack read.
 */
export function registerClusterSide(
  settings: StackSettings,
  secrets: ReturnType<typeof secretConfig>,
  cluster: k8s.Provider,
): { namespaces: Map<string, BuildNamespace>; credentials: BuildCredentials } {
  const namespaces = new Map<string, BuildNamespace>();
  for (const name of buildNamespaces(settings)) {
    const buildNamespace = new BuildNamespace(
      `ns-${name}`,
      {
        namespace: name,
        githubToken: secrets.githubToken,
        writeBackToken: secrets.writeBackToken,
        readToken: secrets.readToken,
        statusToken: secrets.statusToken,
        webhookSecret: secrets.webhookSecret,
        gitHost: settings.gitHost,
        labelNamespace: !isBuiltInNamespace(name),
      },
      { providers: { kubernetes: cluster } },
    );
    namespaces.set(name, buildNamespace);
  }
  const credentials = new BuildCredentials(
    "credentials",
    { ...credentialsArgs(settings, secrets), namespaces: Object.fromEntries([...namespaces].map(([name, ns]) => [name, [ns]])) },
    { providers: { kubernetes: cluster } },
  );
  return { namespaces, credentials };
}

function registerStack(settings: StackSettings, secrets: ReturnType<typeof secretConfig>): StackOutputs {
  const cluster = new k8s.Provider("cluster", clusterProviderArgs(settings));
  const gitHub = new github.Provider("github", gitHubProviderArgs(settings, secrets.githubToken));
  const { namespaces, credentials } = registerClusterSide(settings, secrets, cluster);

  const previous = previousStackOutputs();
  const apps: StackOutputs["apps"] = {};
  for (const app of settings.apps) {
    const buildNamespace = namespaces.get(app.namespace)!;
    const component = new DeliberateImageBuilds(
      app.name,
      {
        ...appArgs(settings, app),
        namespace: buildNamespace,
        credentials,
        // No secret here: each app signs with its own, derived from webhookSecret through its BuildNamespace.
        webhook: app.webhookUrl ? { url: app.webhookUrl } : undefined,
        previousRevisionFile: previous.apply((outputs) => previousRevisionFile(outputs, app.name)),
      },
      { providers: { kubernetes: cluster, github: gitHub } },
    );
    apps[app.name] = {
      testedRevision: component.testedRevision,
      eventListenerService: component.eventListenerService,
      opsRepository: `${settings.githubOwner}/${app.opsRepository}`,
      revisionFile: component.revisionFile,
    };
  }
  return { apps };
}
