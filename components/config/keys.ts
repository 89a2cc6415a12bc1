/**
 * Every config key the program reads, with its type, description and default. `Pulumi.yaml` declares
 * the same keys (a test keeps the two equal), and the parser rejects any key not listed here.
 */

import { appNameLimit } from "../plan/names";

export type ScalarType = "string" | "integer" | "boolean";

export interface KeySpec {
  type: ScalarType | "array";
  /** For arrays Pulumi.yaml declares: the type of each element. */
  items?: { type: ScalarType };
  description: string;
  default?: string | number | boolean | readonly number[];
  secret?: boolean;
  /**
   * A secret the stack may leave unset. Pulumi.yaml cannot declare it: the engine requires a declared
   * secret key to hold an encrypted value in every stack, and refuses a default for one ("must be
   * encrypted as it's secret"), so such a key is only read by the program.
   */
  optionalSecret?: boolean;
}

export const STACK_KEYS = {
  githubOwner: { type: "string", description: "GitHub user or organisation that owns the app and ops repositories." },
  githubToken: {
    type: "string",
    secret: true,
    description:
      "GitHub token Pulumi writes the ops files and webhooks with; it stays in Pulumi. Also every token below that is not set (one preview warning says which).",
  },
  writeBackToken: {
    type: "string",
    secret: true,
    optionalSecret: true,
    description: "Fine-grained GitHub token the pipeline's write-back pushes revision.yaml with: Contents read and write on the ops repositories only; empty to use githubToken.",
  },
  readToken: {
    type: "string",
    secret: true,
    optionalSecret: true,
    description: "Fine-grained GitHub token with Contents read-only on the app and ops repositories: the clone Task, the write-back's app fetch, kpack and Argo CD read with it; empty to use githubToken.",
  },
  webhookSecret: {
    type: "string",
    secret: true,
    description:
      "At least 32 random characters (openssl rand -hex 32): each app's webhook secret, which GitHub signs its pushes with, is derived from it; the root itself never leaves Pulumi.",
  },
  argocdToken: {
    type: "string",
    secret: true,
    optionalSecret: true,
    description: "Read-only GitHub token Argo CD reads the ops repositories with; empty to use readToken (or githubToken when that is empty too).",
  },
  registryCredentials: {
    type: "string",
    secret: true,
    optionalSecret: true,
    description: "Docker config.json ({\"auths\": {...}}) kpack pushes images with; empty when the registry needs none.",
  },
  privateRepositories: {
    type: "boolean",
    default: true,
    description: "The app and ops repositories are private: Argo CD and kpack get credentials to read them.",
  },
  ingressClassName: { type: "string", default: "", description: "IngressClass of the listeners' Ingresses; empty for the cluster's default." },
  ingressTlsSecret: { type: "string", default: "", description: "Existing TLS Secret, in each build namespace, the listeners' Ingresses serve." },
  certManagerIssuer: {
    type: "string",
    default: "",
    description: "cert-manager ClusterIssuer that issues each listener Ingress its certificate (<app>-listener-tls).",
  },
  ingressWithoutTls: {
    type: "boolean",
    default: false,
    description: "true accepts a listener Ingress without TLS (no ingressTlsSecret or certManagerIssuer): GitHub then sends every push, and its signature, in clear text.",
  },
  gitHost: { type: "string", default: "https://github.com", description: "Base URL that repository clone URLs are built from." },
  kubeContext: { type: "string", default: "", description: "kubeconfig context to deploy to; empty for the current one." },
  argocdNamespace: { type: "string", default: "argocd", description: "Namespace Argo CD runs in; the Applications go there." },
  argocdProject: {
    type: "string",
    default: "",
    description:
      "Argo CD project of the Applications; empty: one AppProject per app, made by the program, allowing only its ops repository, its build namespace and the kinds its ops files hold.",
  },
  argocdDestinationServer: {
    type: "string",
    default: "https://kubernetes.default.svc",
    description: "API server the Applications deploy to; the stack program takes only Argo CD's own cluster, where it makes the Secrets.",
  },
  argocdPrune: { type: "boolean", default: true, description: "Argo CD deletes objects removed from the ops repository." },
  argocdSelfHeal: { type: "boolean", default: true, description: "Argo CD reverts changes made to the cluster by hand." },
  // Go supports its two newest releases (go.dev/doc/devel/release): 1.26 and 1.27 now.
  // Go 1.27.4 is the newest patch, with its security fixes, the Go module proxy serves
  // (golang.org/toolchain@v0.0.1-go1.27.4.linux-amd64; go1.27.5 is not served): tests/config/toolchains.test.ts.
  goVersion: { type: "string", default: "1.27.4", description: "golang image tag the go preset's tests run in, unless an app names its own; a supported Go release." },
  // golangci-lint refuses a module whose go line is newer than the Go it was built with
  // (golangci-lint v2.15.0 pkg/goutil/version.go, CheckGoVersion); v2.15.0 is built with Go 1.27
  // (.github/workflows/release.yml GO_VERSION 1.27.0, build/buildx.Dockerfile FROM golang:1.27).
  golangciLintVersion: {
    type: "string",
    default: "v2.15.0",
    description: "golangci-lint image tag the go preset's lint runs in, unless an app names its own: a release built with a Go at least as new as goVersion.",
  },
  // The newest release of the newest Node.js LTS line (26, Lithium, LTS since 2026-10-28), as the
  // node-releases package the lockfile pins records it: tests/config/toolchains.test.ts.
  nodeVersion: { type: "string", default: "26.13.0", description: "node image tag the node preset runs in, unless an app names its own: an LTS release." },
  // Python 3.15.2, the newest release of the newest feature release, as the download list of the uv
  // release the CI pins (0.13.8) records it
  // (tests/config/toolchains.test.ts, slow).
  pythonVersion: { type: "string", default: "3.15.2", description: "python image tag the python preset runs in, unless an app names its own: a supported Python release." },
  // Maven 3.10.1, the newest release Maven Central serves (org.apache.maven:maven-core), on Temurin's
  // JDK 25, the newest LTS: tests/config/toolchains.test.ts checks the Maven release offline against
  // the project's own pin of it (MAVEN_RELEASE).
  mavenVersion: {
    type: "string",
    default: "3.10.1-eclipse-temurin-25",
    description: "maven image tag the maven preset runs in, unless an app names its own: <Maven release>-eclipse-temurin-<JDK>.",
  },
  // Temurin's JDK 25, the newest LTS; a major tag, which moves with each security patch (a patch tag
  // carries a build number Eclipse assigns, which nothing offline records).
  javaVersion: {
    type: "string",
    default: "25-jdk",
    description: "eclipse-temurin image tag the gradle preset runs the project's Gradle wrapper on, unless an app names its own: a JDK.",
  },
  writeBackImage: {
    type: "string",
    default: "docker.io/alpine/git:v2.49.1",
    description: "Image of the update-image-revision step: sh, git and busybox applets (setsid, sleep, kill, od), pinned.",
  },
  // 10: a write-back for each of 20 apps on one ops branch at once, at GitHub's round trip, lands within
  // 7 (the back-off's window grows with each attempt, so the attempts needed grow with about the square
  // root of the apps); 5 left a third of them unrecorded (tests/tekton/update-image-revision.test.ts).
  writeBackAttempts: { type: "integer", default: 10, description: "Push attempts before update-image-revision gives up." },
  gitAuthorName: { type: "string", default: "Tekton Pipeline", description: "Author of the revision commits in the ops repositories." },
  gitAuthorEmail: {
    type: "string",
    default: "tekton-pipeline@users.noreply.github.com",
    description: "Email of the revision commits' author.",
  },
  // GitHub's write budget (terraform-provider-github github/transport.go, github/provider.go): the
  // provider sends one request at a time, waits writeDelayMs after each write, and retries a response
  // whose status is listed, up to maxRetries times, 1 s apart, replaying the same request.
  githubWriteDelayMs: {
    type: "integer",
    default: 1000,
    description: "Milliseconds the GitHub provider waits after each write; at least 750 keeps a run under GitHub's 80 content-creating requests a minute.",
  },
  githubMaxRetries: {
    type: "integer",
    default: 3,
    description: "Times the GitHub provider retries a request answered with one of githubRetryableErrors; 0 turns retries off.",
  },
  githubRetryableErrors: {
    type: "array",
    items: { type: "integer" },
    default: [409, 500, 502, 503, 504],
    description: "HTTP statuses the GitHub provider retries: 409 when a pipeline's push moved the ops branch under a file write, and GitHub's 5xx.",
  },
  apps: {
    type: "array",
    description: "The applications of this stack; see README (Configuration) for each entry's keys.",
  },
} as const satisfies Record<string, KeySpec>;

export type StackKey = keyof typeof STACK_KEYS;

/**
 * Keys a release removed, with what replaces each: a stack or component that still sets one is told so
 * by name (docs/changing-a-running-setup.md has the upgrade note).
 */
export const REMOVED_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  ["gitCloneBundle", "catalogGitUrl", "catalogRevision", "golangCatalogGitUrl", "golangCatalogRevision"].map((key) => [
    key,
    "removed: the pipeline's clone, lint and test Tasks are the project's own, committed with the Pipeline (no resolver fetches a catalog Task); " +
      "choose the toolchain with each app's language and goVersion, golangciLintVersion, nodeVersion, pythonVersion, mavenVersion or javaVersion, or its own lint and test; delete this key",
  ]),
);

/** The spec of a key as it appears in a stack file or in Pulumi's config; undefined when unknown. */
export function stackKeySpec(key: string): KeySpec | undefined {
  return Object.prototype.hasOwnProperty.call(STACK_KEYS, key) ? (STACK_KEYS as Record<string, KeySpec>)[key] : undefined;
}

/** The keys declared secret (githubToken, webhookSecret, ...), without the project prefix. */
export const SECRET_KEYS: readonly string[] = Object.keys(STACK_KEYS).filter((key) => stackKeySpec(key)?.secret);

/** The secret keys `pulumi up` cannot do without: every secret but the optional ones. */
export const REQUIRED_SECRET_KEYS: readonly string[] = SECRET_KEYS.filter((key) => !stackKeySpec(key)?.optionalSecret);

export interface AppKeySpec {
  required?: boolean;
  default?: string | boolean;
  description: string;
}

/** The keys of one entry of `apps`, with their defaults. */
export const APP_KEYS = {
  name: {
    required: true,
    description: `DNS-1123 label naming the app and its objects (at most ${appNameLimit({ name: "", namespace: "default" }).max} characters), e.g. go-sample-app.`,
  },
  repo: { required: true, description: "Application repository under githubOwner." },
  branch: { required: true, description: "Branch of repo whose pushes are built." },
  opsRepo: { required: true, description: "Ops repository under githubOwner that Argo CD watches." },
  image: { required: true, description: "Registry tag kpack pushes to." },
  initialRevision: { required: true, description: "Full commit SHA recorded until the pipeline records one." },
  opsBranch: { default: "main", description: "Branch of opsRepo the pipeline pushes to and Argo CD tracks." },
  opsPath: {
    default: "",
    description: "Folder of opsRepo holding this app's files (<opsPath>/kpack, <opsPath>/tekton); empty: cicd when no other app of the stack shares opsRepo and opsBranch, apps/<name> when some do.",
  },
  namespace: { default: "default", description: "Namespace of the Tekton objects, the kpack Image and the Secrets." },
  builderKind: { default: "ClusterBuilder", description: "ClusterBuilder or Builder." },
  builder: { default: "default", description: "Name of the kpack (Cluster)Builder." },
  imageServiceAccount: {
    default: "",
    description: "Existing service account kpack builds with; the program adds its Secrets to it. Empty: <app>-image-builder, owned by the program.",
  },
  language: {
    default: "go",
    description: "The preset lint and test of the app's ecosystem: go, node, python, maven or gradle (README, Presets); unused when the app gives its own test.",
  },
  lint: { description: "The app's own lint instead of the preset's: { image, script }, the script run in the app's checkout; optional beside test." },
  test: { description: "The app's own test instead of the preset's: { image, script }, the script run in the app's checkout; with lint, replaces the preset whole." },
  goPackage: { default: "", description: "go preset: Go import path the lint and test build under, e.g. example.com/team/app; defaults to <gitHost host name>/<githubOwner>/<repo>." },
  goVersion: { default: "", description: "go preset: golang image tag this app's tests run in; empty for the stack's goVersion." },
  golangciLintVersion: { default: "", description: "go preset: golangci-lint image tag this app's lint runs in; empty for the stack's golangciLintVersion." },
  nodeVersion: { default: "", description: "node preset: node image tag this app runs in; empty for the stack's nodeVersion." },
  pythonVersion: { default: "", description: "python preset: python image tag this app runs in; empty for the stack's pythonVersion." },
  mavenVersion: { default: "", description: "maven preset: maven image tag this app runs in; empty for the stack's mavenVersion." },
  javaVersion: { default: "", description: "gradle preset: eclipse-temurin image tag this app's Gradle wrapper runs on; empty for the stack's javaVersion." },
  submodules: {
    default: false,
    description: "true: the clone also fetches the app repository's submodules, from any repository the read token can read; false: none.",
  },
  webhookUrl: { default: "", description: "Public https URL of the EventListener; empty for no webhook, or https://<ingressHost>/ with an ingressHost." },
  ingressHost: { default: "", description: "Host name an Ingress routes to this app's EventListener; empty for no Ingress." },
} as const satisfies Record<string, AppKeySpec>;

export type AppKey = keyof typeof APP_KEYS;
