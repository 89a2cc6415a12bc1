// What every step of the e2e shares: the run's world (binaries, cluster, GitHub double, checks), the
// stack a step makes for itself, and what a developer and kubectl do in it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../components/config/errors";
import { Binaries } from "./binaries";
import { Checks } from "./checks";
import { ControlPlane } from "./control-plane";
import { GitHubDouble } from "./github-double";
import { gitAsync, gitTokenEnv } from "../tests/helpers/git-world";
import { CliResult, PulumiCli } from "./pulumi-cli";
import { TlsFront } from "./tls";

export const ROOT = path.resolve(__dirname, "..");
export const OWNER = "example-org";
export const STACK = "e2e";
// Obviously fake tokens: the double accepts whichever the test says is current.
export const TOKEN = "ghp_fake_e2e_token_0000000000000000000000";
export const ROTATED_TOKEN = "ghp_fake_e2e_token_rotated_11111111111111";
export const WEBHOOK_SECRET = "fake-e2e-webhook-secret-of-32-characters-or-more";

/** Files a project needs to run; linked, so the e2e runs the working tree's code as it is. */
export const PROJECT_ENTRIES = ["index.ts", "components", "scripts", "e2e", "package.json", "tsconfig.json", "node_modules"];

export interface World {
  bin: Binaries;
  dir: string;
  cluster: ControlPlane;
  github: GitHubDouble;
  front: TlsFront;
  gitHost: string;
  gitEnv: Record<string, string>;
  checks: Checks;
  /** The token the double accepts now: a rotation replaces it. */
  token: string;
}

export function appName(i: number, apps: number): string {
  return apps === 1 ? "go-sample-app" : `app-${String(i).padStart(2, "0")}`;
}

export function kubectl(w: World, ...args: string[]): string {
  return execFileSync(w.bin.kubectl, ["--kubeconfig", w.cluster.kubeconfig, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A Secret's value under one key, decoded, as the API server holds it. */
export function secretValue(w: World, namespace: string, name: string, key: string): string {
  const escaped = key.replace(/\./g, "\\.");
  return Buffer.from(kubectl(w, "get", "secret", name, "-n", namespace, "-o", `jsonpath={.data.${escaped}}`), "base64").toString();
}

/** The branch head's file, read from the double's repository with git itself. */
export function fileInRepo(w: World, repo: string, branch: string, file: string): string | undefined {
  try {
    return execFileSync(w.bin.git, ["--git-dir", w.github.gitDir(repo), "show", `${branch}:${file}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** A developer's clone of a repository over https, and the env git needs for it. */
async function developerClone(w: World, repo: string): Promise<{ work: string; auth: Record<string, string> }> {
  const work = fs.mkdtempSync(path.join(w.dir, "developer-"));
  const auth = { ...w.gitEnv, ...gitTokenEnv("dev", w.token) };
  await gitAsync(w.dir, "clone", "-q", w.github.gitUrl(repo), work, auth);
  return { work, auth };
}

/** What a developer does: clone the app repository over https, change a file, push to main. */
export async function developerPush(w: World, repo: string, file: string, content: string): Promise<string> {
  const { work, auth } = await developerClone(w, repo);
  fs.writeFileSync(path.join(work, file), content);
  await gitAsync(work, "commit", "-q", "-am", "A change that passes lint and test", auth);
  await gitAsync(work, "push", "-q", "origin", "HEAD:main", auth);
  return gitAsync(work, "rev-parse", "HEAD");
}

/** A push of main's head to another ref: a new branch, or a tag (refs/tags/...). */
export async function developerPushRef(w: World, repo: string, ref: string): Promise<void> {
  const { work, auth } = await developerClone(w, repo);
  await gitAsync(work, "push", "-q", "origin", `HEAD:${ref}`, auth);
}

/** Runs a CLI command and records its wall time and the GitHub requests it caused. */
export async function measured<R extends CliResult>(w: World, apps: number, label: string, run: () => Promise<R>): Promise<R> {
  w.github.resetCounts();
  const before = w.github.unimplemented.length;
  const r = await run();
  const { reads, writes } = w.github.counts();
  w.checks.figures.push({ apps, command: label, seconds: r.seconds, githubReads: reads, githubWrites: writes });
  // A request the double does not serve would otherwise pass for GitHub's 404 ("no such file", "no branch").
  const unknown = w.github.unimplemented.slice(before).map((q) => `${q.method} ${q.path}`);
  if (unknown.length > 0) w.checks.expect(`${label}: the GitHub double serves every request the provider made`, false, [...new Set(unknown)].join("\n"));
  if (r.code !== 0) process.stdout.write(`  (${r.command} exited ${r.code}; every command's output is in pulumi.log under ${w.dir})\n${r.stderr.split("\n").slice(-12).join("\n")}\n`);
  return r;
}

export interface AppEntry {
  name: string;
  repo: string;
  branch: string;
  opsRepo: string;
  opsBranch: string;
  image: string;
  initialRevision: string;
  webhookUrl: string;
  /** The preset of the app's ecosystem (go unless set). */
  language?: string;
  /** The app's build namespace (default unless set). */
  namespace?: string;
}

/** A Go app's first commit. */
const GO_SAMPLE_APP = (name: string): Record<string, string> => ({ "go.mod": `module example.com/${name}\n\ngo 1.24\n`, "main.go": "package main\n\nfunc main() {}\n" });

/**
 * A Node.js app's first commit, as the node preset runs it (`npm ci`, `npm run lint`, `npm test`): no
 * dependencies, so its lockfile names only the package itself.
 */
export const NODE_SAMPLE_APP = (name: string): Record<string, string> => ({
  "package.json": `${JSON.stringify({ name, version: "1.0.0", private: true, scripts: { lint: "node --check index.js", test: "node --test" } }, null, 2)}\n`,
  "package-lock.json": `${JSON.stringify({ name, version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name, version: "1.0.0" } } }, null, 2)}\n`,
  "index.js": "exports.greet = (name) => `hello, ${name}`;\n",
  "index.test.js": 'const assert = require("node:assert");\nconst test = require("node:test");\nconst { greet } = require("./index.js");\n\ntest("greets", () => assert.strictEqual(greet("you"), "hello, you"));\n',
});

/** Makes an app's repository (a Go app unless `files` says otherwise) and its ops repository (a README on main), and the stack's entry for it. */
export async function appWithRepositories(w: World, name: string, files: (name: string) => Record<string, string> = GO_SAMPLE_APP): Promise<AppEntry> {
  if (!w.github.repositoryNames().includes(name)) {
    await w.github.createRepository(name, { initialFiles: files(name) });
    // The ops repository must exist with its branch (pulumi up refuses otherwise); here it starts empty but for a README.
    await w.github.createRepository(`${name}-ops`, { initialFiles: { "README.md": "ops\n" } });
  }
  return {
    name,
    repo: name,
    branch: "main",
    opsRepo: `${name}-ops`,
    opsBranch: "main",
    image: `registry.example.com/${OWNER}/${name}`,
    // The app repository's first commit: what a team records before the pipeline has tested anything.
    initialRevision: await gitAsync(w.dir, "--git-dir", w.github.gitDir(name), "rev-list", "--max-parents=0", "main"),
    webhookUrl: `https://ci.example.com/hooks/${name}`,
  };
}

/** Edits the stack file's list of apps, as a user edits it. */
export function editApps(cli: PulumiCli, edit: (apps: AppEntry[]) => AppEntry[]): void {
  const stackFile = path.join(cli.projectDir, `Pulumi.${STACK}.yaml`);
  const doc = parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
  doc.config[`${PROJECT}:apps`] = edit((doc.config[`${PROJECT}:apps`] as AppEntry[] | undefined) ?? []);
  fs.writeFileSync(stackFile, stringify(doc));
}

/**
 * A project folder for one stack: links to the working tree, a stack file of its own, and the project's
 * Pulumi.yaml (for the cluster side alone, with that program as its main).
 */
export async function newStack(w: World, apps: number, main = "index.ts", names: (i: number) => string = (i) => appName(i, apps)): Promise<PulumiCli> {
  const projectDir = path.join(w.dir, `project-${apps}-${path.basename(main, ".ts")}-${names(0)}`);
  fs.mkdirSync(projectDir);
  for (const entry of PROJECT_ENTRIES) fs.symlinkSync(path.join(ROOT, entry), path.join(projectDir, entry));
  // Another program is linked beside Pulumi.yaml, as index.ts is: the language host starts node in the
  // folder of `main`, and Pulumi.yaml's `--require ./scripts/register-ts.js` is relative to it.
  const entry = path.basename(main);
  if (main !== entry) fs.symlinkSync(path.join(ROOT, main), path.join(projectDir, entry));
  const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), project.replace(/^main: index\.ts$/m, `main: ${entry}`));
  const cli = new PulumiCli(w.bin, projectDir, path.join(projectDir, ".pulumi-run"), {
    KUBECONFIG: w.cluster.kubeconfig,
    // The providers (Go) and git trust the double's certificate, and nothing else is reachable anyway.
    ...w.gitEnv,
  });
  const init = await cli.run(["stack", "init", STACK]);
  if (init.code !== 0) throw new Error(`e2e: pulumi stack init failed:\n${init.stderr}`);
  // Scalars as `pulumi config set` writes them; the list of apps written into the stack file, as a user edits it.
  await cli.setConfig("githubOwner", OWNER);
  await cli.setConfig("gitHost", w.gitHost);
  await cli.setConfig("githubToken", w.token, true);
  await cli.setConfig("webhookSecret", WEBHOOK_SECRET, true);
  const entries: AppEntry[] = [];
  for (let i = 0; i < apps; i++) entries.push(await appWithRepositories(w, names(i)));
  editApps(cli, () => entries);
  return cli;
}

