// The cluster side of the stack program, for an e2e run without the GitHub provider plugin (the Go
// module proxy it is built from may not serve it). The same settings, plan, Kubernetes provider and
// components as index.ts; the GitHub resources (ops files, webhook), and the Argo CD Applications that
// DeliberateImageBuilds registers with them, are left out.
import * as k8s from "@pulumi/kubernetes";
import { planStack } from "../components/plan/stack";
import { clusterProviderArgs, configSecretValues, loadSettings, registerClusterSide } from "../components/pulumi/stack";

const settings = loadSettings();
const plan = planStack(settings, configSecretValues(settings));
registerClusterSide(plan, new k8s.Provider("cluster", clusterProviderArgs(settings)));

export const namespaces = plan.namespaces.map((n) => n.name);
