// Moves of a running app on the real Argo CD: its ops branch, then its folder (a second app joins its
// ops repository). The tested revision was recorded by the pipeline after the last `pulumi up`, so
// Pulumi's state holds an older one for revision.yaml; the Image, watched through each move, must never
// show a revision older than the newest tested commit. And a write-back started from the objects of
// before a move must fail loudly, never record into a folder no Application reads.
import { opsLayout, REVISION_FILE } from "../components/plan/ops-repository";
import { ArgoCd } from "./argocd";
import { PipelineRunObjects, runPipelineWriteBack, RunEnvironment } from "./pipeline-run";
import { gitAsync } from "../tests/helpers/git-world";
import { appWithRepositories, developerPush, editApps, fileInRepo, measured, World } from "./world";
import { PulumiCli } from "./pulumi-cli";
import { Checks } from "./checks";

/** Every revision the Image showed, in order, polled until stopped. */
function watchRevisions(read: () => Promise<string | undefined>): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const revision = await read().catch(() => undefined);
      if (revision !== undefined && seen[seen.length - 1] !== revision) seen.push(revision);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

export interface MovesOptions {
  cli: PulumiCli;
  argocd: ArgoCd;
  app: string;
  /** The app's build namespace: the second app joins it there. */
  namespace: string;
  ops: string;
  /** The commits the pipeline recorded, oldest first: the last is the newest tested one. */
  tested: string[];
  imageRevision: () => Promise<string | undefined>;
  /** The Application of the app's kpack folder. */
  imageApplication: string;
  /** The run objects of a run that started before the moves: its Pipeline and Task as they were. */
  runBefore: PipelineRunObjects;
  runEnvironment: (dir: string) => RunEnvironment;
}

export async function movesNeverGoBack(w: World, c: Checks, o: MovesOptions): Promise<void> {
  const newest = o.tested[o.tested.length - 1];
  const older = new Set(o.tested.slice(0, -1));
  const settledAt = (path: string, branch: string) =>
    o.argocd
      .waitForApplication(o.imageApplication, (s) => s.sync?.status === "Synced" && s.operationState?.phase === "Succeeded" && s.sync.comparedTo?.source?.path === path && s.sync.comparedTo.source.targetRevision === branch, 240_000)
      .then(() => true, (err: Error) => err.message.slice(0, 2000));

  process.stdout.write("  (a) the app moves to another ops branch\n");
  // A branch made before the first run: without the pipeline's revision.yaml.
  const root = await gitAsync(w.dir, "--git-dir", w.github.gitDir(o.ops), "rev-list", "--max-parents=0", "main");
  await gitAsync(w.dir, "--git-dir", w.github.gitDir(o.ops), "branch", "release", root);
  let watch = watchRevisions(o.imageRevision);
  editApps(o.cli, (apps) => apps.map((a) => (a.name === o.app ? { ...a, opsBranch: "release" } : a)));
  const up = await measured(w, 1, "loop: up (ops branch moved)", () => o.cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("loop: up moves the app to another ops branch", up.code === 0, up.stderr.slice(-2000));
  c.expect("loop: revision.yaml on the new branch records the newest tested commit", (fileInRepo(w, o.ops, "release", REVISION_FILE) ?? "").includes(`revision: "${newest}"`), fileInRepo(w, o.ops, "release", REVISION_FILE) ?? "(no file)");
  const synced = await settledAt(opsLayout("cicd").kpack, "release");
  c.expect("loop: Argo CD syncs the Image from the new branch", synced === true, String(synced));
  let seen = await watch.stop();
  c.equal("loop: the Image shows only the newest tested commit over the branch move", seen.filter((r) => older.has(r) || r !== newest), []);

  process.stdout.write("  an in-flight write-back from the objects of before the move\n");
  const late = await developerPush(w, o.app, "main.go", "package main\n\n// tested while the app moved\nfunc main() {}\n");
  const oldBranchBefore = fileInRepo(w, o.ops, "main", REVISION_FILE);
  const run = { ...o.runBefore, params: { ...o.runBefore.params, revision: late } };
  const inFlight = await runPipelineWriteBack(run, o.runEnvironment("loop-run-in-flight"));
  c.expect("loop: a write-back into the folder the app left fails its run", inFlight.code !== 0, `${inFlight.stdout}\n${inFlight.stderr}`);
  c.expect("loop: it says where the app moved and to push again", /the app moved \(to /.test(inFlight.stderr) && /Push [0-9a-f]{40} again/.test(inFlight.stderr), inFlight.stderr);
  c.equal("loop: it records nothing in the folder no Application reads", fileInRepo(w, o.ops, "main", REVISION_FILE), oldBranchBefore);

  process.stdout.write("  (b) a second app joins the ops repository: the first moves to apps/<name>\n");
  const second = await appWithRepositories(w, `${o.app}-2`);
  watch = watchRevisions(o.imageRevision);
  editApps(o.cli, (apps) => [...apps, { ...second, namespace: o.namespace, opsRepo: o.ops, opsBranch: "release", webhookUrl: "" }]);
  const joined = await measured(w, 2, "loop: up (a second app joins)", () => o.cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("loop: up adds the second app and moves the first to its own folder", joined.code === 0, joined.stderr.slice(-2000));
  const moved = opsLayout(`apps/${o.app}`);
  c.expect("loop: the moved revision.yaml records the newest tested commit", (fileInRepo(w, o.ops, "release", moved.revision) ?? "").includes(`revision: "${newest}"`), fileInRepo(w, o.ops, "release", moved.revision) ?? "(no file)");
  const resynced = await settledAt(moved.kpack, "release");
  c.expect("loop: Argo CD syncs the Image from the app's new folder", resynced === true, String(resynced));
  seen = await watch.stop();
  c.equal("loop: the Image shows only the newest tested commit over the folder move", seen.filter((r) => older.has(r) || r !== newest), []);
  c.equal("loop: after both moves the Image is at the newest tested commit", await o.imageRevision(), newest);
}
