/** The validated settings of one stack: what every builder reads. Nothing here is secret. */

export type BuilderKind = "ClusterBuilder" | "Builder";

export interface AppSettings {
  /** DNS-1123 label naming the app, e.g. `go-sample-app`. Prefixes its objects. */
  name: string;
  /** The application repository under `githubOwner`, whose pushes are linted and tested. */
  repo: string;
  /** The branch of `repo` whose pushes start a pipeline run. */
  branch: string;
  /** The ops repository under `githubOwner` that Argo CD watches. */
  opsRepository: string;
  /** The branch of `opsRepository` that the pipeline pushes to and Argo CD tracks. */
  opsBranch: string;
  /** The app's own folder of the ops repository: `<opsPath>/kpack` and `<opsPath>/tekton` are Argo CD's. */
  opsPath: string;
  /** Namespace for the Tekton objects, the kpack Image and the Secrets. */
  namespace: string;
  /** Registry tag kpack pushes the built image to. */
  imageTag: string;
  /** The commit recorded before the pipeline has tested any: only written when the ops repo has none. */
  initialRevision: string;
  builder: { kind: BuilderKind; name: string };
  /**
   * Service account kpack builds with. `owned`: the program creates it with the Secrets kpack needs;
   * `existing`: the stack's own account, to which the program only adds those Secrets.
   */
  imageServiceAccount: { name: string; owned: boolean };
  /** Go import path the go preset's lint and test build under. */
  goPackage: string;
  /** The image tags the presets run on: each the app's own where it names one, else the stack's. */
  toolchains: Toolchains;
  /** What lints and tests the app: a preset of its ecosystem, or its own steps. */
  checks: AppChecks;
  /** The clone fetches the app repository's submodules (off unless the app asks: see README, Security model). */
  submodules: boolean;
  /** Public URL of this app's EventListener; when set, a push webhook is created on `repo`. */
  webhookUrl?: string;
  /** Host an Ingress routes to this app's EventListener; committed with the Tekton objects. */
  ingressHost?: string;
}

/** The ecosystems with a preset lint and test (components/tekton/presets.ts). */
export const LANGUAGES = ["go", "node", "python", "maven", "gradle"] as const;
export type Language = (typeof LANGUAGES)[number];

/** An app's own lint or test step: the image and the script run in the app's checkout. */
export interface CustomCheck {
  image: string;
  script: string;
}

/** The image tags each preset runs on: the stack's, or an app's own. */
export interface Toolchains {
  goVersion: string;
  golangciLintVersion: string;
  nodeVersion: string;
  pythonVersion: string;
  mavenVersion: string;
  javaVersion: string;
}

export type AppChecks =
  | { kind: "preset"; language: Language }
  | { kind: "custom"; lint?: CustomCheck; test: CustomCheck };

export interface StackSettings {
  githubOwner: string;
  /** Where repositories live, e.g. https://github.com; clone URLs are built from it. */
  gitHost: string;
  kubeContext?: string;
  /** Argo CD and kpack get credentials to read the repositories. */
  privateRepositories: boolean;
  /** Which token Argo CD reads the ops repositories with: its own read-only one, or the read token. */
  argocdToken: "argocdToken" | "githubToken";
  /** The stack sets writeBackToken: the write-back pushes with it instead of githubToken. */
  writeBackToken: boolean;
  /** The stack sets readToken: clones, kpack and Argo CD read with it instead of githubToken. */
  readToken: boolean;
  /** The stack gives kpack registry credentials (the secret registryCredentials). */
  registryCredentials: boolean;
  ingress: { className?: string; tlsSecret?: string; clusterIssuer?: string; withoutTls: boolean };
  argocd: {
    namespace: string;
    /** An AppProject the stack brings for every Application; undefined: one per app, made by the program. */
    project?: string;
    destinationServer: string;
    prune: boolean;
    selfHeal: boolean;
  };
  /** The presets' image tags unless an app names its own (AppSettings). */
  toolchains: Toolchains;
  /** How the GitHub provider paces and retries its requests. */
  github: {
    writeDelayMs: number;
    maxRetries: number;
    retryableErrors: number[];
  };
  writeBack: {
    image: string;
    maxAttempts: number;
    authorName: string;
    authorEmail: string;
  };
  apps: AppSettings[];
}
