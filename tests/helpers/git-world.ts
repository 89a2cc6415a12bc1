// Local bare repositories laid out as the pipeline sees them, and the update-image-revision step run
// for real from the Task as rendered, with the tools of the image it runs in: busybox's sh and applets
// (the step image is Alpine), and git.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ProcessResult, runProcess } from "../../e2e/processes";
import { revisionFileOf, REVISION_FILE, withTestedRevision } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { opsFileContent } from "../../components/synth/ops-file";
import { RENDER_SECRETS } from "../../components/synth/render";
import { Task } from "../../components/tekton/types";
import { appEntry, FAKE_READ_TOKEN, FAKE_TOKEN, plannedTask, settings, tempDir } from "./fixtures";
import { kubernetesObjectsIn } from "../../components/plan/ops-repository";
import { GITHUB_TOKEN_SECRET } from "../../components/plan/names";

export const OPS_BRANCH = "main";

/** git with no user or system config of this machine's leaking in. */
export function git(cwd: string, ...args: (string | Record<string, string>)[]): string {
  const env = { ...isolatedEnv(cwd), ...args.filter((a): a is Record<string, string> => typeof a !== "string").reduce((x, y) => ({ ...x, ...y }), {}) };
  const argv = args.filter((a): a is string => typeof a === "string");
  return execFileSync("git", argv, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * `git` without blocking the event loop: needed when the server git talks to runs in this same
 * process (the GitHub double), which a synchronous child would starve.
 */
export async function gitAsync(cwd: string, ...args: (string | Record<string, string>)[]): Promise<string> {
  const env = { ...isolatedEnv(cwd), ...args.filter((a): a is Record<string, string> => typeof a !== "string").reduce((x, y) => ({ ...x, ...y }), {}) };
  const argv = args.filter((a): a is string => typeof a === "string");
  const r = await runProcess("git", argv, { cwd, env });
  if (r.code !== 0) throw new Error(`git ${argv.join(" ")} exited with ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The Authorization header of HTTP Basic auth with a token: what git sends and a git server expects. */
export function basicAuthorization(user: string, token: string): string {
  return `Basic ${Buffer.from(`${user}:${token}`).toString("base64")}`;
}

/**
 * Env making git send the token with every request (`http.extraHeader`), given as GIT_CONFIG_* entries
 * so that it lands in no repository's config and on no command line.
 */
export function gitTokenEnv(user: string, token: string): Record<string, string> {
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: ${basicAuthorization(user, token)}` };
}

function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Fixture",
    GIT_AUTHOR_EMAIL: "fixture@example.com",
    GIT_COMMITTER_NAME: "Fixture",
    GIT_COMMITTER_EMAIL: "fixture@example.com",
    LANG: "C",
  };
}

/**
 * A PATH holding busybox's applets and git, and nothing else: what the Alpine step image offers
 * (`sh`, `timeout`, `od`, `sleep`, ...), so a GNU tool or option the image lacks fails here as it would
 * there. Debian's `busybox` package provides the applets (`.ci/run` installs it). Made once per process.
 */
let stepPath: string | undefined;
export function busyboxPath(): string {
  if (stepPath) return stepPath;
  const found = spawnSync("busybox", ["--list"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error(
      "busybox not found: the update-image-revision tests run the step with busybox's sh and applets, as its Alpine " +
        "image does. Install it (Debian/Ubuntu: apt-get install busybox; .ci/run does this in CI).",
    );
  }
  const busybox = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();
  const gitBinary = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  const root = tempDir("busybox-path-");
  const applets = path.join(root, "applets");
  const gitOnly = path.join(root, "git");
  fs.mkdirSync(applets);
  fs.mkdirSync(gitOnly);
  for (const applet of found.stdout.split("\n").filter((a) => /^[\w.[-]+$/.test(a))) {
    fs.symlinkSync(busybox, path.join(applets, applet));
  }
  fs.symlinkSync(gitBinary, path.join(gitOnly, "git"));
  return (stepPath = `${applets}:${gitOnly}`);
}

/** The fixture app's kustomization, beside its revision file: what makes the folder the app's. */
export const KUSTOMIZATION_FILE = REVISION_FILE.replace(/revision\.yaml$/, "kustomization.yaml");

function fixtureKustomization(): string {
  const file = planStack(settings(), RENDER_SECRETS).apps[0].repoFiles.find((f) => f.path === KUSTOMIZATION_FILE);
  if (!file) throw new Error(`the fixture app plans no ${KUSTOMIZATION_FILE}`);
  return opsFileContent(file);
}

/** The Task the fixture stack commits to the ops repository. */
export function renderedTask(maxAttempts = 5): Task {
  return plannedTask("write-back", { writeBackAttempts: maxAttempts });
}

/** The revision patch as Pulumi first writes it for the fixture app. */
export function revisionFile(revision: string): string {
  return opsFileContent(withTestedRevision(revisionFileOf(planStack(settings(), RENDER_SECRETS).apps[0].repoFiles), revision));
}

/** Tekton's variable substitution: `$(params.X)` and `$(workspaces.X.path)`, nothing else. */
export function substitute(text: string, params: Record<string, string>, workspaces: Record<string, string>): string {
  return text
    .replace(/\$\(params\.([A-Za-z0-9_-]+)\)/g, (m, name: string) => {
      if (!(name in params)) throw new Error(`no value for ${m}`);
      return params[name];
    })
    .replace(/\$\(workspaces\.([A-Za-z0-9_-]+)\.path\)/g, (m, name: string) => {
      if (!(name in workspaces)) throw new Error(`no workspace for ${m}`);
      return workspaces[name];
    })
    // An optional workspace left unbound reads "false" (Tekton pkg/pod: workspaces.<name>.bound).
    .replace(/\$\(workspaces\.([A-Za-z0-9_-]+)\.bound\)/g, (_, name: string) => String(name in workspaces));
}

/** One app of several sharing one ops repository and branch: its revision file, its Task, and that file recording `initial`. */
export interface SharedOpsApp {
  name: string;
  path: string;
  task: Task;
  initial: string;
}

/**
 * Apps sharing one ops repository and branch as the stack program plans them (apps/<name>/kpack/revision.yaml
 * each, `stack` keys over the defaults), each revision file recording `initial`, written to the ops branch.
 */
export function sharedOpsApps(world: GitWorld, names: string[], initial: string, stack: Record<string, unknown> = {}): SharedOpsApp[] {
  const planned = planStack(settings(stack, names.map((name) => appEntry(name, { opsRepo: "platform-ops" }))), RENDER_SECRETS);
  const kustomizations: Record<string, string> = {};
  const apps = planned.apps.map((app) => {
    const file = revisionFileOf(app.repoFiles);
    const task = kubernetesObjectsIn(app.repoFiles).find((o): o is Task => o.kind === "Task" && o.metadata.labels?.["app.kubernetes.io/component"] === "write-back");
    if (!task) throw new Error(`app ${app.app.name} plans no write-back Task`);
    const kustomization = app.repoFiles.find((f) => f.path === file.path.replace(/revision\.yaml$/, "kustomization.yaml"));
    if (kustomization) kustomizations[kustomization.path] = opsFileContent(kustomization);
    return { name: app.app.name, path: file.path, task, initial: opsFileContent(withTestedRevision(file, initial)) };
  });
  world.writeOpsFiles({ ...kustomizations, ...Object.fromEntries(apps.map((a) => [a.path, a.initial])) });
  return apps;
}

export class GitWorld {
  readonly root = tempDir("write-back-");
  readonly appBare = path.join(this.root, "app.git");
  readonly opsBare = path.join(this.root, "ops.git");
  private readonly appWork = path.join(this.root, "app-work");
  private readonly opsWork = path.join(this.root, "ops-work");
  /** Steps run so far: each gets a folder of its own. */
  private workspaces = 0;
  /** App commits, oldest first, on one line of history. */
  readonly commits: string[] = [];

  constructor(appCommits: number, initialIndex = 0) {
    git(this.root, "init", "-q", "--bare", "-b", "main", this.appBare);
    git(this.root, "init", "-q", "--bare", "-b", OPS_BRANCH, this.opsBare);
    git(this.root, "clone", "-q", this.appBare, this.appWork);
    this.importHistory(appCommits);
    git(this.root, "clone", "-q", this.opsBare, this.opsWork);
    git(this.opsWork, "checkout", "-q", "-b", OPS_BRANCH);
    this.writeOps("cicd/kpack/image.yaml", "# owned by pulumi; the step must leave it alone\nspec:\n  tag: registry.example.com/app\n");
    this.writeOps(KUSTOMIZATION_FILE, fixtureKustomization());
    this.writeOps(REVISION_FILE, revisionFile(this.commits[initialIndex]));
    git(this.opsWork, "add", "-A");
    git(this.opsWork, "commit", "-q", "-m", "pulumi up");
    git(this.opsWork, "push", "-q", "origin", `HEAD:${OPS_BRANCH}`);
  }

  /** A line of n commits on main in one `git fast-import`: a long history without n processes. */
  private importHistory(n: number): void {
    const stream: string[] = [];
    for (let i = 0; i < n; i++) {
      const file = `// change ${i}\npackage main\n`;
      const message = `change ${i}`;
      stream.push(
        "commit refs/heads/main",
        `mark :${i + 1}`,
        `committer Fixture <fixture@example.com> ${1700000000 + i} +0000`,
        `data ${Buffer.byteLength(message)}`,
        message,
        ...(i > 0 ? [`from :${i}`] : []),
        `M 644 inline main.go`,
        `data ${Buffer.byteLength(file)}`,
        file,
      );
    }
    execFileSync("git", ["fast-import", "--quiet"], { cwd: this.appWork, input: stream.join("\n") + "\n", env: isolatedEnv(this.appWork) });
    git(this.appWork, "checkout", "-q", "main");
    this.commits.push(...git(this.appWork, "rev-list", "--reverse", "main").split("\n"));
    git(this.appWork, "push", "-q", "origin", "HEAD:main");
  }

  /** A new app commit on main, pushed; returns its SHA. */
  appCommit(message: string, parent?: string, date?: string): string {
    if (parent) git(this.appWork, "checkout", "-q", "--detach", parent);
    fs.writeFileSync(path.join(this.appWork, "main.go"), `// ${message}\npackage main\n`);
    git(this.appWork, "add", "-A");
    const dated: Record<string, string> = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
    git(this.appWork, "commit", "-q", "-m", message, dated);
    const sha = git(this.appWork, "rev-parse", "HEAD");
    if (parent) git(this.appWork, "push", "-q", "--force", "origin", "HEAD:main");
    this.commits.push(sha);
    return sha;
  }

  /** Replaces revision.yaml on the ops branch, as an older install or a person may have written it. */
  writeRevisionFile(content: string): void {
    git(this.opsWork, "pull", "-q", "origin", OPS_BRANCH);
    this.writeOps(REVISION_FILE, content);
    git(this.opsWork, "commit", "-q", "-am", "revision.yaml as written before");
    git(this.opsWork, "push", "-q", "origin", `HEAD:${OPS_BRANCH}`);
  }

  /** Commits files to the ops branch, as pulumi up writes another app's folder. */
  writeOpsFiles(files: Record<string, string>): void {
    git(this.opsWork, "pull", "-q", "origin", OPS_BRANCH);
    for (const [rel, content] of Object.entries(files)) this.writeOps(rel, content);
    git(this.opsWork, "add", "-A");
    git(this.opsWork, "commit", "-q", "-m", "pulumi up");
    git(this.opsWork, "push", "-q", "origin", `HEAD:${OPS_BRANCH}`);
  }

  /** Deletes files from the ops branch, as pulumi up deletes a moved app's files (all but revision.yaml). */
  removeOpsFiles(paths: string[]): void {
    git(this.opsWork, "pull", "-q", "origin", OPS_BRANCH);
    git(this.opsWork, "rm", "-q", "--", ...paths);
    git(this.opsWork, "commit", "-q", "-m", "pulumi up: the app moved");
    git(this.opsWork, "push", "-q", "origin", `HEAD:${OPS_BRANCH}`);
  }

  /** The file at `rel` on the ops branch, at `commit` or at its head. */
  opsFile(rel: string, commit: string = OPS_BRANCH): string {
    return git(this.root, "--git-dir", this.opsBare, "show", `${commit}:${rel}`);
  }

  pushApp(): void {
    git(this.appWork, "push", "-q", "origin", "HEAD:main");
  }

  private writeOps(rel: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(this.opsWork, rel)), { recursive: true });
    fs.writeFileSync(path.join(this.opsWork, rel), content);
  }

  /** What git-clone leaves in `dir`: `git init`, origin, a depth-1 fetch of the revision, detached checkout. */
  gitClone(url: string, revision: string, dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    git(dir, "init", "-q");
    git(dir, "remote", "add", "origin", url);
    git(dir, "fetch", "-q", "--depth=1", "origin", "--update-head-ok", "--force", revision);
    git(dir, "checkout", "-q", "-f", "FETCH_HEAD");
  }

  /** The repositories' URLs: the local bare ones, as the Task's APP_URL and OPS_URL params. */
  get urls(): { app: string; ops: string } {
    return { app: `file://${this.appBare}`, ops: `file://${this.opsBare}` };
  }

  /**
   * Runs the rendered step's script with its env as Tekton would set it, in a folder of its own (the
   * step mounts no workspace), its temporary files under `<root>/step-<n>/tmp`. `params` override the
   * Task's defaults (the URLs default to the local bare repositories); `tools`: busybox's (the step
   * image's) or this machine's GNU ones.
   */
  runStep(
    revision: string,
    extraEnv: Record<string, string> = { RETRY_DELAY_MS: "50" },
    task: Task = renderedTask(),
    params: Record<string, string> = {},
    tools: "busybox" | "gnu" = "busybox",
  ): Promise<ProcessResult> {
    const [step] = task.spec.steps;
    const values: Record<string, string> = {};
    for (const p of task.spec.params ?? []) if (p.default !== undefined) values[p.name] = p.default;
    Object.assign(values, { APP_URL: this.urls.app, OPS_URL: this.urls.ops, REVISION: revision }, params);
    const dir = path.join(this.root, `step-${++this.workspaces}`);
    fs.mkdirSync(path.join(dir, "tmp"), { recursive: true });
    const env: NodeJS.ProcessEnv = { PATH: tools === "busybox" ? busyboxPath() : process.env.PATH, HOME: dir, LANG: "C", TMPDIR: path.join(dir, "tmp") };
    const secrets: Record<string, string> = { [GITHUB_TOKEN_SECRET.key]: FAKE_TOKEN, [GITHUB_TOKEN_SECRET.readKey]: FAKE_READ_TOKEN };
    for (const e of step.env ?? []) {
      env[e.name] = e.valueFrom ? secrets[substitute(e.valueFrom.secretKeyRef.key, values, {})] : substitute(e.value ?? "", values, {});
    }
    Object.assign(env, extraEnv);
    const scriptFile = path.join(dir, "step.sh");
    fs.writeFileSync(scriptFile, substitute(step.script, values, {}));
    return runProcess("sh", [scriptFile], { cwd: dir, env });
  }

  /** The revision the ops branch records now. */
  recordedRevision(): string {
    const content = git(this.root, "--git-dir", this.opsBare, "show", `${OPS_BRANCH}:${REVISION_FILE}`);
    return /^ {6}revision: "?([0-9a-f]*)"?$/m.exec(content)?.[1] ?? "";
  }

  /** The revisions recorded along the ops branch's history, oldest first. */
  recordedHistory(): string[] {
    const commits = git(this.root, "--git-dir", this.opsBare, "rev-list", "--reverse", "--first-parent", OPS_BRANCH).split("\n");
    return commits.map((c) => /^ {6}revision: "?([0-9a-f]*)"?$/m.exec(git(this.root, "--git-dir", this.opsBare, "show", `${c}:${REVISION_FILE}`))?.[1] ?? "");
  }

  opsHead(): string {
    return git(this.root, "--git-dir", this.opsBare, "rev-parse", OPS_BRANCH);
  }

  /** Every byte git holds or the run left: the bare repos' objects and the workspaces' files. */
  everythingWritten(): string {
    const parts: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) parts.push(fs.readFileSync(full, "latin1"));
      }
    };
    walk(this.root);
    for (const bare of [this.opsBare, this.appBare]) {
      parts.push(git(this.root, "--git-dir", bare, "log", "--all", "-p", "--format=%H %an %ae %B"));
    }
    return parts.join("\n");
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
