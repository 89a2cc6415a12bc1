// How the double learns what a push did: git's post-receive hook (githooks(5)), the place a git host
// learns it too. It runs after receive-pack has moved the refs, and only for the refs it did move (a
// rejected ref is not listed).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** One ref a push moved, as git's post-receive hook is told of it (githooks(5)): all zeros for "none". */
export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

/** The environment variable naming the file the post-receive hook appends a push's ref updates to. */
const UPDATES_FILE_ENV = "GITHUB_DOUBLE_REF_UPDATES";

/** post-receive's input: "<old> <new> <ref>" lines. */
function parseRefUpdates(text: string): RefUpdate[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) (refs\/\S+)$/.exec(line.trim());
      if (!m) throw new Error(`post-receive was given a line that is not "<old> <new> <ref>": ${JSON.stringify(line)}`);
      return { before: m[1], after: m[2], ref: m[3] };
    });
}

/** One push under watch: the environment its receive-pack runs with, and what it moved once done. */
export interface PushWatch {
  env: Record<string, string>;
  /** The refs the push moved (none if it moved none), read once; the file they were written to is removed. */
  takeUpdates(): RefUpdate[];
}

/**
 * A hooks folder (for `core.hooksPath`) whose post-receive appends its input, one "<old> <new> <ref>"
 * line per ref the push updated, to the file the push's environment names. It comes in through git's
 * environment-given config, so no repository's own config or hooks folder is touched.
 */
export class PostReceiveHook {
  private constructor(private readonly dir: string) {}

  /** Writes the hook into `dir` (made if missing; a hook already there is replaced). */
  static install(dir: string): PostReceiveHook {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "post-receive"), `#!/bin/sh\nexec cat >> "$${UPDATES_FILE_ENV}"\n`, { mode: 0o755 });
    return new PostReceiveHook(dir);
  }

  /** A file of its own for one push, so pushes running at once never mix their updates. */
  watch(): PushWatch {
    const updatesFile = path.join(this.dir, `push-${crypto.randomUUID()}`);
    return {
      env: { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.hooksPath", GIT_CONFIG_VALUE_0: this.dir, [UPDATES_FILE_ENV]: updatesFile },
      takeUpdates: () => {
        if (!fs.existsSync(updatesFile)) return [];
        try {
          return parseRefUpdates(fs.readFileSync(updatesFile, "utf8"));
        } finally {
          fs.rmSync(updatesFile, { force: true });
        }
      },
    };
  }
}
