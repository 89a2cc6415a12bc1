import { ConfigError, ConfigProblem, PROJECT, show } from "./errors";
import { APP_KEYS, AppKey, AppKeySpec, KeySpec, REMOVED_KEYS, STACK_KEYS, StackKey, stackKeySpec } from "./keys";
import { distance, projectConfig, ProjectConfig, readDeclared } from "./pulumi-config";
import { AppChecks, AppSettings, BuilderKind, CustomCheck, Language, LANGUAGES, StackSettings, Toolchains } from "./settings";
import * as v from "./validators";
import { appNameProblem } from "../plan/names";
import { defaultOpsPaths, describeFolder, foldersOverlap, OpsFolder, sharedOpsPath } from "../plan/ops-folders";

/** Stands in for a secret config value wherever config is handled as plain data. */
export const SECRET_IS_SET = "[secret]";

/** Stands in for a secret value of the wrong shape: what was expected, never the value. */
export class MalformedSecret {
  constructor(readonly expected: string) {}
}

/** Shape checks of secret values, run where the value is at hand and then forgotten. */
const SECRET_CHECKS: Partial<Record<StackKey, Check>> = { registryCredentials: v.dockerConfigJson, webhookSecret: v.webhookSecret };

/** Project config as plain values, keys without the `deliberate-image-builds:` prefix. */
export type RawConfig = Record<string, unknown>;

type Check = (value: string) => string | undefined;

/** Reads keys off one object, collecting problems instead of stopping at the first. */
class Reader {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly path: (key: string) => string,
    readonly problems: ConfigProblem[],
  ) {}

  private problem(key: string, value: unknown, expected: string): void {
    this.problems.push({ key: this.path(key), message: `got ${show(value)}; ${expected}` });
  }

  string(key: string, fallback: string | undefined, ...checks: Check[]): string {
    const value = this.values[key] ?? fallback;
    if (value === undefined || value === "") {
      if (fallback === undefined) this.problem(key, undefined, "it is required");
      return fallback ?? "";
    }
    if (typeof value !== "string") {
      this.problem(key, value, "expected a string");
      return "";
    }
    for (const check of checks) {
      const expected = check(value);
      if (expected) {
        this.problem(key, value, expected);
        break;
      }
    }
    return value;
  }

  /** Whether a secret key is set; its value is never here, only a MalformedSecret when it was wrong. */
  secretSet(key: string): boolean {
    const value = this.values[key];
    if (value instanceof MalformedSecret) {
      this.problems.push({ key: this.path(key), message: `got a value of the wrong shape (not shown: it is secret); ${value.expected}` });
      return true;
    }
    return value !== undefined && value !== "";
  }

  optionalString(key: string, ...checks: Check[]): string | undefined {
    const value = this.string(key, "", ...checks);
    return value === "" ? undefined : value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.values[key] ?? fallback;
    if (typeof value === "boolean") return value;
    this.problem(key, value, "expected true or false");
    return fallback;
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.values[key] ?? fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.problem(key, value, `expected a whole number from ${min} to ${max}`);
    return fallback;
  }

  /** A non-empty list of distinct whole numbers, each from min to max. */
  integerList(key: string, fallback: readonly number[], min: number, max: number): number[] {
    const value = this.values[key] ?? fallback;
    const fine =
      Array.isArray(value) &&
      value.length > 0 &&
      new Set(value).size === value.length &&
      value.every((n) => typeof n === "number" && Number.isInteger(n) && n >= min && n <= max);
    if (fine) return value as number[];
    this.problem(key, value, `expected a non-empty list of distinct whole numbers from ${min} to ${max}`);
    return [...fallback];
  }

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  /** A problem with a key's value beside another's: `expected` says what goes with what. */
  conflict(key: string, expected: string): void {
    this.problem(key, this.values[key], expected);
  }

  /** An app's own lint or test step: `{ image, script }`, a pinned image and a script that is not empty. */
  customCheck(key: string): CustomCheck | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    const expected = `expected { image: <pinned image>, script: <the commands, run in the app's checkout> }`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return this.problem(key, value, expected), undefined;
    const fields = value as Record<string, unknown>;
    const extra = Object.keys(fields).filter((f) => f !== "image" && f !== "script");
    if (extra.length > 0) return this.problem(key, value, `unknown field ${extra.join(", ")}; ${expected}`), undefined;
    const sub = new Reader(fields, (f) => `${this.path(key)}.${f}`, this.problems);
    const image = sub.string("image", undefined, v.pinnedImage);
    const script = sub.string("script", undefined, v.stepScript);
    return image && script ? { image, script } : undefined;
  }

  unknownKeys(known: readonly string[], what: string): void {
    for (const key of Object.keys(this.values)) {
      if (REMOVED_KEYS[key] !== undefined) {
        this.problems.push({ key: this.path(key), message: REMOVED_KEYS[key] });
      } else if (!known.includes(key)) {
        const near = nearestKey(key, known);
        this.problems.push({ key: this.path(key), message: `unknown ${what} key; ${near ? `did you mean ${near}? ` : ""}expected one of ${known.join(", ")}` });
      }
    }
  }
}

/**
 * The known key a misspelt one most likely meant: the nearest by edit distance, ignoring case (a wrong
 * case is one edit), when it is near enough to be a slip (a third of its length, at least two edits);
 * undefined when none is.
 */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = key.toLowerCase() === k.toLowerCase() ? 1 : distance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { key: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function defaultOf(key: StackKey): string {
  const spec: KeySpec = STACK_KEYS[key];
  return String(spec.default);
}

function appDefault(key: AppKey): string {
  const spec: AppKeySpec = APP_KEYS[key];
  return String(spec.default ?? "");
}

/** The presets' image tags, each read by `read` (the stack's, or an app's own falling back on `stack`'s). */
function toolchains(read: (key: keyof Toolchains) => string | undefined, stack?: Toolchains): Toolchains {
  return Object.fromEntries(TOOLCHAIN_KEYS.map((key) => [key, read(key) ?? stack?.[key] ?? ""])) as unknown as Toolchains;
}
const TOOLCHAIN_KEYS = ["goVersion", "golangciLintVersion", "nodeVersion", "pythonVersion", "mavenVersion", "javaVersion"] as const satisfies readonly (keyof Toolchains & StackKey & AppKey)[];

/**
 * A preset (`language`), or the app's own `test` and optional `lint`: both at once would leave one
 * unused, so that is refused, naming the two.
 */
function appChecks(r: Reader): AppChecks {
  const test = r.customCheck("test");
  const lint = r.customCheck("lint");
  const language = r.string("language", appDefault("language"), (l) =>
    (LANGUAGES as readonly string[]).includes(l) ? undefined : `expected one of ${LANGUAGES.join(", ")} (or the app's own test: { image, script })`,
  ) as Language;
  if (r.has("language") && (test || lint)) r.conflict("language", `beside ${test ? "test" : "lint"}; expected either a preset (language) or the app's own test and lint, not both`);
  if (lint && !test) r.conflict("lint", "without test; expected test: { image, script } beside it (the app's own lint replaces the preset's only with its own test)");
  return test ? { kind: "custom", test, ...(lint ? { lint } : {}) } : { kind: "preset", language };
}

function parseApp(raw: unknown, index: number, stack: Omit<StackSettings, "apps">, problems: ConfigProblem[]): AppSettings | undefined {
  const at = (key: string) => `apps[${index}].${key}`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push({ key: `apps[${index}]`, message: `got ${show(raw)}; expected an object with ${Object.keys(APP_KEYS).join(", ")}` });
    return undefined;
  }
  const r = new Reader(raw as Record<string, unknown>, at, problems);
  r.unknownKeys(Object.keys(APP_KEYS), "app");
  const namespace = r.string("namespace", appDefault("namespace"), v.dnsLabel);
  const name = r.string("name", undefined, (n) => appNameProblem({ name: n, namespace }));
  const repo = r.string("repo", undefined, v.githubName);
  const builderKind = r.string("builderKind", appDefault("builderKind"), (k) =>
    k === "ClusterBuilder" || k === "Builder" ? undefined : "expected ClusterBuilder or Builder",
  ) as BuilderKind;
  const host = safeHost(stack.gitHost);
  const namedAccount = r.optionalString("imageServiceAccount", v.dnsLabel);
  const ingressHost = r.optionalString("ingressHost", v.hostName, (host) => plainHttpIngress(host, stack.ingress));
  return {
    name,
    repo,
    branch: r.string("branch", undefined, v.branchName),
    opsRepository: r.string("opsRepo", undefined, v.githubName),
    opsBranch: r.string("opsBranch", appDefault("opsBranch"), v.branchName),
    // Empty until every app is read: the default depends on which apps share the repository (parseSettings).
    opsPath: r.optionalString("opsPath", v.opsPath) ?? "",
    namespace,
    imageTag: r.string("image", undefined, v.imageTag),
    initialRevision: r.string("initialRevision", undefined, v.fullSha),
    builder: { kind: builderKind, name: r.string("builder", appDefault("builder"), v.dnsLabel) },
    imageServiceAccount: namedAccount ? { name: namedAccount, owned: false } : { name: `${name}-image-builder`, owned: true },
    goPackage: r.optionalString("goPackage", v.goImportPath) ?? `${host}/${stack.githubOwner}/${repo}`,
    toolchains: toolchains((key) => r.optionalString(key, v.versionTag), stack.toolchains),
    checks: appChecks(r),
    submodules: r.boolean("submodules", APP_KEYS.submodules.default),
    // An Ingress makes the listener reachable at its host's root, so that is where GitHub delivers.
    webhookUrl: r.optionalString("webhookUrl", v.httpsUrl) ?? (ingressHost ? `https://${ingressHost}/` : undefined),
    ingressHost,
  };
}

/**
 * gitHost in the one spelling every use of it shares (clone URLs, kpack's `kpack.io/git`, git's and Argo
 * CD's credentials, the GitHub API): the URL's origin as WHATWG URL writes it (scheme and host lower
 * case, the default port dropped) and its path without trailing slashes. kpack compares the clone URL's
 * host, as written, with the annotation exactly (pivotal/kpack v0.17.2 pkg/git/git_keychain.go
 * gitBasicAuthCred.match, k8s_git_keychain.go gitUrlMatch), so a second spelling would clone without
 * credentials. A value baseHttpsUrl refuses is left as it is: the refusal is the problem reported.
 */
export function normalGitHost(gitHost: string): string {
  if (v.baseHttpsUrl(gitHost)) return gitHost;
  const url = new URL(gitHost);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The git host's name, the first element of the default goPackage: an import path has no port. */
function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "github.com";
  }
}

/** An Ingress without TLS, unless the stack accepts it in so many words (ingressWithoutTls). */
function plainHttpIngress(host: string, ingress: StackSettings["ingress"]): string | undefined {
  if (ingress.tlsSecret || ingress.clusterIssuer || ingress.withoutTls) return undefined;
  return `expected TLS for the listener's host: set ingressTlsSecret or certManagerIssuer (without TLS GitHub sends every push and its signature in clear text), or ingressWithoutTls: true to accept that`;
}

/** Two apps that would write the same ops files or the same names fight; say so before anything runs. */
function checkUnique(apps: AppSettings[], problems: ConfigProblem[]): void {
  const names = new Map<string, number>();
  apps.forEach((app, i) => {
    const first = names.get(app.name);
    if (first !== undefined) {
      // The same app listed twice would also write the other's folder; that is this one problem, and
      // another folder (e.g. apps/<name>) would not fix it: the second app of one name is refused anyway.
      const same = JSON.stringify(apps[first]) === JSON.stringify(app);
      problems.push({
        key: `apps[${i}].name`,
        message: same
          ? `got ${show(app.name)}, the same app as apps[${first}] (every setting equal); expected each app listed once: remove one`
          : `got ${show(app.name)}; already used by apps[${first}], expected each app to have its own`,
      });
      return;
    }
    names.set(app.name, i);
    const folder = opsFolderOf(app);
    const other = apps.findIndex((a, j) => j < i && foldersOverlap(opsFolderOf(a), folder));
    if (other >= 0) {
      problems.push({
        key: `apps[${i}].opsPath`,
        message: `got ${show(describeFolder(folder))}; apps[${other}] writes ${show(describeFolder(opsFolderOf(apps[other])))}, expected a folder of its own (not inside another app's), e.g. ${sharedOpsPath(app.name)}`,
      });
    }
  });
}

const opsFolderOf = (a: AppSettings): OpsFolder => ({ repository: a.opsRepository, branch: a.opsBranch, path: a.opsPath });

function ingressSettings(r: Reader, problems: ConfigProblem[]): StackSettings["ingress"] {
  const tlsSecret = r.optionalString("ingressTlsSecret", v.dnsSubdomain);
  const clusterIssuer = r.optionalString("certManagerIssuer", v.dnsSubdomain);
  if (tlsSecret && clusterIssuer) {
    problems.push({
      key: "certManagerIssuer",
      message: `got ${show(clusterIssuer)} beside ingressTlsSecret ${show(tlsSecret)}; expected one of the two: cert-manager issues a certificate into its own Secret`,
    });
  }
  return { className: r.optionalString("ingressClassName", v.dnsSubdomain), tlsSecret, clusterIssuer, withoutTls: r.boolean("ingressWithoutTls", STACK_KEYS.ingressWithoutTls.default) };
}

/** What an operator should know before deploying these settings, though nothing is wrong with them. */
export function settingsWarnings(settings: StackSettings): string[] {
  const warning = sharedTokenWarning(settings);
  return warning ? [warning] : [];
}

/**
 * One warning, when githubToken (Pulumi's, with admin rights on the repositories' webhooks) also
 * serves in the cluster: what reaches it there, and which keys split it off. Undefined when split.
 */
export function sharedTokenWarning(t: Pick<StackSettings, "writeBackToken" | "readToken" | "argocdToken" | "privateRepositories">, prefix = `${PROJECT}:`): string | undefined {
  const uses = [
    ...(t.writeBackToken ? [] : [`the write-back pushes with it (set ${prefix}writeBackToken: Contents read and write on the ops repositories only)`]),
    ...(t.readToken ? [] : [`${t.argocdToken === "argocdToken" || !t.privateRepositories ? "git-clone and kpack" : "git-clone, kpack and Argo CD"} read with it (set ${prefix}readToken: Contents read-only on the app and ops repositories)`]),
  ];
  if (uses.length === 0) return undefined;
  return `${prefix}githubToken also serves in the cluster, where anyone who can read the build namespaces' Secrets holds it: ${uses.join("; ")}`;
}

/**
 * The declared scalar keys typed as Pulumi types them (see pulumi-config.ts), whether a stack file holds
 * them as YAML or Pulumi handed them over as text: one reading for render, diff and `pulumi up`. A value
 * Pulumi would refuse becomes a problem and is left out, so the key's default stands in for the rest.
 */
function typedAsPulumi(raw: RawConfig, problems: ConfigProblem[]): RawConfig {
  const typed: RawConfig = { ...raw };
  for (const [key, value] of Object.entries(raw)) {
    const spec = stackKeySpec(key);
    if (!spec || spec.secret || spec.type === "array" || value === undefined) continue;
    const read = readDeclared(key, spec.type, value);
    if ("problem" in read) {
      problems.push({ key, message: read.problem });
      delete typed[key];
    } else typed[key] = read.value;
  }
  return typed;
}

/**
 * The stack program makes every build namespace's Secrets, kpack's credentials and the image service
 * accounts with its one Kubernetes provider, in the cluster Argo CD runs in. Applications deploying to
 * another cluster would put the Tekton objects and the Image where none of those exist, and kpack and
 * Tekton would fail there: refused. A program of one's own can give BuildNamespace a provider for the
 * destination cluster, so the components accept any server.
 */
function checkStackDestination(server: string, problems: ConfigProblem[]): void {
  // The key's default is Argo CD's own cluster (argoproj/argo-cd common/common.go KubernetesInternalAPIServerAddr).
  const inCluster = defaultOf("argocdDestinationServer");
  if (server === inCluster || v.httpsUrl(server)) return; // a malformed URL is reported as such already
  problems.push({
    key: "argocdDestinationServer",
    message:
      `got ${show(server)}; expected ${inCluster}, the cluster Argo CD runs in: this stack creates the build namespaces' Secrets, ` +
      `kpack's credentials and service accounts there (kubeContext), so the Tekton objects and the kpack Image on another cluster would find none. ` +
      `Run this stack against the destination cluster with an Argo CD of its own (kubeContext), or use the DeliberateImageBuilds and BuildNamespace ` +
      `components in a program of your own, with a Kubernetes provider for that cluster`,
  });
}

/**
 * Parses and validates a stack's config once, at the edge. Throws a ConfigError naming every bad key;
 * what it returns is safe for every builder to use without checking again. Secrets are not read here.
 * `found`: problems already found in the config's keys (misspelt namespaces), reported with the rest.
 * `component`: the settings of one component's args, which leave the cluster side to their program.
 */
export function parseSettings(given: RawConfig, found: ConfigProblem[] = [], { component = false } = {}): StackSettings {
  const problems: ConfigProblem[] = [...found];
  const raw = typedAsPulumi(given, problems);
  const r = new Reader(raw, (key) => key, problems);
  r.unknownKeys(Object.keys(STACK_KEYS), "config");
  const stack: Omit<StackSettings, "apps"> = {
    githubOwner: r.string("githubOwner", undefined, v.githubName),
    gitHost: normalGitHost(r.string("gitHost", defaultOf("gitHost"), v.baseHttpsUrl)),
    kubeContext: r.optionalString("kubeContext", v.plainText),
    privateRepositories: r.boolean("privateRepositories", STACK_KEYS.privateRepositories.default),
    argocdToken: r.secretSet("argocdToken") ? "argocdToken" : "githubToken",
    writeBackToken: r.secretSet("writeBackToken"),
    readToken: r.secretSet("readToken"),
    registryCredentials: r.secretSet("registryCredentials"),
    ingress: ingressSettings(r, problems),
    argocd: {
      namespace: r.string("argocdNamespace", defaultOf("argocdNamespace"), v.dnsLabel),
      project: r.optionalString("argocdProject", v.dnsSubdomain),
      destinationServer: r.string("argocdDestinationServer", defaultOf("argocdDestinationServer"), v.httpsUrl),
      prune: r.boolean("argocdPrune", STACK_KEYS.argocdPrune.default),
      selfHeal: r.boolean("argocdSelfHeal", STACK_KEYS.argocdSelfHeal.default),
    },
    toolchains: toolchains((key) => r.string(key, defaultOf(key), v.versionTag)),
    github: {
      writeDelayMs: r.integer("githubWriteDelayMs", STACK_KEYS.githubWriteDelayMs.default, 750, 60000),
      maxRetries: r.integer("githubMaxRetries", STACK_KEYS.githubMaxRetries.default, 0, 10),
      // An empty list would not turn retries off: the provider then retries its own defaults.
      retryableErrors: r.integerList("githubRetryableErrors", STACK_KEYS.githubRetryableErrors.default, 400, 599),
    },
    writeBack: {
      image: r.string("writeBackImage", defaultOf("writeBackImage"), v.pinnedImage),
      maxAttempts: r.integer("writeBackAttempts", STACK_KEYS.writeBackAttempts.default, 1, 20),
      authorName: r.string("gitAuthorName", defaultOf("gitAuthorName"), v.plainText),
      authorEmail: r.string("gitAuthorEmail", defaultOf("gitAuthorEmail"), v.email),
    },
  };
  r.secretSet("webhookSecret"); // reports a value too short to be random; its being set is the engine's to check
  if (!component) checkStackDestination(stack.argocd.destinationServer, problems);
  const rawApps = raw.apps;
  let apps: AppSettings[] = [];
  if (!Array.isArray(rawApps) || rawApps.length === 0) {
    problems.push({ key: "apps", message: `got ${show(rawApps)}; expected a list of at least one app (name, repo, branch, opsRepo, image, initialRevision)` });
  } else {
    apps = defaultOpsPaths(rawApps.map((app, i) => parseApp(app, i, stack, problems)).filter((a): a is AppSettings => a !== undefined));
    checkUnique(apps, problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...stack, apps };
}

/**
 * The project's config as Pulumi hands it to the program (every value a string: scalars as stored, lists
 * and maps as JSON), with keys meant for the project under a misspelt namespace found. Declared scalar keys
 * stay text for parseSettings to type as Pulumi does; other namespaces (kubernetes:, github:) are not ours.
 */
export function fromPulumiConfig(all: Record<string, string>, project: string): ProjectConfig {
  const { raw: texts, problems } = projectConfig(all, project, Object.keys(STACK_KEYS));
  const raw: RawConfig = {};
  for (const [key, text] of Object.entries(texts)) {
    const spec = stackKeySpec(key);
    // Secret values never enter settings: only whether they are set (and well formed) matters here.
    if (spec?.secret) {
      if (text === "") continue; // the declared default: not set
      const expected = SECRET_CHECKS[key as StackKey]?.(String(text));
      raw[key] = expected ? new MalformedSecret(expected) : SECRET_IS_SET;
    }
    else raw[key] = spec && spec.type !== "array" ? text : parseJsonOrText(String(text));
  }
  return { raw, problems };
}

/** What `pulumi up` runs on: this stack's settings from the config the engine handed over. */
export function settingsFromPulumiConfig(all: Record<string, string>, project: string): StackSettings {
  const { raw, problems } = fromPulumiConfig(all, project);
  return parseSettings(raw, problems);
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
