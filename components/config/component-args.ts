/**
 * The components' args read the same way as a stack's config: the args become the config keys they
 * stand for and go through parseSettings, so a component and a stack file accept the same values, with
 * the same defaults (keys.ts) and the same checks (validators.ts), and say the same about a bad one.
 */
import { ConfigError, ConfigProblem, ProgramError } from "./errors";
import { AppKey, REMOVED_KEYS, StackKey } from "./keys";
import { parseSettings, RawConfig } from "./parse";
import { AppSettings, Language, StackSettings } from "./settings";

/**
 * Settings every app of a platform shares. Each is optional; its default is the stack config key of
 * the same name (README, Configuration), and a value is checked as that key is.
 */
export interface PipelineArgs {
  /** Base URL that repository clone URLs are built from. @default "https://github.com" */
  gitHost?: string;
  /** IngressClass of the listener's Ingress (with `ingressHost`). @default "" (the cluster's default) */
  ingressClassName?: string;
  /** Existing TLS Secret, in the build namespace, the listener's Ingress serves. @default "" (none) */
  ingressTlsSecret?: string;
  /** cert-manager ClusterIssuer that issues the listener's Ingress its certificate. @default "" (none) */
  certManagerIssuer?: string;
  /** Accept an ingressHost without TLS (no ingressTlsSecret or certManagerIssuer): pushes then travel in clear text. @default false */
  ingressWithoutTls?: boolean;
  /** Namespace Argo CD runs in; the Applications go there. @default "argocd" */
  argocdNamespace?: string;
  /**
   * An existing Argo CD project for the Applications, which you keep as tight as the one made here.
   * "": an AppProject of the app's own (its ops repository, its build namespace, the kinds its ops files hold; no cluster-scoped kind).
   * @default "" */
  argocdProject?: string;
  /**
   * API server the Applications deploy to. Another cluster than Argo CD's needs the build namespace's
   * Secrets there too: a BuildNamespace (and kpack's credentials) with a provider for that cluster.
   * @default "https://kubernetes.default.svc" */
  argocdDestinationServer?: string;
  /** Argo CD deletes objects removed from the ops repository. @default true */
  argocdPrune?: boolean;
  /** Argo CD reverts changes made to the cluster by hand. @default true */
  argocdSelfHeal?: boolean;
  /** golang image tag the go preset's tests run in: a supported Go release. @default "1.27.4" */
  goVersion?: string;
  /** golangci-lint image tag the go preset's lint runs in: a release built with a Go at least as new as goVersion. @default "v2.15.0" */
  golangciLintVersion?: string;
  /** node image tag the node preset runs in: an LTS release. @default "26.13.0" */
  nodeVersion?: string;
  /** python image tag the python preset runs in. @default "3.15.2" */
  pythonVersion?: string;
  /** maven image tag the maven preset runs in: <Maven release>-eclipse-temurin-<JDK>. @default "3.10.1-eclipse-temurin-25" */
  mavenVersion?: string;
  /** eclipse-temurin image tag the gradle preset runs the project's Gradle wrapper on. @default "25-jdk" */
  javaVersion?: string;
  /** Image of the update-image-revision step, pinned. @default "docker.io/alpine/git:v2.49.1" */
  writeBackImage?: string;
  /** Push attempts before update-image-revision gives up (1 to 20). @default 10 */
  writeBackAttempts?: number;
  /** Author of the revision commits. @default "Tekton Pipeline" */
  gitAuthorName?: string;
  /** Email of the revision commits' author. @default "tekton-pipeline@users.noreply.github.com" */
  gitAuthorEmail?: string;
}

/**
 * What each PipelineArgs arg is in a stack's settings: the stack program passes these to every app. One
 * entry per arg, so the compiler finds an arg left out.
 */
const PIPELINE_SETTINGS: { readonly [K in keyof PipelineArgs]-?: (s: Omit<StackSettings, "apps">) => NonNullable<PipelineArgs[K]> } = {
  gitHost: (s) => s.gitHost,
  ingressClassName: (s) => s.ingress.className ?? "",
  ingressTlsSecret: (s) => s.ingress.tlsSecret ?? "",
  certManagerIssuer: (s) => s.ingress.clusterIssuer ?? "",
  ingressWithoutTls: (s) => s.ingress.withoutTls,
  argocdNamespace: (s) => s.argocd.namespace,
  argocdProject: (s) => s.argocd.project ?? "",
  argocdDestinationServer: (s) => s.argocd.destinationServer,
  argocdPrune: (s) => s.argocd.prune,
  argocdSelfHeal: (s) => s.argocd.selfHeal,
  goVersion: (s) => s.toolchains.goVersion,
  golangciLintVersion: (s) => s.toolchains.golangciLintVersion,
  nodeVersion: (s) => s.toolchains.nodeVersion,
  pythonVersion: (s) => s.toolchains.pythonVersion,
  mavenVersion: (s) => s.toolchains.mavenVersion,
  javaVersion: (s) => s.toolchains.javaVersion,
  writeBackImage: (s) => s.writeBack.image,
  writeBackAttempts: (s) => s.writeBack.maxAttempts,
  gitAuthorName: (s) => s.writeBack.authorName,
  gitAuthorEmail: (s) => s.writeBack.authorEmail,
};

/** Every PipelineArgs arg: each is the stack config key of the same name (the type says so). */
export const PIPELINE_ARG_KEYS: readonly (keyof PipelineArgs & StackKey)[] = Object.keys(PIPELINE_SETTINGS) as (keyof PipelineArgs)[];

/** A stack's shared settings as the args each app's component takes. */
export function pipelineArgs(settings: Omit<StackSettings, "apps">): Required<PipelineArgs> {
  return Object.fromEntries(PIPELINE_ARG_KEYS.map((key) => [key, PIPELINE_SETTINGS[key](settings)])) as Required<PipelineArgs>;
}

/**
 * One app's args that decide its plan, all plain values (what may come from another resource, the
 * namespace and the webhook, is DeliberateImageBuildsArgs' own).
 */
export interface AppPlanArgs extends PipelineArgs {
  /** GitHub user or organisation owning both repositories; the GitHub provider in `opts` must write them. */
  githubOwner: string;
  /** The application repository under githubOwner, linted, tested and built. */
  appRepository: string;
  /** Branch of appRepository whose pushes are built. */
  branch: string;
  /** The ops repository under githubOwner that Argo CD watches and the pipeline records the tested revision in. */
  opsRepository: string;
  /** Branch of opsRepository the pipeline pushes to and Argo CD tracks; it must exist. @default "main" */
  opsBranch?: string;
  /**
   * Folder of opsRepository holding this app's files: `<opsPath>/kpack` and `<opsPath>/tekton`, one
   * Argo CD Application each. Apps sharing opsRepository and opsBranch need one each, e.g.
   * `apps/<name>`; two DeliberateImageBuilds of one program claiming the same folder (or one inside
   * the other) is a ComponentArgsError.
   * @default "cicd" (the stack program: "apps/<name>" when several of its apps share opsRepo and opsBranch)
   */
  opsPath?: string;
  /** Registry tag kpack pushes to, e.g. registry.example.com/team/app. */
  image: string;
  /** Full commit SHA kpack builds until the pipeline records a tested one. */
  initialRevision: string;
  /** Host an Ingress (committed with the Tekton objects) routes to the EventListener. @default none: no Ingress */
  ingressHost?: string;
  /** Kind of the kpack builder. @default "ClusterBuilder" */
  builderKind?: "ClusterBuilder" | "Builder";
  /** Name of the kpack (Cluster)Builder. @default "default" */
  builder?: string;
  /**
   * Existing service account kpack builds with, listing the Secrets kpack needs.
   * @default "<name>-image-builder", which a BuildCredentials listing the app makes (pass it as `credentials`)
   */
  imageServiceAccount?: string;
  /**
   * The preset lint and test of the app's ecosystem (README, Presets): `go` (golangci-lint run; go test ./...),
   * `node` (npm ci; npm run lint when package.json has it; npm test), `python` (ruff check, or flake8 where
   * the project configures it; pytest), `maven` (mvn -B validate; mvn -B verify), `gradle` (./gradlew check).
   * Unused with `test`. @default "go"
   */
  language?: Language;
  /**
   * The app's own lint instead of the preset's: a pinned image and a script run in the app's checkout,
   * as the preset's user, with the preset's restricted security context. Only beside `test`. @default none: the preset's
   */
  lint?: { image: string; script: string };
  /** The app's own test instead of the preset's, as `lint`; with it, `language` is unused. @default none: the preset's */
  test?: { image: string; script: string };
  /** go preset: Go import path the lint and test build under. @default "<gitHost host>/<githubOwner>/<appRepository>" */
  goPackage?: string;
  /**
   * git-clone also fetches the app repository's submodules, with the read credential, from wherever
   * `.gitmodules` points on the git host. @default false
   */
  submodules?: boolean;
}

/** The args of AppPlanArgs that stand for one app's config keys (the rest are the stack's). */
type AppOwnArg = Exclude<keyof AppPlanArgs, keyof PipelineArgs | "githubOwner">;

/**
 * Each app arg's config key, and what it is in an app's settings: one entry per arg (the compiler finds
 * one left out), read both ways: args into config keys for the component, settings into args for the
 * stack program.
 */
const APP_ARGS: { readonly [K in AppOwnArg]-?: { key: AppKey; of: (app: AppSettings) => AppPlanArgs[K] } } = {
  appRepository: { key: "repo", of: (a) => a.repo },
  branch: { key: "branch", of: (a) => a.branch },
  opsRepository: { key: "opsRepo", of: (a) => a.opsRepository },
  opsBranch: { key: "opsBranch", of: (a) => a.opsBranch },
  opsPath: { key: "opsPath", of: (a) => a.opsPath },
  image: { key: "image", of: (a) => a.imageTag },
  initialRevision: { key: "initialRevision", of: (a) => a.initialRevision },
  ingressHost: { key: "ingressHost", of: (a) => a.ingressHost },
  builderKind: { key: "builderKind", of: (a) => a.builder.kind },
  builder: { key: "builder", of: (a) => a.builder.name },
  imageServiceAccount: { key: "imageServiceAccount", of: (a) => a.imageServiceAccount.name },
  goPackage: { key: "goPackage", of: (a) => a.goPackage },
  language: { key: "language", of: (a) => (a.checks.kind === "preset" ? a.checks.language : undefined) },
  lint: { key: "lint", of: (a) => (a.checks.kind === "custom" ? a.checks.lint : undefined) },
  test: { key: "test", of: (a) => (a.checks.kind === "custom" ? a.checks.test : undefined) },
  submodules: { key: "submodules", of: (a) => a.submodules },
};
const APP_ARG_KEYS = Object.keys(APP_ARGS) as AppOwnArg[];

/** One app of a stack as the args its component takes (the namespace and webhook aside: they may be Inputs). */
export function appArgs(settings: StackSettings, app: AppSettings): AppPlanArgs {
  return {
    ...pipelineArgs(settings),
    // One app's component has one set of toolchains: the app's own where it names one, else the stack's.
    ...app.toolchains,
    githubOwner: settings.githubOwner,
    ...Object.fromEntries(APP_ARG_KEYS.map((arg) => [arg, APP_ARGS[arg].of(app)])),
  } as AppPlanArgs;
}

/** The component args that carry another name than their config key, by config key. */
const ARG_NAMES: Record<string, string> = {
  ...Object.fromEntries(APP_ARG_KEYS.filter((arg) => APP_ARGS[arg].key !== arg).map((arg) => [APP_ARGS[arg].key, arg])),
  webhookUrl: "webhook.url",
};

/** The args of one app, plain values, as a DeliberateImageBuilds gets them once its Inputs resolved. */
export interface AppArgValues extends AppPlanArgs {
  namespace?: string;
  webhookUrl?: string;
}

/** Thrown by a component whose args are wrong: names the component, each arg and what was expected. */
export class ComponentArgsError extends ProgramError {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `${component} "${resourceName}": invalid args (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - args.${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ComponentArgsError";
  }
}

/** The arg a config key's problem is about: `apps[0].repo` is `appRepository`, `apps[0].name` the resource name. */
function argOf(key: string): string {
  const appKey = /^apps\[0\]\.(.*)$/.exec(key)?.[1];
  if (appKey === undefined) return key;
  return appKey === "name" ? "name (the resource name)" : (ARG_NAMES[appKey] ?? appKey);
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * The settings one app's component plans with: `name` is the app's name, `args` its args with Inputs
 * resolved. Throws a ComponentArgsError naming every wrong arg.
 */
export function appComponentSettings(component: string, name: string, args: AppArgValues): { stack: StackSettings; app: AppSettings } {
  // A program in JavaScript, or one that casts, may still pass an arg a release removed: say so.
  const removed = Object.keys(args).filter((arg) => REMOVED_KEYS[arg] !== undefined && (args as unknown as Record<string, unknown>)[arg] !== undefined);
  if (removed.length > 0) throw new ComponentArgsError(component, name, removed.map((key) => ({ key, message: REMOVED_KEYS[key] })));
  const raw: RawConfig = {
    githubOwner: args.githubOwner,
    ...defined(Object.fromEntries(PIPELINE_ARG_KEYS.map((key) => [key, args[key]]))),
    apps: [
      defined({
        name,
        ...Object.fromEntries(APP_ARG_KEYS.map((arg) => [APP_ARGS[arg].key, args[arg]])),
        namespace: args.namespace,
        webhookUrl: args.webhookUrl,
      }),
    ],
  };
  try {
    const stack = parseSettings(raw, [], { component: true });
    return { stack, app: stack.apps[0] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ComponentArgsError(component, name, err.problems.map((p) => ({ ...p, key: argOf(p.key) })));
  }
}
