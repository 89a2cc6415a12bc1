// A platform team's program: its cluster provider, its GitHub provider and a namespace of its own, to
// which it adds deliberate image builds for one app. Everything the components need from the program's
// own resources goes in as an Input.
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BuildNamespace, DeliberateImageBuilds, POD_SECURITY_ENFORCE } from "deliberate-image-builds";

const config = new pulumi.Config();
const githubOwner = config.require("githubOwner");
const githubToken = config.requireSecret("githubToken");
const webhookSecret = config.requireSecret("webhookSecret");

// enableSecretMutable: a token rotation patches the Secrets in place instead of replacing them.
const cluster = new k8s.Provider("cluster", { enableSecretMutable: true });
const gitHub = new github.Provider("github", { owner: githubOwner, token: githubToken });

// Pod Security refuses any pod of the namespace that fails `restricted`: every pod of the pipeline passes.
const namespace = new k8s.core.v1.Namespace("builds", { metadata: { name: "go-builds", labels: { ...POD_SECURITY_ENFORCE } } }, { provider: cluster });
const builds = new BuildNamespace("go-builds", { namespace: namespace.metadata.name, githubToken, webhookSecret }, { providers: { kubernetes: cluster } });

// kpack builds with this account, the program's own (named below as the app's imageServiceAccount); it
// lists registry credentials when the registry needs them.
const imageBuilder = new k8s.core.v1.ServiceAccount(
  "image-builder",
  { metadata: { name: "go-sample-app-image-builder", namespace: namespace.metadata.name } },
  { provider: cluster },
);

const app = new DeliberateImageBuilds(
  "go-sample-app",
  {
    githubOwner,
    appRepository: "go-sample-app",
    branch: "main",
    opsRepository: "go-sample-app-ops",
    opsBranch: "main",
    image: "registry.example.com/example-org/go-sample-app",
    initialRevision: "0f3e2d1c4b5a69788776655443322110ffeeddcc",
    // The BuildNamespace itself: the app waits for its Secrets, and derives its webhook secret from it.
    namespace: builds,
    imageServiceAccount: "go-sample-app-image-builder",
    webhook: { url: pulumi.interpolate`https://${config.require("listenerHost")}/` }, // optional; an Input
  },
  { providers: { kubernetes: cluster, github: gitHub }, dependsOn: [imageBuilder] },
);

// What the tests read; also app.applications, app.access, app.opsFiles.
export const testedRevision = app.testedRevision;
export const eventListenerService = app.eventListenerService;
