// The floor of the e2e's figures: a program that only configures the same two providers as the stack
// program, from the same settings. What no program with these providers can beat.
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import { clusterProviderArgs, gitHubProviderArgs, loadSettings, secretConfig } from "../components/pulumi/stack";

const settings = loadSettings();
new k8s.Provider("cluster", clusterProviderArgs(settings));
new github.Provider("github", gitHubProviderArgs(settings, secretConfig(settings).githubToken));
