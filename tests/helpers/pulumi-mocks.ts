// Pulumi's unit-test mocks: records every resource the program registers and answers invokes.
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  /** Inputs with secret values unwrapped, as the provider would receive them. */
  inputs: Record<string, unknown>;
  /** Paths of the inputs that arrived as secrets, e.g. `stringData`. */
  secretPaths: string[];
}

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

export interface MockWorld {
  resources: Registered[];
  invokes: { token: string; inputs: Record<string, unknown> }[];
  /** Files the fake GitHub holds, `<repo>/<branch>/<path>` → content; absent means "not there yet". */
  githubFiles: Map<string, string>;
}

export const world: MockWorld = { resources: [], invokes: [], githubFiles: new Map() };

export function resetWorld(): void {
  world.resources.length = 0;
  world.invokes.length = 0;
  world.githubFiles.clear();
}

/** Config as `pulumi config set` would hand it to the program: strings, objects as JSON. */
export function setStackConfig(values: Record<string, unknown>, secretKeys: string[]): void {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) all[`deliberate-image-builds:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  pulumi.runtime.setAllConfig(all, secretKeys.map((k) => `deliberate-image-builds:${k}`));
}

/** Installs the mocks. Call before the program is imported; `preview` stays false. */
export function installMocks(): void {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secretPaths: string[] = [];
        const inputs = unwrap(args.inputs, "", secretPaths) as Record<string, unknown>;
        world.resources.push({ type: args.type, name: args.name, inputs, secretPaths });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        world.invokes.push({ token: args.token, inputs: args.inputs });
        if (args.token === "github:index/getRepositoryFile:getRepositoryFile") {
          const key = `${args.inputs.repository}/${args.inputs.branch}/${args.inputs.file}`;
          const content = world.githubFiles.get(key);
          // What the provider answers for a missing file: an empty result, no error.
          return content === undefined ? { id: "", file: args.inputs.file, repository: args.inputs.repository } : { ...args.inputs, content };
        }
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "deliberate-image-builds",
    "test",
    false,
  );
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
