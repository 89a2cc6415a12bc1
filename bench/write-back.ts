// How long N concurrent update-image-revision runs take to settle on the newest commit, and how many
// retries they used. Real sh and git against local bare repositories, as in the tests.
import { GitWorld } from "../tests/helpers/git-world";

export async function benchWriteBack(n: number, say: (line: string) => void): Promise<void> {
  const world = new GitWorld(1);
  try {
    for (let i = 1; i <= n; i++) world.appCommit(`change ${i}`);
    world.pushApp();
    const targets = world.commits.slice(1);
    const started = Date.now();
    // The Task's default back-off (1 s a step, jittered), as in the cluster.
    const results = await Promise.all(targets.map((c) => world.runStep(c, {})));
    const ms = Date.now() - started;
    const failed = results.filter((r) => r.code !== 0).length;
    const retries = results.reduce((sum, r) => sum + (r.stdout.match(/was rejected \(attempt/g) ?? []).length, 0);
    const pushed = results.filter((r) => /recorded [0-9a-f]{40} on/.test(r.stdout)).length;
    const settled = world.recordedRevision() === targets[n - 1];
    say(
      `write-back, ${n} concurrent runs: settled in ${(ms / 1000).toFixed(2)} s, ${retries} retries, ` +
        `${pushed} pushes, ${n - pushed - failed} stood down, ${failed} failed; newest recorded: ${settled ? "yes" : "NO"}`,
    );
  } finally {
    world.cleanup();
  }
}

if (require.main === module) {
  benchWriteBack(Number(process.argv[2] ?? 8), (l) => process.stdout.write(l + "\n")).catch((err) => {
    process.stderr.write(String(err) + "\n");
    process.exitCode = 1;
  });
}
