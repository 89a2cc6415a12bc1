// How long N concurrent update-image-revision runs take to settle on the newest commit, and how many
// retries they used. Real sh and git against local bare repositories, as in the tests.
import { serveRepositories } from "../tests/helpers/git-http-server";
import { FAKE_READ_TOKEN, FAKE_TOKEN } from "../tests/helpers/fixtures";
import { GitWorld, sharedOpsApps } from "../tests/helpers/git-world";

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

/**
 * How long `n` apps sharing one ops branch take when each records its own tested commit at the same
 * moment (a dependency bump pushed to every app), with the Task's defaults, over HTTP at `latencyMs`
 * a request (GitHub's order), and the most attempts one needed.
 */
export async function benchSharedBranch(n: number, latencyMs: number, say: (line: string) => void): Promise<void> {
  const world = new GitWorld(1);
  const server = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { readToken: FAKE_READ_TOKEN, latencyMs });
  try {
    const apps = sharedOpsApps(world, Array.from({ length: n }, (_, i) => `app-${i + 1}`), world.commits[0]);
    for (const app of apps) world.appCommit(`change for ${app.name}`);
    world.pushApp();
    const params = { OPS_URL: `${server.url}/ops.git`, APP_URL: `${server.url}/app.git` };
    const started = Date.now();
    const results = await Promise.all(apps.map((app, i) => world.runStep(world.commits[i + 1], {}, app.task, params)));
    const ms = Date.now() - started;
    const attempts = results.map((r) => Number(/attempt (\d+)\)/.exec(r.stdout)?.[1] ?? 0));
    const failed = results.filter((r) => r.code !== 0).length;
    say(
      `write-back, ${n} apps on one ops branch at once (defaults, ${latencyMs} ms a request): all settled in ${(ms / 1000).toFixed(1)} s, ` +
        `slowest run ${(Math.max(...results.map((r) => r.ms)) / 1000).toFixed(1)} s, at most ${Math.max(...attempts)} attempts, ${failed} failed`,
    );
  } finally {
    await server.close();
    world.cleanup();
  }
}

if (require.main === module) {
  benchWriteBack(Number(process.argv[2] ?? 8), (l) => process.stdout.write(l + "\n")).catch((err) => {
    process.stderr.write(String(err) + "\n");
    process.exitCode = 1;
  });
}
