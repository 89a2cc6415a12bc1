// The cluster side of the stack program, for an e2e run without the GitHub provider plugin (the Go
// module proxy it is built from may not serve it). The same settings, Kubernetes provider and
// components as the stack program (components/pulumi/stack.ts); the DeliberateImageBuilds components
// (ops files, webhook, and the Argo CD Applications registered with them) are left out.
import * as k8s from "@pulumi/kubernetes";
import { clusterProviderArgs, loadSettings, registerClusterSide, secretConfig } from "../components/pulumi/stack";

const settings = loadSettings();
const secrets = secretConfig(settings);
const { namespaces } = registerClusterSide(settings, secrets, new k8s.Provider("cluster", clusterProviderArgs(settings)));

export const buildNamespaces = [...namespaces.keys()];
