// Commit statuses and pull requests in the e2e loop, on the real EventListener sink, Triggers'
// interceptors and the API server (see commit-statuses.ts for how a status step runs here):
// - push runs: pending, then each stage's end and the write-back's outcome, on the pushed SHA; a run
//   whose lint failed posts failure for lint and says the rest did not run;
// - a pull request from a branch of the app repository starts a pull-request PipelineRun (no ops
//   workspace, no ops credential in any of its Tasks), whose statuses land on the head SHA;
// - one from a fork starts nothing under same-repository; `closed` starts nothing;
// - a second push to the pull request starts a run whose janitor, as its own account, cancels the first
//   (spec.status CancelledRunFinally), whose statuses then say it was superseded.
import * as fs from "fs";
import * as path from "path";
import { COMMIT_STATUS_SECRET, GIT_CREDENTIALS_SECRET, GITHUB_TOKEN_SECRET, objectNames } from "../components/plan/names";
import { RUN_KIND_LABEL } from "../components/tekton/triggers";
import { JANITOR_PIPELINE_TASK } from "../components/tekton/run-janitor";
import { Task } from "../components/tekton/types";
import { gitAsync, gitTokenEnv } from "../tests/helpers/git-world";
import { Checks } from "./checks";
import { allPipelineTasks, ended, githubApi, LoopApp, pipelineOf, postStatuses, pushRunStatuses, RunObject, runPipelineTask, stateSequences, statusesOn } from "./commit-statuses";
import { getJson, list, serviceAccountKubeconfig } from "./controllers/kube";
import { waitFor } from "./processes";
import { canI, FORBIDDEN } from "./security";
import { OWNER } from "./world";

/** The sink answers GitHub at once and runs its triggers after; this long is "no run came of it". */
const NO_RUN_WINDOW_MS = 8_000;
const PREFIX = "deliberate-image-builds";

/** A push run of the loop and how Tekton would have ended its tasks. */
export interface PushRun {
  label: string;
  run: RunObject;
  sha: string;
  /** Each task's `<status>[,<reason>]`, e.g. { lint: "Failed" }. */
  ends: Record<string, string>;
  /** The write-back's result, when it ran. */
  outcome?: string;
}

async function runsOf(x: LoopApp, kind: "push" | "pull-request"): Promise<RunObject[]> {
  return (await list<RunObject>(x.k, "pipelineruns.tekton.dev", x.namespace)).filter((r) => r.metadata.labels?.["app.kubernetes.io/name"] === x.app && r.metadata.labels?.[RUN_KIND_LABEL] === kind);
}

/** A developer's push of a new commit to a branch of `repo`; its SHA. */
async function pushToBranch(x: LoopApp, repo: string, branch: string, label: string): Promise<string> {
  const work = fs.mkdtempSync(path.join(x.w.dir, "developer-pr-"));
  const auth = { ...x.w.gitEnv, ...gitTokenEnv("dev", x.w.token) };
  await gitAsync(x.w.dir, "clone", "-q", x.w.github.gitUrl(repo), work, auth);
  await gitAsync(work, "fetch", "-q", "origin", `+refs/heads/*:refs/remotes/origin/*`, auth);
  const exists = (await gitAsync(work, "branch", "-r", "--list", `origin/${branch}`)).trim() !== "";
  await gitAsync(work, "checkout", "-q", "-B", branch, exists ? `origin/${branch}` : "HEAD");
  fs.writeFileSync(path.join(work, "main.go"), `package main\n\n// ${label}\nfunc main() {}\n`);
  await gitAsync(work, "commit", "-q", "-am", label, auth);
  await gitAsync(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`, auth);
  return gitAsync(work, "rev-parse", "HEAD");
}

/** Waits for the pull_request delivery of `action` and a new pull-request run (or, with `none`, for no run). */
async function deliveredAndRun(x: LoopApp, c: Checks, label: string, action: string, number: number, before: Set<string>, none = false): Promise<RunObject | undefined> {
  const delivered = await x.w.github.awaitDeliveries(1, 15_000, { repo: x.app, event: "pull_request", action, number }).catch((err: Error) => err);
  c.expect(`pull requests: ${label}: the double delivered pull_request ${action} and the listener accepted it (202)`, !(delivered instanceof Error) && delivered[0].statusCode === 202, delivered instanceof Error ? delivered.message : `${delivered[0].statusCode} ${delivered[0].error ?? ""}`);
  if (none) {
    await new Promise((r) => setTimeout(r, NO_RUN_WINDOW_MS));
    const made = (await runsOf(x, "pull-request")).filter((r) => !before.has(r.metadata.name));
    c.equal(`pull requests: ${label} starts no PipelineRun`, made.map((r) => r.metadata.name), []);
    return undefined;
  }
  let run: RunObject | undefined;
  await waitFor(`a pull-request PipelineRun for ${label}`, async () => {
    run = (await runsOf(x, "pull-request")).find((r) => !before.has(r.metadata.name));
    return !!run;
  }, 60_000).catch(() => undefined);
  c.expect(`pull requests: ${label} starts a pull-request PipelineRun`, !!run);
  return run;
}

const param = (run: RunObject, name: string) => run.spec.params.find((p) => p.name === name)?.value;

export async function statusesAndPullRequests(x: LoopApp, c: Checks, pushes: PushRun[]): Promise<void> {
  const names = objectNames({ name: x.app, namespace: x.namespace, imageTag: "" });

  // --- push runs ----------------------------------------------------------------------------------
  for (const p of pushes) {
    const statuses = await pushRunStatuses(x, c, p.label, p.run, p.sha, p.ends, p.outcome);
    const sequences = stateSequences(statuses);
    const failedAt = Object.entries(p.ends).find(([, s]) => s.startsWith("Failed"))?.[0];
    if (!failedAt) {
      c.equal(`statuses: ${p.label}: pending, then success for lint, test and recorded on ${p.sha.slice(0, 7)}`, sequences, [`${PREFIX}/lint: pending → success`, `${PREFIX}/test: pending → success`, `${PREFIX}/recorded: pending → success`]);
      const recorded = statuses.filter((s) => s.context === `${PREFIX}/recorded`).pop();
      c.expect(`statuses: ${p.label}: the recorded status says what the write-back did (${p.outcome})`, /^(recorded [0-9a-f]{7} for kpack to build|already recorded|stood aside)/.test(recorded?.description ?? ""), recorded?.description ?? "");
    } else {
      c.equal(`statuses: ${p.label}: ${failedAt} posts failure, and what did not run says so`, sequences, [`${PREFIX}/lint: pending → failure`, `${PREFIX}/test: pending → failure`, `${PREFIX}/recorded: pending → failure`]);
      const lint = statuses.filter((s) => s.context === `${PREFIX}/lint`).pop();
      c.equal(`statuses: ${p.label}: the failure names the stage`, lint?.description, "lint failed");
    }
    process.stdout.write(`  statuses the double recorded on ${p.sha} (${p.label}):\n${statuses.map((s) => `    ${s.context} ${s.state}: ${s.description}\n`).join("")}`);
  }

  // --- a pull request from a branch of the app repository -----------------------------------------
  const beforeOpen = new Set((await runsOf(x, "pull-request")).map((r) => r.metadata.name));
  const branch = "feature-statuses";
  const head1 = await pushToBranch(x, x.app, branch, "a change proposed in a pull request");
  const opened = await githubApi(x.w, "POST", `/repos/${OWNER}/${x.app}/pulls`, { title: "A change", head: branch, base: "main" });
  c.equal("pull requests: the double opens the pull request", opened.status, 201);
  const number = (opened.body as { number: number }).number;
  const first = await deliveredAndRun(x, c, "a pull request opened from a branch of the app repository", "opened", number, beforeOpen);
  if (first) {
    c.equal("pull requests: the run checks the head commit", param(first, "revision"), head1);
    c.equal("pull requests: the run carries the pull request's number", param(first, "pull-request"), String(number));
    c.equal("pull requests: the run is of the pull-request Pipeline", first.spec.pipelineRef.name, names.pullRequestPipeline);
    const pipeline = await pipelineOf(x, first);
    const tasks = await list<Task>(x.k, "tasks.tekton.dev", x.namespace);
    const used = allPipelineTasks(pipeline).map((pt) => tasks.find((t) => t.metadata.name === pt.taskRef.name));
    c.equal("pull requests: the Pipeline has no write-back", allPipelineTasks(pipeline).filter((t) => t.taskRef.name === names.task).map((t) => t.name), []);
    c.equal("pull requests: no Task of the run references the ops credential's Secret", used.filter((t) => !t || JSON.stringify(t).includes(`"${GITHUB_TOKEN_SECRET.name}"`)).map((t) => t?.metadata.name ?? "(missing)"), []);
    const bound = JSON.stringify(first.spec.workspaces ?? []);
    c.expect("pull requests: the run binds no ops workspace and no Secret but the clone's read-only files", !bound.includes(GITHUB_TOKEN_SECRET.name) && bound.includes(GIT_CREDENTIALS_SECRET.name) && (first.spec.workspaces ?? []).length === 2, bound);
    c.equal("pull requests: the run passes no ops token param", first.spec.params.filter((p) => p.value.includes(GITHUB_TOKEN_SECRET.name)).map((p) => p.name), []);
    const secretsRead = used.flatMap((t) => (t?.spec.steps ?? []).flatMap((s) => s.env ?? []).flatMap((e) => (e.valueFrom ? [e.valueFrom.secretKeyRef.name] : [])));
    c.equal("pull requests: the only Secret any of its steps reads is the status token's", [...new Set(secretsRead)], ["$(params.STATUS_TOKEN_SECRET)"]);
    c.equal("pull requests: ... whose default is the commit-status Secret", (tasks.find((t) => t.metadata.name === names.statusTask)?.spec.params ?? []).find((p) => p.name === "STATUS_TOKEN_SECRET")?.default, COMMIT_STATUS_SECRET.name);

    for (const [name, tasks] of [["status-pending", {}], ["status-final", ended({ "fetch-repository": "Succeeded", lint: "Succeeded", test: "Succeeded" })]] as const) {
      const r = await postStatuses(x, first, name, tasks, `statuses-${first.metadata.name}`);
      c.expect(`pull requests: ${name} posts every status`, r.code === 0, `${r.stdout}\n${r.stderr}`);
    }
    const onHead = await statusesOn(x, head1);
    c.equal("pull requests: the run's statuses land on the head SHA: lint and test, nothing recorded", stateSequences(onHead), [`${PREFIX}/lint: pending → success`, `${PREFIX}/test: pending → success`]);
    process.stdout.write(`  statuses the double recorded on ${head1} (pull request #${number}):\n${onHead.map((s) => `    ${s.context} ${s.state}: ${s.description}\n`).join("")}`);
  }

  // --- a pull request from a fork, under same-repository ------------------------------------------
  const fork = `${x.app}-fork`;
  await x.w.github.createRepository(fork, { initialFiles: { "main.go": "package main\n\n// a fork's change\nfunc main() {}\n" } });
  const beforeFork = new Set((await runsOf(x, "pull-request")).map((r) => r.metadata.name));
  const forked = await githubApi(x.w, "POST", `/repos/${OWNER}/${x.app}/pulls`, { title: "From a fork", head: "main", head_repo: fork, base: "main" });
  c.equal("pull requests: the double opens the fork's pull request", forked.status, 201);
  await deliveredAndRun(x, c, "a pull request from a fork (pullRequests: same-repository)", "opened", (forked.body as { number: number }).number, beforeFork, true);

  // --- a second push to the pull request: its run's janitor cancels the first ----------------------
  if (first) {
    const beforeSync = new Set((await runsOf(x, "pull-request")).map((r) => r.metadata.name));
    await pushToBranch(x, x.app, branch, "a second change to the pull request");
    const second = await deliveredAndRun(x, c, "a second push to the pull request (synchronize)", "synchronize", number, beforeSync);
    if (second) {
      const janitorAccount = second.spec.taskRunSpecs?.find((s) => s.pipelineTaskName === JANITOR_PIPELINE_TASK)?.serviceAccountName;
      c.equal("pull requests: the janitor alone runs as its own account", [second.spec.taskRunSpecs?.length, janitorAccount], [1, names.janitorServiceAccount]);
      const dir = path.join(x.w.dir, `janitor-${second.metadata.name}`);
      fs.mkdirSync(dir, { recursive: true });
      const kubeconfig = path.join(dir, "kubeconfig");
      await serviceAccountKubeconfig(x.k, x.w.cluster.server, x.namespace, names.janitorServiceAccount, kubeconfig);
      const pushRunsBefore = (await runsOf(x, "push")).map((r) => [r.metadata.name, r.spec.status ?? ""]);
      const r = await runPipelineTask(x, second, JANITOR_PIPELINE_TASK, { binaries: ["kubectl"], env: { KUBECTL_ARGS: `--kubeconfig ${kubeconfig}` }, dir });
      c.expect("pull requests: the janitor runs as its own account, with kubectl and busybox", r.code === 0, `${r.stdout}\n${r.stderr}`);
      process.stdout.write(`  janitor: ${r.stdout.trim().split("\n").join("\n  janitor: ")}\n`);
      const cancelled = await getJson<RunObject>(x.k, "pipelineruns.tekton.dev", first.metadata.name, x.namespace);
      c.equal("pull requests: the second push's run cancels the first (Tekton's CancelledRunFinally: its finally still posts)", cancelled?.spec.status, "CancelledRunFinally");
      c.equal("pull requests: the newer run is left running", (await getJson<RunObject>(x.k, "pipelineruns.tekton.dev", second.metadata.name, x.namespace))?.spec.status, undefined);
      c.equal("pull requests: push runs are another kind: none is touched", (await runsOf(x, "push")).map((p) => [p.metadata.name, p.spec.status ?? ""]), pushRunsBefore);
      const after = await postStatuses(x, first, "status-final", ended({ "fetch-repository": "Succeeded", lint: "Failed,TaskRunCancelled", test: "None" }), `statuses-${first.metadata.name}-cancelled`);
      c.expect("pull requests: the cancelled run's finally posts", after.code === 0, after.stderr);
      const last = (await statusesOn(x, head1)).filter((s) => s.context === `${PREFIX}/lint`).pop();
      c.equal("pull requests: the cancelled run says so on its commit", [last?.state, last?.description], ["error", "lint cancelled: a newer run superseded this one"]);
    }
  }

  // --- closed: nothing starts ---------------------------------------------------------------------
  const beforeClose = new Set((await runsOf(x, "pull-request")).map((r) => r.metadata.name));
  const closed = await githubApi(x.w, "PATCH", `/repos/${OWNER}/${x.app}/pulls/${number}`, { state: "closed" });
  c.equal("pull requests: the double closes the pull request", closed.status, 200);
  await deliveredAndRun(x, c, "a pull request closed", "closed", number, beforeClose, true);

  // --- what the janitor's account may do ------------------------------------------------------------
  const janitor = { namespace: x.namespace, name: names.janitorServiceAccount };
  for (const [verb, resource, ns, allowed] of [
    ["patch", "pipelineruns.tekton.dev", x.namespace, true],
    ["delete", "pipelineruns.tekton.dev", x.namespace, true],
    ["patch", "pipelineruns.tekton.dev", "kube-system", false],
    ["get", "secrets", x.namespace, false],
    ["delete", "taskruns.tekton.dev", x.namespace, false],
    ["create", "pods", x.namespace, false],
  ] as const) {
    c.equal(`janitor: ${janitor.name} ${allowed ? "may" : "may not"} ${verb} ${resource} in ${ns}`, await canI(x.k, janitor, verb, resource, ns), allowed);
  }
  for (const { verb, resource, namespaces } of FORBIDDEN) {
    for (const ns of namespaces) c.equal(`janitor: ${janitor.name} may not ${verb} ${resource} ${ns === undefined ? "in any namespace" : `in ${ns}`}`, await canI(x.k, janitor, verb, resource, ns), false);
  }
}
