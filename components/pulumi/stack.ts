import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseSettings, rawFromPulumiConfig } from "../config/parse";
import { StackSettings } from "../config/settings";
import { planStack, StackPlan } from "../plan/stack";
import { DeliberateImageBuilds } from "./app";
import { BuildNamespace } from "./build-namespace";
import { withoutPromiseStackTraces } from "./registration";

export interface StackOutputs {
  apps: Record<string, { testedRevision: pulumi.Output<string>; eventListenerService: string; opsRepository: string }>;
}

/** Reads and validates this stack's config, before any resource is registered. */
export function loadSettings(): StackSettings {
  return parseSettings(rawFromPulumiConfig(pulumi.runtime.allConfig(), pulumi.getProject()));
}

/** Wires the plan to the cluster and to GitHub. Everything it creates comes from `planStack`. */
export function deployStack(settings: StackSettings = loadSettings()): StackOutputs {
  const config = new pulumi.Config();
  const plan = planStack(settings, {
    githubToken: config.requireSecret("githubToken"),
    webhookSecret: config.requireSecret("webhookSecret"),
    derive: (secret, compute) => secret.apply(compute),
  });
  // Only the registration runs without stack traces: an error in planning keeps its trace.
  return withoutPromiseStackTraces(() => registerStack(settings, plan, config));
}

function registerStack(settings: StackSettings, plan: StackPlan<pulumi.Output<string>>, config: pulumi.Config): StackOutputs {
  const cluster = new k8s.Provider("cluster", settings.kubeContext ? { context: settings.kubeContext } : {});
  const gitHub = new github.Provider("github", {
    owner: settings.githubOwner,
    token: config.requireSecret("githubToken"),
    ...(settings.gitHost === "https://github.com" ? {} : { baseUrl: `${settings.gitHost}/api/v3/` }),
  });

  const secretsByNamespace = new Map<string, pulumi.Resource[]>();
  for (const ns of plan.namespaces) {
    const component = new BuildNamespace(`ns-${ns.name}`, { plan: ns }, { providers: [cluster] });
    secretsByNamespace.set(ns.name, [component.githubTokenSecret, component.webhookSecret, component.gitCredentialsSecret]);
  }

  const apps: StackOutputs["apps"] = {};
  for (const app of plan.apps) {
    const component = new DeliberateImageBuilds(
      app.app.name,
      { plan: app, dependsOn: secretsByNamespace.get(app.app.namespace) },
      { providers: [cluster, gitHub] },
    );
    apps[app.app.name] = {
      testedRevision: component.testedRevision,
      eventListenerService: component.eventListenerService,
      opsRepository: `${settings.githubOwner}/${app.app.opsRepository}`,
    };
  }
  return { apps };
}
