// The write-back step, run for real: sh and git against local bare repositories (file:// or over http),
// with the Task's params substituted as Tekton does. The step mounts no workspace: it fetches both
// repositories itself.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Image } from "../../components/kpack/image";
import { KPACK_FOLDER, REVISION_FILE, revisionFileOf, withTestedRevision } from "../../components/plan/ops-repository";
import { planStack } from "../../components/plan/stack";
import { opsFileContent } from "../../components/synth/ops-file";
import { RENDER_SECRETS } from "../../components/synth/render";
import { ProcessResult } from "../../e2e/processes";
import { appEntry, FAKE_READ_TOKEN, FAKE_TOKEN, settings } from "../helpers/fixtures";
import { kustomizeBuild } from "../helpers/kustomize";
import { basicAuthorization, busyboxPath, git, GitWorld, KUSTOMIZATION_FILE, OPS_BRANCH, renderedTask, revisionFile, sharedOpsApps } from "../helpers/git-world";

/** The fixture app's kpack folder, which a move leaves. */
const KPACK_FOLDER_OF_FIXTURE = KUSTOMIZATION_FILE.replace(/\/kustomization\.yaml$/, "");
import { serveRepositories } from "../helpers/git-http-server";

function assertOk(r: ProcessResult): void {
  assert.strictEqual(r.code, 0, `step failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
}

describe("tekton: update-image-revision step (busybox sh and applets + git, as in its Alpine image)", function () {
  this.timeout(60000);
  let world: GitWorld;
  afterEach(() => world?.cleanup());

  it("takes every input through env: the script holds no Tekton substitution", () => {
    const [step] = renderedTask().spec.steps;
    assert.doesNotMatch(step.script, /\$\((params|workspaces|context|tasks)\./);
    assert.ok(step.env?.some((e) => e.name === "REVISION" && e.value === "$(params.REVISION)"));
  });

  it("records a newer tested commit: one commit, only the revision line, named and attributed", async () => {
    world = new GitWorld(3);
    const [c0, , c2] = world.commits;
    const before = world.opsHead();
    const r = await world.runStep(c2);
    assertOk(r);
    assert.match(r.stdout, new RegExp(`recorded ${c2} on ${OPS_BRANCH} \\(was ${c0}, attempt 1\\)`));
    assert.deepStrictEqual(r.results, { outcome: "recorded" }, "the Task's result, which the last status step reads");
    assert.strictEqual(world.recordedRevision(), c2);
    assert.deepStrictEqual(world.recordedHistory(), [c0, c2]);
    const opsGit = ["--git-dir", world.opsBare];
    assert.strictEqual(git(world.root, ...opsGit, "rev-parse", `${OPS_BRANCH}~1`), before, "exactly one commit on top");
    assert.strictEqual(git(world.root, ...opsGit, "diff", "--name-only", `${OPS_BRANCH}~1`, OPS_BRANCH), REVISION_FILE);
    // Byte for byte what Pulumi would have written for c2: only the revision line moved, quoted.
    const written = git(world.root, ...opsGit, "show", `${OPS_BRANCH}:${REVISION_FILE}`) + "\n";
    assert.strictEqual(written, revisionFile(c2));
    assert.match(written, new RegExp(`^ {6}revision: "${c2}"$`, "m"), "quoted, so no YAML reader takes a SHA for a number");
    const log = git(world.root, ...opsGit, "log", "-1", "--format=%an <%ae>|%cn|%s|%b", OPS_BRANCH);
    assert.match(log, new RegExp(`^Tekton Pipeline <tekton-pipeline@users.noreply.github.com>\\|Tekton Pipeline\\|Build tested revision ${c2}\\|`));
    assert.match(log, new RegExp(`records ${c2} of file://.*app.git, which passed lint and test \\(was ${c0}\\)`));
  });

  it("rewrites a revision.yaml kept from another namespace and tag, and kustomize applies it to the Image as it is now", async () => {
    world = new GitWorld(2);
    const [c0, c1] = world.commits;
    const plan = (extra: Record<string, unknown>) => planStack(settings({}, [appEntry("go-sample-app", extra)]), RENDER_SECRETS).apps[0];
    // The first rollout's file: the Image was go-sample-app-image-<old digest> in old-builds.
    const before = plan({ namespace: "old-builds", image: "registry.example.com/example-org/old-name" });
    world.writeRevisionFile(opsFileContent(withTestedRevision(revisionFileOf(before.repoFiles), c0)));
    assertOk(await world.runStep(c1));
    const written = git(world.root, "--git-dir", world.opsBare, "show", `${OPS_BRANCH}:${REVISION_FILE}`) + "\n";
    // After the app moved to builds and another tag, pulumi up rewrote the kustomization and image.yaml only.
    const after = plan({ namespace: "builds", image: "registry.example.com/platform/go-sample-app:v2" });
    const files: Record<string, string> = { "revision.yaml": written };
    for (const f of after.repoFiles.filter((f) => f.ownedBy === "pulumi" && f.path.startsWith(`${KPACK_FOLDER}/`))) files[path.basename(f.path)] = opsFileContent(f);
    const [image, ...more] = kustomizeBuild(files) as unknown as Image[];
    assert.deepStrictEqual(more, []);
    assert.deepStrictEqual([image.metadata.namespace, image.metadata.name, image.spec.source.git.revision], ["builds", after.names.kpackImage, c1]);
  });

  it("pushes nothing when the same revision is recorded twice", async () => {
    world = new GitWorld(2);
    const c1 = world.commits[1];
    assertOk(await world.runStep(c1));
    const head = world.opsHead();
    const again = await world.runStep(c1);
    assertOk(again);
    assert.match(again.stdout, new RegExp(`already records ${c1}; nothing to push`));
    assert.deepStrictEqual(again.results, { outcome: "already-recorded" });
    assert.strictEqual(world.opsHead(), head);
  });

  it("never goes backwards: a stale revision finishing late pushes nothing", async () => {
    world = new GitWorld(4, 3);
    const [, c1, , c3] = world.commits;
    const head = world.opsHead();
    const r = await world.runStep(c1);
    assertOk(r);
    assert.match(r.stdout, new RegExp(`records ${c3}, which already contains ${c1}; nothing to push`));
    assert.deepStrictEqual(r.results, { outcome: "newer-recorded" }, "it stood aside: an older commit");
    assert.strictEqual(world.opsHead(), head);
    assert.strictEqual(world.recordedRevision(), c3);
  });

  it("deepens the shallow app clone as far as the histories need", async () => {
    world = new GitWorld(150);
    const oldest = world.commits[0];
    const newest = world.commits[149];
    const forward = await world.runStep(newest);
    assertOk(forward);
    assert.strictEqual(world.recordedRevision(), newest);
    // And back: the oldest commit, 149 commits behind, is recognised as contained.
    const stale = await world.runStep(oldest);
    assertOk(stale);
    assert.match(stale.stdout, /already contains/);
    assert.strictEqual(world.recordedRevision(), newest);
  });

  it("lets concurrent runs settle on the newest commit, every ops step moving forward", async () => {
    world = new GitWorld(1);
    const runs = 5;
    for (let i = 1; i <= runs; i++) world.appCommit(`change ${i}`);
    world.pushApp();
    // Every run cloned the ops branch before any pushed, as pipelines that finish together do.
    const targets = world.commits.slice(1);
    const results = await Promise.all(targets.map((c) => world.runStep(c)));
    results.forEach(assertOk);
    assert.strictEqual(world.recordedRevision(), targets[runs - 1]);
    const history = world.recordedHistory();
    assert.strictEqual(history[0], world.commits[0]);
    for (let i = 1; i < history.length; i++) {
      const [older, newer] = [history[i - 1], history[i]];
      assert.notStrictEqual(older, newer, "no commit records what was already recorded");
      git(world.root, "--git-dir", world.appBare, "merge-base", "--is-ancestor", older, newer); // throws if backwards
    }
    assert.ok(results.every((r) => /nothing to push|recorded/.test(r.stdout)));
  });

  it("lets concurrent runs of two apps sharing one ops branch all land, each writing only its own revision.yaml", async () => {
    world = new GitWorld(1);
    // Two apps in one ops repository, as the stack program plans them: apps/<name>/kpack/revision.yaml each.
    const apps = sharedOpsApps(world, ["app-a", "app-b"], world.commits[0], { writeBackAttempts: 10 });
    assert.deepStrictEqual(apps.map((a) => a.path), ["apps/app-a/kpack/revision.yaml", "apps/app-b/kpack/revision.yaml"]);
    const start = world.opsHead();
    for (let i = 1; i <= 4; i++) world.appCommit(`change ${i}`);
    world.pushApp();
    // Two runs per app, every one cloned before any pushed: app-a tested 1 and 3, app-b 2 and 4.
    const runs = world.commits.slice(1).map((commit, i) => ({ app: apps[i % 2], commit }));
    const results = await Promise.all(runs.map((r) => world.runStep(r.commit, { RETRY_DELAY_MS: "50" }, r.app.task)));
    results.forEach(assertOk);
    const recorded = (rel: string, commit?: string) => /^ {6}revision: "?([0-9a-f]*)"?$/m.exec(world.opsFile(rel, commit))?.[1];
    assert.strictEqual(recorded(apps[0].path), world.commits[3], "app-a's newest tested commit");
    assert.strictEqual(recorded(apps[1].path), world.commits[4], "app-b's newest tested commit");
    // Every commit the runs made changes one revision.yaml: the app's own, never the other's or Pulumi's files.
    const made = git(world.root, "--git-dir", world.opsBare, "rev-list", "--reverse", `${start}..${OPS_BRANCH}`).split("\n");
    assert.ok(made.length >= 2, "both apps pushed");
    for (const commit of made) {
      const changed = git(world.root, "--git-dir", world.opsBare, "diff", "--name-only", `${commit}~1`, commit);
      assert.ok(apps.some((a) => a.path === changed), `${commit} changed ${changed}`);
    }
    assert.strictEqual(world.opsFile(REVISION_FILE), git(world.root, "--git-dir", world.opsBare, "show", `${start}:${REVISION_FILE}`), "the other app's cicd/ untouched");
  });

  it("lets 20 apps sharing one ops branch record at the same moment with the Task's defaults (attempts, back-off): every one lands", async function () {
    this.timeout(300000);
    world = new GitWorld(1);
    const names = Array.from({ length: 20 }, (_, i) => `app-${String(i + 1).padStart(2, "0")}`);
    const apps = sharedOpsApps(world, names, world.commits[0]);
    for (const name of names) world.appCommit(`change for ${name}`);
    world.pushApp();
    // Over HTTP with a round trip of GitHub's order (a quarter second a request): over loopback a
    // fetch-commit-push cycle is so short that few races are lost; with GitHub's, the defaults before
    // (5 attempts) left 7 of 20 tested commits unrecorded.
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { readToken: FAKE_READ_TOKEN, latencyMs: 250 });
    try {
      const params = { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` };
      // A dependency bump pushed to every app: each app's run records its own commit, all at once, with
      // nothing but the defaults (no RETRY_DELAY_MS, no MAX_ATTEMPTS).
      const results = await Promise.all(apps.map((app, i) => world.runStep(world.commits[i + 1], {}, app.task, params)));
      results.forEach(assertOk);
    } finally {
      await server.close();
    }
    const recorded = (rel: string) => /^ {6}revision: "?([0-9a-f]*)"?$/m.exec(world.opsFile(rel))?.[1];
    assert.deepStrictEqual(apps.map((a) => recorded(a.path)), world.commits.slice(1), "every app's tested commit is recorded");
  });

  it("records nothing into a folder the app left (a run started before a move), saying where it moved and to push again", async () => {
    world = new GitWorld(2);
    const [, c1] = world.commits;
    // pulumi up moved the app to apps/go-sample-app on the same branch: its files there, the old ones
    // deleted but revision.yaml (the pipeline's, retained). The run's Task is still the old one.
    const moved = "apps/go-sample-app/kpack";
    world.writeOpsFiles({ [`${moved}/kustomization.yaml`]: world.opsFile(KUSTOMIZATION_FILE), [`${moved}/revision.yaml`]: world.opsFile(REVISION_FILE) });
    world.removeOpsFiles([KUSTOMIZATION_FILE, `${KPACK_FOLDER_OF_FIXTURE}/image.yaml`]);
    const before = world.opsHead();
    const r = await world.runStep(c1);
    assert.strictEqual(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `cicd/kpack on main no longer holds the app's kustomization\\.yaml: the app moved \\(to ${moved}/revision\\.yaml on main\\) after this run's Task was made, ` +
          `and no Application reads cicd/kpack/revision\\.yaml; nothing was recorded\\. Push ${c1} again \\(or run its pipeline again\\)`,
      ),
    );
    assert.strictEqual(world.opsHead(), before, "nothing pushed");

    // Moved to another branch: this branch's folder holds only the retained revision.yaml.
    world.removeOpsFiles([`${moved}/kustomization.yaml`]);
    const elsewhere = await world.runStep(c1);
    assert.strictEqual(elsewhere.code, 1, elsewhere.stdout + elsewhere.stderr);
    assert.match(elsewhere.stderr, /the app moved \(to another branch or repository\)/);
  });

  it("ends at once, with git's reason, when a push is refused for anything but a lost race", async () => {
    world = new GitWorld(3);
    const c2 = world.commits[2];
    fs.writeFileSync(path.join(world.opsBare, "hooks", "pre-receive"), "#!/bin/sh\necho 'branch is protected' >&2\nexit 1\n", { mode: 0o755 });
    const r = await world.runStep(c2);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /the push to main failed: .*(pre-receive hook declined|branch is protected)/);
    assert.doesNotMatch(r.stdout, /attempt 1 of/);
    assert.strictEqual(world.recordedRevision(), world.commits[0]);
    assert.deepStrictEqual(r.results, {}, "no outcome: the finally status step that reads it is skipped, the other posts the failure");
  });

  /** Moves the ops branch as another run's push would: a commit on top of its tip. */
  function anotherRunPushes(): void {
    const who = { GIT_AUTHOR_NAME: "other", GIT_AUTHOR_EMAIL: "o@example.com", GIT_COMMITTER_NAME: "other", GIT_COMMITTER_EMAIL: "o@example.com" };
    const tip = git(world.root, "--git-dir", world.opsBare, "rev-parse", OPS_BRANCH);
    const next = git(world.root, "--git-dir", world.opsBare, "commit-tree", "-p", tip, "-m", "another run", `${tip}^{tree}`, who);
    git(world.root, "--git-dir", world.opsBare, "update-ref", `refs/heads/${OPS_BRANCH}`, next, tip);
  }

  /** Serves the repositories over http, another run pushing right after each of the first `times` fetches of the ops branch. */
  async function raceAfterFetch(times: number) {
    let moved = 0;
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, {
      readToken: FAKE_READ_TOKEN,
      afterFetch: (repository) => {
        if (repository === "ops" && moved < times) {
          moved++;
          anotherRunPushes();
        }
      },
    });
    return { server, params: { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` } };
  }

  it("retries a lost race: fetches again, decides again, and records", async () => {
    world = new GitWorld(2);
    const [c0, c1] = world.commits;
    const { server, params } = await raceAfterFetch(1);
    try {
      const r = await world.runStep(c1, { RETRY_DELAY_MS: "10" }, renderedTask(), params);
      assertOk(r);
      assert.match(r.stdout, /rejected \(attempt 1 of 5\); fetching and deciding again/);
      assert.match(r.stdout, new RegExp(`recorded ${c1} on main \\(was ${c0}, attempt 2\\)`));
      assert.strictEqual(world.recordedRevision(), c1);
      assert.deepStrictEqual(world.recordedHistory(), [c0, c0, c1], "the other push, then this one on top of it");
    } finally {
      await server.close();
    }
  });

  it("gives up after MAX_ATTEMPTS lost races, leaving the branch as the others left it", async () => {
    world = new GitWorld(2);
    const c1 = world.commits[1];
    const { server, params } = await raceAfterFetch(100);
    try {
      const r = await world.runStep(c1, { RETRY_DELAY_MS: "10" }, renderedTask(3), params);
      assert.strictEqual(r.code, 1, r.stdout);
      assert.match(r.stdout, /rejected \(attempt 1 of 3\).*\n.*rejected \(attempt 2 of 3\)/);
      assert.match(r.stderr, /was rejected 3 times; giving up/);
      assert.strictEqual(world.recordedRevision(), world.commits[0]);
    } finally {
      await server.close();
    }
  });

  describe("refuses hostile and bad REVISION values, changing nothing", () => {
    const hostile: [string, string, RegExp][] = [
      ["shell command substitution", "$(touch PWNED)", /must be a full commit SHA/],
      ["backticks and separators", "`touch PWNED`; touch PWNED && echo", /must be a full commit SHA/],
      ["an option for git", "--upload-pack=touch PWNED", /must be a full commit SHA/],
      ["a branch name", "main", /must be a full commit SHA/],
      ["an empty value", "", /must be a full commit SHA/],
      ["an uppercase SHA", "0F3E2D1C4B5A69788776655443322110FFEEDDCC", /must be a full commit SHA/],
      ["a SHA with a newline after it", "0f3e2d1c4b5a69788776655443322110ffeeddcc\nmain", /must be a full commit SHA/],
      ["an unknown SHA", "1234567890abcdef1234567890abcdef12345678", /is not a commit of the app repository/],
    ];
    // One world for all: each case must leave it as it found it, which is what is checked.
    let shared: GitWorld;
    before(() => (shared = new GitWorld(2)));
    after(() => shared.cleanup());
    for (const [what, value, message] of hostile) {
      it(what, async () => {
        const head = shared.opsHead();
        const r = await shared.runStep(value);
        assert.strictEqual(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stderr, message);
        assert.strictEqual(shared.opsHead(), head);
        assert.deepStrictEqual(filesNamed(shared.root, "PWNED"), [], "a command ran");
      });
    }
  });

  it("ends quickly with a message when the ops remote is unreachable", async () => {
    world = new GitWorld(2);
    const head = world.opsHead();
    const r = await world.runStep(world.commits[1], undefined, undefined, { OPS_URL: `file://${world.root}/gone.git` });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /could not fetch branch main of the ops repository; nothing was changed/);
    assert.ok(r.ms < 10000, `took ${r.ms} ms`);
    assert.strictEqual(world.opsHead(), head);
  });

  it("ends at once when git fails before the deadline's watchdog has its own process group", async () => {
    world = new GitWorld(2);
    // A setsid that is slow to start stands in for a loaded node: git fails at once (no such repository)
    // while the watchdog has not yet made the group the step stops it by.
    const shims = path.join(world.root, "slow-setsid");
    fs.mkdirSync(shims);
    const setsid = fs.realpathSync(path.join(busyboxPath().split(":")[0], "setsid"));
    // Only the watchdog's (`setsid sh -c ...`) is slow: git's own starts at once and fails at once.
    fs.writeFileSync(path.join(shims, "setsid"), `#!/bin/sh\n[ "$1" = sh ] && sleep 1\nexec ${setsid} setsid "$@"\n`, { mode: 0o755 });
    const r = await world.runStep(world.commits[1], { RETRY_DELAY_MS: "50", GIT_TIMEOUT: "6", PATH: `${shims}:${busyboxPath()}` }, undefined, { OPS_URL: `file://${world.root}/gone.git` });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /could not fetch branch main of the ops repository/);
    assert.ok(r.ms < 4000, `took ${r.ms} ms: the step waited for the watchdog's deadline`);
  });

  it("ends without guessing when the app remote is unreachable", async () => {
    world = new GitWorld(3, 1);
    const head = world.opsHead();
    const r = await world.runStep(world.commits[2], undefined, undefined, { APP_URL: `file://${world.root}/gone.git` });
    assert.strictEqual(r.code, 1, r.stdout);
    assert.match(r.stderr, /could not reach the app repository/);
    assert.strictEqual(world.opsHead(), head);
  });

  /** Serves the repositories over http, never answering the requests `stall` picks. */
  async function stallingServer(stall: (request: { method: string; url: string }) => boolean) {
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { readToken: FAKE_READ_TOKEN, stall });
    return { server, params: { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` } };
  }

  it("stops a remote that hangs at the deadline", async () => {
    world = new GitWorld(2);
    // A host that accepts and then goes silent on every request for the ops repository.
    const { server, params } = await stallingServer((req) => req.url.startsWith("/ops.git/"));
    try {
      const r = await world.runStep(world.commits[1], { RETRY_DELAY_MS: "50", GIT_TIMEOUT: "1" }, undefined, params);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /could not fetch branch main/);
      assert.ok(r.ms < 10000, `took ${r.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it("stops a push that hangs at the deadline, with everything git started, and says so", async () => {
    world = new GitWorld(2);
    // The push's output is read through a command substitution: a transport helper left running past
    // the deadline would hold it open. busybox's timeout signals only git itself.
    const { server, params } = await stallingServer((req) => req.url.includes("receive-pack"));
    try {
      const r = await world.runStep(world.commits[1], { RETRY_DELAY_MS: "50", GIT_TIMEOUT: "1" }, undefined, params);
      assert.strictEqual(r.code, 1, r.stdout);
      assert.match(r.stderr, /git push .* gave no answer within 1 s; stopped/);
      assert.match(r.stderr, /the push to main failed/);
      assert.ok(r.ms < 10000, `took ${r.ms} ms`);
      assert.strictEqual(world.recordedRevision(), world.commits[0]);
    } finally {
      await server.close();
    }
  });

  it("reads a revision line written unquoted, as files from before the quotes hold, and writes it quoted", async () => {
    world = new GitWorld(3, 1);
    const [, c1, c2] = world.commits;
    world.writeRevisionFile(revisionFile(c1).replace(`"${c1}"`, c1));
    const stale = await world.runStep(c1);
    assertOk(stale);
    assert.match(stale.stdout, new RegExp(`already records ${c1}; nothing to push`));
    const r = await world.runStep(c2);
    assertOk(r);
    assert.strictEqual(git(world.root, "--git-dir", world.opsBare, "show", `${OPS_BRANCH}:${REVISION_FILE}`) + "\n", revisionFile(c2));
  });

  it("after a history rewrite, replaces the recorded commit only with a newer one", async () => {
    world = new GitWorld(3, 2);
    const [c0, , c2] = world.commits;
    const rewritten = world.appCommit("force-pushed replacement", c0, "2099-01-01T00:00:00Z");
    const r = await world.runStep(rewritten);
    assertOk(r);
    assert.match(r.stdout, new RegExp(`the recorded ${c2} is not in the history of ${rewritten}`));
    assert.strictEqual(world.recordedRevision(), rewritten);
    // A late run for a commit of the old history does not put it back.
    const head = world.opsHead();
    const late = await world.runStep(c2);
    assertOk(late);
    assert.match(late.stdout, /a newer commit of another history .* nothing to push/);
    assert.strictEqual(world.opsHead(), head);
  });

  it("authenticates with each token only for its own repository, and the tokens appear nowhere", async () => {
    world = new GitWorld(2);
    // The app repository is private here: it reads with the read token; the ops repository with the write token.
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { readToken: FAKE_READ_TOKEN });
    try {
      const c1 = world.commits[1];
      const r = await world.runStep(c1, undefined, undefined, { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` });
      assertOk(r);
      assert.strictEqual(world.recordedRevision(), c1, "the push went through the authenticated remote");
      const sent = (repository: string) => new Set(server.requests.filter((q) => q.includes(` /${repository}.git/`)).map((q) => q.split(" ").slice(2).join(" ")).filter((a) => a !== "-"));
      assert.deepStrictEqual([...sent("app")], [basicAuthorization("x-access-token", FAKE_READ_TOKEN)], "the app repository saw the read token only");
      assert.deepStrictEqual([...sent("ops")], [basicAuthorization("x-access-token", FAKE_TOKEN)], "the ops repository saw the write token only");
      for (const token of [FAKE_TOKEN, FAKE_READ_TOKEN]) {
        assert.ok(!`${r.stdout}${r.stderr}`.includes(token), "a token is in the step's output");
        assert.ok(!world.everythingWritten().includes(token), "a token is in a file, repository or commit");
      }
      assert.deepStrictEqual(fs.readdirSync(path.join(world.root, "step-1", "tmp")), [], "the step's own repositories are removed when it ends");
    } finally {
      await server.close();
    }
  });

  it("sends the app repository no credential when there is no read token (a public app repository)", async () => {
    world = new GitWorld(2);
    const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { publicRead: true });
    try {
      const c1 = world.commits[1];
      const r = await world.runStep(c1, { RETRY_DELAY_MS: "50", READ_TOKEN: "" }, undefined, { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` });
      assertOk(r);
      assert.strictEqual(world.recordedRevision(), c1);
      assert.ok(server.requests.filter((q) => q.includes(" /app.git/")).every((q) => q.endsWith(" -")), server.requests.join("\n"));
    } finally {
      await server.close();
    }
  });

  describe("refuses repository URLs it must not speak to, changing nothing", () => {
    const refused: [string, string, string][] = [
      ["an ext:: command as the ops URL", "OPS_URL", "ext::sh -c touch% PWNED"],
      ["credentials in the app URL", "APP_URL", "https://x-access-token:stolen@github.com/example-org/app.git"],
      ["an ssh URL", "OPS_URL", "ssh://git@github.com/example-org/ops.git"],
      ["a scp-like path", "APP_URL", "git@github.com:example-org/app.git"],
    ];
    for (const [what, param, value] of refused) {
      it(what, async () => {
        world = new GitWorld(2);
        const head = world.opsHead();
        const r = await world.runStep(world.commits[1], undefined, undefined, { [param]: value });
        assert.strictEqual(r.code, 1, r.stdout);
        assert.match(r.stderr, new RegExp(`${param} must be a`));
        assert.strictEqual(world.opsHead(), head);
        assert.deepStrictEqual(filesNamed(world.root, "PWNED"), []);
      });
    }
  });
});

/** Every file called `name` under `dir`. */
function filesNamed(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f) === name);
}
