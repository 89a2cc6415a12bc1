// The double's repositories are real bare git repositories; this module reads and commits to them
// with git's plumbing only (no work tree), as a git hosting service does.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** What git (and GitHub's push event) writes for "no object": a ref's old value when created, new when deleted. */
export const NO_COMMIT = "0".repeat(40);

class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} exited with ${code}: ${stderr.trim()}`);
  }
}

/** git with no system or user configuration of the machine leaking in. */
function runGit(gitDir: string, args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      env: {
        PATH: process.env.PATH,
        HOME: os.tmpdir(),
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_DIR: gitDir,
        LANG: "C",
        ...opts.env,
      },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(args, code, Buffer.concat(err).toString("utf8")));
    });
    if (child.stdin) {
      // git may exit before reading all its input (e.g. on a bad argument): its exit status says why.
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

async function gitText(gitDir: string, args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): Promise<string> {
  return (await runGit(gitDir, args, opts)).toString("utf8").trim();
}

export interface Person {
  name: string;
  email: string;
  /** ISO 8601, UTC, whole seconds: how GitHub writes commit dates. */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  author: Person;
  committer: Person;
  message: string;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number;
  path: string;
}

export interface GitRef {
  /** Full name: refs/heads/main, refs/tags/v1. */
  name: string;
  /** The object the ref points at: a commit, or an annotated tag's tag object. */
  sha: string;
  /** The commit under it: `sha` itself for a branch or a lightweight tag. */
  commit: string;
}

export interface ChangedFile {
  path: string;
  status: "added" | "removed" | "modified" | "changed";
  /** The blob after the change; for a removal, the blob removed (as GitHub reports it). */
  sha: string;
  additions: number;
  deletions: number;
}

/** `Name <email> 1700000000 +0000` as a Person. */
function parsePerson(line: string): Person {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) throw new Error(`unreadable identity line in a commit: ${JSON.stringify(line)}`);
  return { name: m[1], email: m[2], date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
}

/** A Person as git's environment wants it, for commit-tree. */
function personEnv(role: "AUTHOR" | "COMMITTER", p: Person): Record<string, string> {
  return {
    [`GIT_${role}_NAME`]: p.name,
    [`GIT_${role}_EMAIL`]: p.email,
    [`GIT_${role}_DATE`]: `${Math.floor(Date.parse(p.date) / 1000)} +0000`,
  };
}

/** One bare repository. */
export class BareRepository {
  constructor(readonly gitDir: string) {}

  static async create(gitDir: string, defaultBranch: string): Promise<BareRepository> {
    fs.mkdirSync(path.dirname(gitDir), { recursive: true });
    await runGit(gitDir, ["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`]);
    return new BareRepository(gitDir);
  }

  /** The branch HEAD names, which is what GitHub calls the default branch. */
  async defaultBranch(): Promise<string> {
    // HEAD of a bare repository is "ref: refs/heads/<branch>"; read it rather than start a git for it.
    const head = fs.readFileSync(path.join(this.gitDir, "HEAD"), "utf8").trim();
    const m = /^ref: refs\/heads\/(.+)$/.exec(head);
    if (!m) throw new Error(`${this.gitDir}/HEAD names no branch: ${JSON.stringify(head)}`);
    return m[1];
  }

  /** Sets `to` in this repository to what `ref` of another one points at, fetching its objects: a pull request's refs/pull/<n>/head. */
  async fetchRef(from: string, ref: string, to: string): Promise<void> {
    await runGit(this.gitDir, ["fetch", "--quiet", "--no-tags", from, `+${ref}:${to}`]);
  }

  /** The commit a branch points at, or undefined when there is no such branch. */
  async branchHead(branch: string): Promise<string | undefined> {
    // Under refs/heads/ no name can pass for an option; a malformed one simply resolves to nothing.
    return branch ? this.resolve(`refs/heads/${branch}`) : undefined;
  }

  /** A branch, tag or commit SHA (full or abbreviated) as the commit it names; undefined if none. */
  async resolveCommitish(ref: string): Promise<string | undefined> {
    if (!ref || ref.startsWith("-")) return undefined;
    // GitHub takes full ref names too ("refs/heads/main").
    const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    for (const candidate of candidates) {
      const sha = await this.resolve(candidate);
      if (sha) return sha;
    }
    return /^[0-9a-f]{4,40}$/i.test(ref) ? this.resolve(ref) : undefined;
  }

  private async resolve(rev: string): Promise<string | undefined> {
    try {
      return await gitText(this.gitDir, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    } catch {
      return undefined;
    }
  }

  async isEmpty(): Promise<boolean> {
    return (await gitText(this.gitDir, ["for-each-ref", "--count=1", "refs/heads/"])) === "";
  }

  /** Every branch and tag, with the commit under each. */
  async refs(): Promise<GitRef[]> {
    // %(*objectname) is the peeled object of an annotated tag, empty for anything else.
    const out = await gitText(this.gitDir, ["for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/heads/", "refs/tags/"]);
    return out === ""
      ? []
      : out.split("\n").map((line) => {
          const [sha, peeled, name] = line.split(" ");
          return { name, sha, commit: peeled || sha };
        });
  }

  /** The commit an object (a commit or an annotated tag) comes down to; undefined for anything else. */
  async peel(sha: string): Promise<string | undefined> {
    return /^[0-9a-f]{40}$/.test(sha) ? this.resolve(sha) : undefined;
  }

  /** Whether `ancestor` is `descendant` or reachable from it: a fast-forward from one to the other. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await runGit(this.gitDir, ["merge-base", "--is-ancestor", ancestor, descendant]);
      return true;
    } catch (err) {
      // Exit status 1 is git's "no"; anything else (an unknown object) is a failure to report.
      if (err instanceof GitError && err.code === 1) return false;
      throw err;
    }
  }

  /** Commits reachable from `tip` and from none of `exclude`, oldest first; the newest `max` if there are more. */
  async commitsSince(tip: string, exclude: string[], max: number): Promise<string[]> {
    const out = await gitText(this.gitDir, ["rev-list", "--topo-order", `--max-count=${max}`, tip, "--not", ...exclude]);
    return out === "" ? [] : out.split("\n").reverse();
  }

  /** The newest committer date on any branch (GitHub's `pushed_at`, near enough), or undefined if none. */
  async lastCommitDate(): Promise<string | undefined> {
    const out = await gitText(this.gitDir, ["for-each-ref", "--sort=-committerdate", "--count=1", "--format=%(committerdate:unix)", "refs/heads/"]);
    return out ? new Date(Number(out) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") : undefined;
  }

  async commit(sha: string): Promise<CommitObject> {
    return (await this.commits([sha]))[0];
  }

  /** Several commits read by one git process (a history page would otherwise start one per commit). */
  async commits(shas: string[]): Promise<CommitObject[]> {
    if (shas.length === 0) return [];
    const out = await runGit(this.gitDir, ["cat-file", "--batch"], { input: shas.map((s) => `${s}\n`).join("") });
    const commits: CommitObject[] = [];
    let at = 0;
    for (const sha of shas) {
      // Each object: "<sha> <type> <size>\n<size bytes>\n".
      const eol = out.indexOf(0x0a, at);
      const [objectSha, type, size] = out.subarray(at, eol).toString("utf8").split(" ");
      if (type !== "commit") throw new Error(`${sha} is not a commit in ${this.gitDir} (${objectSha} ${type ?? ""})`);
      const raw = out.subarray(eol + 1, eol + 1 + Number(size)).toString("utf8");
      at = eol + 1 + Number(size) + 1;
      commits.push(parseCommit(objectSha, raw));
    }
    return commits;
  }

  /** The entry at `filePath` in a commit's tree ("" is the root tree), or undefined. */
  async entry(commit: string, filePath: string): Promise<TreeEntry | undefined> {
    if (filePath === "") {
      const { tree } = await this.commit(commit);
      return { mode: "040000", type: "tree", sha: tree, size: 0, path: "" };
    }
    const out = (await runGit(this.gitDir, ["ls-tree", "-z", "--long", "--full-tree", commit, "--", filePath])).toString("utf8");
    return parseTree(out).find((e) => e.path === filePath);
  }

  /** The entries directly inside a directory of a commit's tree. */
  async directory(commit: string, dirPath: string): Promise<TreeEntry[]> {
    const out = (await runGit(this.gitDir, ["ls-tree", "-z", "--long", "--full-tree", commit, "--", dirPath === "" ? "." : `${dirPath}/`])).toString("utf8");
    return parseTree(out);
  }

  async blob(sha: string): Promise<Buffer> {
    return runGit(this.gitDir, ["cat-file", "blob", sha]);
  }

  /** Commits reachable from `start` that touched `filePath` (all if undefined), newest first. */
  async history(start: string, filePath: string | undefined, skip: number, max: number): Promise<{ shas: string[]; total: number }> {
    const pathArgs = filePath ? ["--", filePath] : [];
    const total = Number(await gitText(this.gitDir, ["rev-list", "--count", start, ...pathArgs]));
    const list = await gitText(this.gitDir, ["rev-list", `--skip=${skip}`, `--max-count=${max}`, start, ...pathArgs]);
    return { shas: list ? list.split("\n") : [], total };
  }

  /** What a commit changed against its first parent (against nothing for a root commit), as GitHub lists it. */
  async changes(commit: CommitObject): Promise<ChangedFile[]> {
    const range = commit.parents.length > 0 ? [commit.parents[0], commit.sha] : ["--root", commit.sha];
    const raw = (await runGit(this.gitDir, ["diff-tree", "-r", "-z", "--no-renames", "--raw", ...range])).toString("utf8");
    const numstat = (await runGit(this.gitDir, ["diff-tree", "-r", "-z", "--no-renames", "--numstat", ...range])).toString("utf8");
    const counts = new Map<string, { additions: number; deletions: number }>();
    // --numstat -z: "added\tdeleted\tpath\0", with "-" for binary files; a root commit's list starts with its SHA.
    for (const record of numstat.split("\0")) {
      const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(record.replace(/^[0-9a-f]{40}\n?/, ""));
      if (m) counts.set(m[3], { additions: m[1] === "-" ? 0 : Number(m[1]), deletions: m[2] === "-" ? 0 : Number(m[2]) });
    }
    // --raw -z: ":oldmode newmode oldsha newsha STATUS\0path\0".
    const parts = raw.split("\0");
    const files: ChangedFile[] = [];
    for (let i = 0; i < parts.length - 1; i++) {
      const m = /:(\d+) (\d+) ([0-9a-f]{40}) ([0-9a-f]{40}) ([AMDT])$/.exec(parts[i]);
      if (!m) continue;
      const filePath = parts[++i];
      const status = ({ A: "added", D: "removed", M: "modified", T: "changed" } as const)[m[5] as "A" | "D" | "M" | "T"];
      files.push({ path: filePath, status, sha: status === "removed" ? m[3] : m[4], ...(counts.get(filePath) ?? { additions: 0, deletions: 0 }) });
    }
    return files;
  }

  /**
   * Commits changes to files on `branch` (a Buffer writes a file, undefined removes it), on top of
   * `parent` (undefined: the branch's first commit). The branch moves only if it still points at
   * `parent`, so a push or another write in between is never overwritten: then this returns undefined.
   * Otherwise: the commit made, and the blob SHA of each file written.
   */
  async commitChanges(change: {
    branch: string;
    parent: string | undefined;
    files: Map<string, Buffer | undefined>;
    message: string;
    author: Person;
    committer: Person;
  }): Promise<{ commit: CommitObject; blobs: Map<string, string> } | undefined> {
    const indexDir = fs.mkdtempSync(path.join(os.tmpdir(), "github-double-index-"));
    const env = { GIT_INDEX_FILE: path.join(indexDir, "index") };
    try {
      await runGit(this.gitDir, change.parent ? ["read-tree", change.parent] : ["read-tree", "--empty"], { env });
      // A file rewritten keeps its mode (an executable stays executable).
      const modes = new Map<string, string>();
      if (change.parent) {
        const listed = (await runGit(this.gitDir, ["ls-tree", "-z", "--long", "--full-tree", change.parent, "--", ...change.files.keys()])).toString("utf8");
        for (const e of parseTree(listed)) if (e.type === "blob") modes.set(e.path, e.mode);
      }
      // --index-info needs no work tree (--force-remove would): "mode sha<TAB>path", mode 0 removes.
      const lines: string[] = [];
      const blobs = new Map<string, string>();
      for (const [filePath, content] of change.files) {
        if (content === undefined) {
          lines.push(`0 ${NO_COMMIT}\t${filePath}`);
          continue;
        }
        const blob = await gitText(this.gitDir, ["hash-object", "-w", "--stdin"], { input: content });
        blobs.set(filePath, blob);
        lines.push(`${modes.get(filePath) ?? "100644"} ${blob}\t${filePath}`);
      }
      await runGit(this.gitDir, ["update-index", "-z", "--index-info"], { env, input: lines.map((l) => `${l}\0`).join("") });
      const tree = await gitText(this.gitDir, ["write-tree"], { env });
      const parents = change.parent ? [change.parent] : [];
      const sha = await gitText(this.gitDir, ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])], {
        input: change.message,
        env: { ...personEnv("AUTHOR", change.author), ...personEnv("COMMITTER", change.committer) },
      });
      try {
        // The expected old value (all zeros: "must not exist yet") makes this a compare-and-swap.
        await runGit(this.gitDir, ["update-ref", "-m", "contents API", `refs/heads/${change.branch}`, sha, change.parent ?? NO_COMMIT]);
      } catch (err) {
        if (err instanceof GitError) return undefined;
        throw err;
      }
      return { commit: { sha, tree, parents, author: change.author, committer: change.committer, message: change.message }, blobs };
    } finally {
      fs.rmSync(indexDir, { recursive: true, force: true });
    }
  }
}

/** A raw commit object: headers, a blank line, the message. */
function parseCommit(sha: string, raw: string): CommitObject {
  const blank = raw.indexOf("\n\n");
  const headers = raw.slice(0, blank < 0 ? raw.length : blank).split("\n");
  const fields = (name: string) => headers.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));
  return {
    sha,
    tree: fields("tree")[0],
    parents: fields("parent"),
    author: parsePerson(fields("author")[0]),
    committer: parsePerson(fields("committer")[0]),
    message: blank < 0 ? "" : raw.slice(blank + 2),
  };
}

/** `ls-tree -z --long` output: "mode type sha size\tpath\0". */
function parseTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split("\0")) {
    const m = /^(\d+) (blob|tree|commit) ([0-9a-f]{40}) +(\d+|-)\t(.*)$/s.exec(record);
    if (m) entries.push({ mode: m[1], type: m[2] as TreeEntry["type"], sha: m[3], size: m[4] === "-" ? 0 : Number(m[4]), path: m[5] });
  }
  return entries;
}
