// Pulumi's unit-test mocks: records every resource the program registers and answers invokes.
import * as pulumi from "@pulumi/pulumi";
import { gitHubReadAnswer } from "../../components/testing/github-reads";

interface Registered {
  type: string;
  name: string;
  /** Inputs with secret values unwrapped, as the provider would receive them. */
  inputs: Record<string, unknown>;
  /** Paths of the inputs that arrived as secrets, e.g. `stringData`. */
  secretPaths: string[];
  /** The resource options the engine would receive with the registration. */
  options: RegisteredOptions;
}

/** Resource options as they travel to the engine in a RegisterResourceRequest (empty strings when unset). */
interface RegisteredOptions {
  customTimeouts: { create: string; update: string; delete: string };
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  /** Names of the aliases the resource was given (`aliases: [{ name }]`). */
  aliasNames: string[];
  dependsOn: string[];
}

const NO_OPTIONS: RegisteredOptions = {
  customTimeouts: { create: "", update: "", delete: "" },
  retainOnDelete: false,
  deleteBeforeReplace: false,
  ignoreChanges: [],
  replaceOnChanges: [],
  aliasNames: [],
  dependsOn: [],
};

// How Pulumi's wire format marks a secret value.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function unwrap(value: unknown, at: string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, `${at}[${i}]`, secrets));
  if (typeof value !== "object" || value === null) return value;
  const o = value as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) {
    secrets.push(at);
    return unwrap(o.value, at, []);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrap(v, at ? `${at}.${k}` : k, secrets)]));
}

interface MockWorld {
  resources: Registered[];
  invokes: { token: string; inputs: Record<string, unknown> }[];
  /** Files the fake GitHub holds, `<repo>/<branch>/<path>` → content; absent means "not there yet". */
  githubFiles: Map<string, string>;
  /**
   * Branches the fake GitHub holds, `<repo>/<branch>` → head commit; absent means the branch, its
   * repository or the token's access to it is missing (GitHub answers all three with a 404).
   */
  githubBranches: Map<string, string>;
  /** This stack's outputs from its last completed update, as a StackReference to itself reads them. */
  previousOutputs: Record<string, unknown>;
  /** What the program logged with pulumi.log.warn: the engine would show it; here a test reads it. */
  warnings: string[];
}

export const world: MockWorld = { resources: [], invokes: [], githubFiles: new Map(), githubBranches: new Map(), previousOutputs: {}, warnings: [] };

export function resetWorld(): void {
  world.resources.length = 0;
  world.invokes.length = 0;
  world.githubFiles.clear();
  world.githubBranches.clear();
  world.previousOutputs = {};
  world.warnings.length = 0;
  pendingOptions.clear();
}

/** Creates, in the fake GitHub, the ops branch of every app entry (raw config: opsRepo, opsBranch). */
export function createOpsBranches(apps: unknown): void {
  for (const app of Array.isArray(apps) ? (apps as Record<string, unknown>[]) : []) {
    world.githubBranches.set(`${app.opsRepo}/${app.opsBranch ?? "main"}`, "c".repeat(40));
  }
}

/** Config as `pulumi config set` would hand it to the program: strings, objects as JSON. */
export function setStackConfig(values: Record<string, unknown>, secretKeys: string[]): void {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) all[`deliberate-image-builds:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(all, secretKeys.map((k) => `deliberate-image-builds:${k}`));
}

/** Options of registrations on their way to `newResource`, by `<type>::<name>`. */
const pendingOptions = new Map<string, RegisteredOptions>();

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAliasesList(): { hasSpec(): boolean; getSpec(): { getName(): string } | undefined }[];
  getDependenciesList(): string[];
}

/**
 * Pulumi's mock monitor hands `newResource` the inputs only; the options (timeouts, retainOnDelete,
 * ignoreChanges) travel in the same request, so they are read off it on the way in.
 */
function recordOptions(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, callback: unknown): void };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const timeouts = req.getCustomtimeouts();
    pendingOptions.set(`${req.getType()}::${req.getName()}`, {
      customTimeouts: { create: timeouts?.getCreate() ?? "", update: timeouts?.getUpdate() ?? "", delete: timeouts?.getDelete() ?? "" },
      retainOnDelete: req.getRetainondelete(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      aliasNames: req.getAliasesList().flatMap((a) => (a.hasSpec() ? [a.getSpec()?.getName() ?? ""] : [])),
      dependsOn: req.getDependenciesList(),
    });
    register(req, callback);
  };
}

/**
 * Installs the mocks. Call before the program is imported. `preview`: run as `pulumi preview` does, with
 * the resources of `toCreate` (resource names) not there yet: the engine gives them no id, so what waits
 * for them is unknown.
 */
export function installMocks(preview: { toCreate: string[] } | false = false): void {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secretPaths: string[] = [];
        const inputs = unwrap(args.inputs, "", secretPaths) as Record<string, unknown>;
        const key = `${args.type}::${args.name}`;
        world.resources.push({ type: args.type, name: args.name, inputs, secretPaths, options: pendingOptions.get(key) ?? NO_OPTIONS });
        pendingOptions.delete(key);
        if (args.type === "pulumi:pulumi:StackReference") {
          // The engine reads the referenced stack's last checkpoint; here, what the test put there.
          return { id: String(args.inputs.name), state: { ...args.inputs, outputs: world.previousOutputs, secretOutputNames: [] } };
        }
        return { id: preview && preview.toCreate.includes(args.name) ? undefined : `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        world.invokes.push({ token: args.token, inputs: args.inputs });
        const answer = gitHubReadAnswer(args, {
          branchHead: (repository, branch) => world.githubBranches.get(`${repository}/${branch}`),
          file: (repository, branch, file) => world.githubFiles.get(`${repository}/${branch}/${file}`),
        });
        if (answer) return answer;
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "deliberate-image-builds",
    "test",
    preview !== false,
    // What the DIY (file) backend reports as the organization: stack references name it.
    "organization",
  );
  recordOptions();
  // Without an engine the SDK prints warnings to the console: once per program a test runs.
  pulumi.log.warn = (message: string) => {
    world.warnings.push(message);
    return Promise.resolve();
  };
  forgetUnfinishedPrograms();
}

/**
 * A test process runs many programs under mocks, some stopped half-way on purpose (bad args, an
 * unreadable branch); their pending registrations are still in the SDK's leak candidates when the
 * process exits, and the SDK would report them all as one program's leaked promises
 * (runtime/debuggable.js). A real leak shows where one program runs alone: the e2e's CLI runs fail on it.
 */
let forgetting = false;
function forgetUnfinishedPrograms(): void {
  if (forgetting) return;
  forgetting = true;
  process.prependListener("exit", () => {
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<unknown> } };
    state.getStore().leakCandidates.clear();
  });
}

/** Waits until the program has registered everything (resource registration is asynchronous). */
export async function settled(...outputs: pulumi.Output<unknown>[]): Promise<void> {
  await Promise.all(outputs.map((o) => new Promise((resolve) => o.apply(resolve))));
  let count = -1;
  while (count !== world.resources.length) {
    count = world.resources.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

