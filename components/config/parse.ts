import { ConfigError, ConfigProblem, show } from "./errors";
import { APP_KEYS, AppKey, AppKeySpec, KeySpec, STACK_KEYS, StackKey, stackKeySpec } from "./keys";
import { AppSettings, BuilderKind, StackSettings } from "./settings";
import * as v from "./validators";
import { appNameTooLong } from "../plan/names";

/** Stands in for a secret config value wherever config is handled as plain data. */
export const SECRET_IS_SET = "[secret]";

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

  unknownKeys(known: readonly string[], what: string): void {
    for (const key of Object.keys(this.values)) {
      if (!known.includes(key)) {
        this.problems.push({ key: this.path(key), message: `unknown ${what} key; expected one of ${known.join(", ")}` });
      }
    }
  }
}

function defaultOf(key: StackKey): string {
  const spec: KeySpec = STACK_KEYS[key];
  return String(spec.default);
}

function appDefault(key: AppKey): string {
  const spec: AppKeySpec = APP_KEYS[key];
  return spec.default ?? "";
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
  const name = r.string("name", undefined, v.dnsLabel, (n) => appNameTooLong({ name: n, namespace }));
  const repo = r.string("repo", undefined, v.githubName);
  const builderKind = r.string("builderKind", appDefault("builderKind"), (k) =>
    k === "ClusterBuilder" || k === "Builder" ? undefined : "expected ClusterBuilder or Builder",
  ) as BuilderKind;
  const host = safeHost(stack.gitHost);
  return {
    name,
    repo,
    branch: r.string("branch", undefined, v.branchName),
    opsRepository: r.string("opsRepo", undefined, v.githubName),
    opsBranch: r.string("opsBranch", appDefault("opsBranch"), v.branchName),
    namespace,
    imageTag: r.string("image", undefined, v.imageTag),
    initialRevision: r.string("initialRevision", undefined, v.fullSha),
    builder: { kind: builderKind, name: r.string("builder", appDefault("builder"), v.dnsLabel) },
    imageServiceAccount: r.string("imageServiceAccount", appDefault("imageServiceAccount"), v.dnsLabel),
    goPackage: r.optionalString("goPackage", v.plainText) ?? `${host}/${stack.githubOwner}/${repo}`,
    webhookUrl: r.optionalString("webhookUrl", v.httpsUrl),
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "github.com";
  }
}

/** Two apps that would write the same ops files or the same names fight; say so before anything runs. */
function checkUnique(apps: AppSettings[], problems: ConfigProblem[]): void {
  const seen = new Map<string, number>();
  apps.forEach((app, i) => {
    for (const [what, id] of [
      ["name", `name:${app.name}`],
      ["opsRepo", `ops:${app.opsRepository}@${app.opsBranch}`],
    ] as const) {
      const first = seen.get(id);
      if (first !== undefined) {
        problems.push({
          key: `apps[${i}].${what}`,
          message: `got ${show(what === "name" ? app.name : `${app.opsRepository}@${app.opsBranch}`)}; already used by apps[${first}], expected each app to have its own`,
        });
      } else seen.set(id, i);
    }
  });
}

/**
 * Parses and validates a stack's config once, at the edge. Throws a ConfigError naming every bad key;
 * what it returns is safe for every builder to use without checking again. Secrets are not read here.
 */
export function parseSettings(raw: RawConfig): StackSettings {
  const problems: ConfigProblem[] = [];
  const r = new Reader(raw, (key) => key, problems);
  r.unknownKeys(Object.keys(STACK_KEYS), "config");
  const stack: Omit<StackSettings, "apps"> = {
    githubOwner: r.string("githubOwner", undefined, v.githubName),
    gitHost: r.string("gitHost", defaultOf("gitHost"), v.httpsUrl).replace(/\/+$/, ""),
    kubeContext: r.optionalString("kubeContext", v.plainText),
    argocd: {
      namespace: r.string("argocdNamespace", defaultOf("argocdNamespace"), v.dnsLabel),
      project: r.string("argocdProject", defaultOf("argocdProject"), v.dnsLabel),
      destinationServer: r.string("argocdDestinationServer", defaultOf("argocdDestinationServer"), v.httpsUrl),
      prune: r.boolean("argocdPrune", STACK_KEYS.argocdPrune.default),
      selfHeal: r.boolean("argocdSelfHeal", STACK_KEYS.argocdSelfHeal.default),
    },
    catalog: {
      gitCloneBundle: r.string("gitCloneBundle", defaultOf("gitCloneBundle"), v.pinnedImage),
      gitUrl: r.string("catalogGitUrl", defaultOf("catalogGitUrl"), v.httpsUrl),
      revision: r.string("catalogRevision", defaultOf("catalogRevision"), v.fullSha),
      golangGitUrl: r.string("golangCatalogGitUrl", defaultOf("golangCatalogGitUrl"), v.httpsUrl),
      golangRevision: r.string("golangCatalogRevision", defaultOf("golangCatalogRevision"), v.fullSha),
      goVersion: r.string("goVersion", defaultOf("goVersion"), v.versionTag),
      golangciLintVersion: r.string("golangciLintVersion", defaultOf("golangciLintVersion"), v.versionTag),
    },
    writeBack: {
      image: r.string("writeBackImage", defaultOf("writeBackImage"), v.pinnedImage),
      maxAttempts: r.integer("writeBackAttempts", STACK_KEYS.writeBackAttempts.default, 1, 20),
      authorName: r.string("gitAuthorName", defaultOf("gitAuthorName"), v.plainText),
      authorEmail: r.string("gitAuthorEmail", defaultOf("gitAuthorEmail"), v.email),
    },
  };
  const rawApps = raw.apps;
  let apps: AppSettings[] = [];
  if (!Array.isArray(rawApps) || rawApps.length === 0) {
    problems.push({ key: "apps", message: `got ${show(rawApps)}; expected a list of at least one app (name, repo, branch, opsRepo, image, initialRevision)` });
  } else {
    apps = rawApps.map((app, i) => parseApp(app, i, stack, problems)).filter((a): a is AppSettings => a !== undefined);
    checkUnique(apps, problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...stack, apps };
}

/**
 * Pulumi hands config to the program as strings (objects as JSON). Converts our project's keys to
 * plain values by their declared type; other namespaces (kubernetes:, github:) are not ours to check.
 */
export function rawFromPulumiConfig(all: Record<string, string>, project: string): RawConfig {
  const raw: RawConfig = {};
  const prefix = `${project}:`;
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const spec = stackKeySpec(key);
    // Secret values never enter settings: only whether they are set matters here.
    if (spec?.secret) raw[key] = SECRET_IS_SET;
    else raw[key] = spec?.type === "string" ? text : parseJsonOrText(text);
  }
  return raw;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
