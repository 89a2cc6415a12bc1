/**
 * The components' args read the same way as a stack's config: the args become the config keys they
 * stand for and go through parseSettings, so a component and a stack file accept the same values, with
 * the same defaults (keys.ts) and the same checks (validators.ts), and say the same about a bad one.
 */
import { ConfigError, ConfigProblem } from "./errors";
import { STACK_KEYS } from "./keys";
import { parseSettings, RawConfig } from "./parse";
import { AppSettings, StackSettings } from "./settings";

/** Settings every app of a stack shares; an app's component takes them one by one, each optional. */
export const PIPELINE_ARG_KEYS = [
  "gitHost",
  "ingressClassName",
  "ingressTlsSecret",
  "certManagerIssuer",
  "argocdNamespace",
  "argocdProject",
  "argocdDestinationServer",
  "argocdPrune",
  "argocdSelfHeal",
  "gitCloneBundle",
  "catalogGitUrl",
  "catalogRevision",
  "golangCatalogGitUrl",
  "golangCatalogRevision",
  "goVersion",
  "golangciLintVersion",
  "writeBackImage",
  "writeBackAttempts",
  "gitAuthorName",
  "gitAuthorEmail",
] as const satisfies readonly (keyof typeof STACK_KEYS)[];

/** The component args that carry another name than their config key, by config key. */
const ARG_NAMES: Record<string, string> = { repo: "appRepository", opsRepo: "opsRepository", webhookUrl: "webhook.url" };

/** The args of one app, plain values, as a DeliberateImageBuilds gets them once its Inputs resolved. */
export interface AppArgValues {
  githubOwner: string;
  appRepository: string;
  branch: string;
  opsRepository: string;
  opsBranch?: string;
  image: string;
  initialRevision: string;
  namespace?: string;
  webhookUrl?: string;
  ingressHost?: string;
  builderKind?: string;
  builder?: string;
  imageServiceAccount?: string;
  goPackage?: string;
  [pipelineKey: string]: unknown;
}

/** Thrown by a component whose args are wrong: names the component, each arg and what was expected. */
export class ComponentArgsError extends Error {
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
  const raw: RawConfig = {
    githubOwner: args.githubOwner,
    ...defined(Object.fromEntries(PIPELINE_ARG_KEYS.map((key) => [key, args[key]]))),
    apps: [
      defined({
        name,
        repo: args.appRepository,
        branch: args.branch,
        opsRepo: args.opsRepository,
        opsBranch: args.opsBranch,
        image: args.image,
        initialRevision: args.initialRevision,
        namespace: args.namespace,
        builderKind: args.builderKind,
        builder: args.builder,
        imageServiceAccount: args.imageServiceAccount,
        goPackage: args.goPackage,
        webhookUrl: args.webhookUrl,
        ingressHost: args.ingressHost,
      }),
    ],
  };
  try {
    const stack = parseSettings(raw);
    return { stack, app: stack.apps[0] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ComponentArgsError(component, name, err.problems.map((p) => ({ ...p, key: argOf(p.key) })));
  }
}
