// The real Pulumi CLI, driven as a user drives it: a project folder, a file:// backend and a
// PULUMI_HOME of this run's own, plugins from PATH only (no downloads, no update checks).
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Binaries } from "./binaries";
import { runProcess } from "./processes";

export interface CliResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** One step of `pulumi preview --json`: what the engine would do to one resource. */
export interface PreviewStep {
  op: string;
  urn: string;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: string }>;
}

export interface PreviewJson {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: { message: string; severity: string }[];
  policies?: unknown[];
}

/** A fake passphrase: the e2e stack's secrets are encrypted with it, in a state folder thrown away after. */
export const E2E_PASSPHRASE = "e2e-fake-passphrase-not-a-secret";

/** A value as one POSIX shell word. */
function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The Node.js language host the e2e can build (3.68, the last one inside the served sdk/v3 module) reads
 * Pulumi.yaml's `runtime.options` only as flags, which CLIs since 3.x send over RPC instead; so it would
 * start the program through ts-node, unlike a user's host. This shim, first on PATH, starts it with each
 * option as the flag `-<key>=<value>`, as the CLI once passed them (and still does for
 * `pulumi-analyzer-policy-*`: NewPolicyAnalyzer, sdk/go/common/resource/plugin/analyzer_plugin.go).
 * Returns the folder holding it.
 */
export function languageHostShim(host: string, projectDir: string, dir: string): string {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { runtime?: { options?: Record<string, unknown> } };
  const flags = Object.entries(project.runtime?.options ?? {}).map(([k, v]) => shellWord(`-${k}=${String(v)}`));
  fs.mkdirSync(dir, { recursive: true });
  const shim = path.join(dir, "pulumi-language-nodejs");
  fs.writeFileSync(shim, `#!/bin/sh\n# Pulumi.yaml's runtime.options as the flags the 3.68 host reads (see e2e/pulumi-cli.ts).\nexec ${shellWord(host)} ${flags.join(" ")} "$@"\n`, { mode: 0o755 });
  return dir;
}

export class PulumiCli {
  readonly log: string;
  private readonly shimDir: string;

  constructor(
    private readonly bin: Binaries,
    readonly projectDir: string,
    private readonly runDir: string,
    private readonly extraEnv: NodeJS.ProcessEnv,
  ) {
    fs.mkdirSync(path.join(runDir, "pulumi-home"), { recursive: true });
    fs.mkdirSync(path.join(runDir, "state"), { recursive: true });
    this.log = path.join(runDir, "pulumi.log");
    this.shimDir = languageHostShim(bin["pulumi-language-nodejs"], projectDir, path.join(runDir, "language-host"));
  }

  env(): NodeJS.ProcessEnv {
    const binDirs = [...new Set(Object.values(this.bin).map((b) => path.dirname(b)))];
    return {
      ...process.env,
      ...this.extraEnv,
      PATH: [this.shimDir, ...binDirs, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_HOME: path.join(this.runDir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.runDir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: E2E_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      NO_COLOR: "1",
    };
  }

  /** Runs `pulumi <args>` in the project folder; the whole exchange goes to pulumi.log as well. */
  async run(args: string[], input?: string): Promise<CliResult> {
    const command = `pulumi ${args.join(" ")}`;
    const { code, stdout, stderr, ms } = await runProcess(this.bin.pulumi, ["--non-interactive", ...args], { cwd: this.projectDir, env: this.env(), input: input ?? "" });
    const seconds = ms / 1000;
    fs.appendFileSync(this.log, `\n$ ${command}  (exit ${code}, ${seconds.toFixed(1)} s)\n${stdout}\n${stderr}\n`);
    return { command, code, stdout, stderr, seconds };
  }

  /** `pulumi preview --json`, parsed; the result's code says whether the preview itself succeeded. */
  async preview(extra: string[] = []): Promise<CliResult & { json?: PreviewJson }> {
    const r = await this.run(["preview", "--json", ...extra]);
    try {
      return { ...r, json: JSON.parse(r.stdout) as PreviewJson };
    } catch {
      return r;
    }
  }

  setConfig(key: string, value: string, secret = false): Promise<CliResult> {
    return this.run(["config", "set", ...(secret ? ["--secret"] : ["--plaintext"]), key, "--", value]);
  }
}

/** The steps that change something, as `op type name`, sorted: what a reviewer reads in a preview. */
export function changes(preview: PreviewJson | undefined): string[] {
  return (preview?.steps ?? [])
    .filter((s) => s.op !== "same" && s.op !== "read")
    .map((s) => {
      const parts = s.urn.split("::");
      return `${s.op} ${parts[2] ?? "?"} ${parts[3] ?? "?"}`;
    })
    .sort();
}
