// The commit-status step run for real: its #!/bin/sh, busybox's applets and curl (the curlimages/curl image's
// tools), the Task as the plan commits it, against a loopback server standing in for GitHub's Statuses
// API that records what it is sent.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { Pipeline, PipelineTask } from "../../components/tekton/types";
import { runTask, stepToolsPath, TaskRunResult } from "../helpers/task-runner";
import { appEntry, FAKE_TOKEN, plannedObject, plannedTask, tempDir } from "../helpers/fixtures";

const SHA = "9c2f0e1d4b5a69788776655443322110ffeeddcc";

interface Received {
  method: string;
  url: string;
  authorization?: string;
  body: { state: string; context: string; description: string; target_url?: string };
}

describe("tekton: commit-status step (its #!/bin/sh, busybox applets and curl, as in its image)", function () {
  this.timeout(60000);
  const extra = { statusTargetUrl: "https://dashboard.example.com/#/namespaces/{namespace}/pipelineruns/{name}" };
  const task = plannedTask("commit-status", extra);
  const pipeline = plannedObject<Pipeline>("Pipeline", extra, undefined, "pipeline");
  const prPipeline = plannedObject<Pipeline>("Pipeline", extra, undefined, "pull-request-pipeline");
  let server: http.Server;
  let received: Received[];
  let answer: (r: Received) => number;
  let api: string;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r: Received = { method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Received["body"] };
        received.push(r);
        const status = answer(r);
        res.writeHead(status, status === 301 ? { Location: "http://127.0.0.1:9/elsewhere" } : { "Content-Type": "application/json" });
        res.end(status === 201 ? JSON.stringify({ id: received.length, state: r.body.state }) : JSON.stringify({ message: "Validation Failed" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = [];
    answer = () => 201;
  });

  /** A pipeline task of the status Task, its Tekton variables filled in as the controller would. */
  function run(pt: PipelineTask, tekton: Record<string, string>, params: Record<string, string> = {}): Promise<TaskRunResult> {
    const given = Object.fromEntries(
      (pt.params ?? []).map((p) => [p.name, p.value.replace(/\$\((params\.revision|tasks\.[a-z-]+\.(?:status|reason|results\.[a-z]+)|context\.pipelineRun\.(?:name|namespace))\)/g, (_, v: string) => tekton[v] ?? assert.fail(`no value for $(${v})`))]),
    );
    const dir = tempDir("commit-status-");
    fs.mkdirSync(path.join(dir, "tmp"));
    const tools = stepToolsPath(["curl"], dir);
    return runTask(task, { params: { API_URL: api, ...given, ...params }, secrets: { STATUS_TOKEN: FAKE_TOKEN }, path: tools, env: { TMPDIR: path.join(dir, "tmp") }, dir }).finally(() => {
      const left = fs.readdirSync(path.join(dir, "tmp"));
      assert.deepStrictEqual(left, [], "the step leaves nothing behind, the token's file least of all");
    });
  }
  const named = (p: Pipeline, name: string) => [...p.spec.tasks, ...(p.spec.finally ?? [])].find((t) => t.name === name) ?? assert.fail(`no ${name} in ${p.metadata.name}`);
  const context = { "params.revision": SHA, "context.pipelineRun.namespace": "default", "context.pipelineRun.name": "go-sample-app-build-x7k2p" };
  const ended = (status: Record<string, string>) => ({
    ...context,
    ...Object.fromEntries(Object.entries(status).flatMap(([task, s]) => [[`tasks.${task}.status`, s.split(",")[0]], [`tasks.${task}.reason`, s.split(",")[1] ?? ""]])),
  });
  const statuses = () => received.map((r) => `${r.body.context} ${r.body.state}: ${r.body.description}`);

  it("posts pending for lint, test and recorded as a push run starts, with the token, to the app repository's Statuses API, linking the run", async () => {
    const r = await run(named(pipeline, "status-pending"), context);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(statuses(), [
      "deliberate-image-builds/lint pending: lint: waiting for the run",
      "deliberate-image-builds/test pending: test: waiting for the run",
      "deliberate-image-builds/recorded pending: recorded: waiting for the run",
    ]);
    for (const q of received) {
      assert.deepStrictEqual([q.method, q.url, q.authorization], ["POST", `/api/v3/repos/example-org/go-sample-app/statuses/${SHA}`, `Bearer ${FAKE_TOKEN}`]);
      assert.strictEqual(q.body.target_url, "https://dashboard.example.com/#/namespaces/default/pipelineruns/go-sample-app-build-x7k2p");
    }
  });

  it("posts each stage's end: passed, failed (naming the stage), and what did not run because of it", async () => {
    const lintFailed = ended({ "fetch-repository": "Succeeded,Succeeded", lint: "Failed,Failed", test: "Succeeded,Succeeded", "update-image-revision": "None," });
    assert.strictEqual((await run(named(pipeline, "status-final"), lintFailed)).code, 0);
    assert.deepStrictEqual(statuses(), [
      "deliberate-image-builds/lint failure: lint failed",
      "deliberate-image-builds/test success: test passed",
      "deliberate-image-builds/recorded failure: recorded did not run: lint failed",
    ]);
    received = [];
    const cloneFailed = ended({ "fetch-repository": "Failed,Failed", lint: "None,", test: "None,", "update-image-revision": "None," });
    await run(named(pipeline, "status-final"), cloneFailed);
    assert.deepStrictEqual(statuses(), [
      "deliberate-image-builds/lint failure: lint did not run: the clone failed",
      "deliberate-image-builds/test failure: test did not run: the clone failed",
      "deliberate-image-builds/recorded failure: recorded did not run: the clone failed",
    ]);
  });

  it("leaves a successful write-back's status to the step that reads its outcome, which says what it recorded or why it stood aside", async () => {
    const passed = ended({ "fetch-repository": "Succeeded,Succeeded", lint: "Succeeded,Succeeded", test: "Succeeded,Succeeded", "update-image-revision": "Succeeded,Succeeded" });
    await run(named(pipeline, "status-final"), passed);
    assert.deepStrictEqual(statuses(), ["deliberate-image-builds/lint success: lint passed", "deliberate-image-builds/test success: test passed"]);
    const cases: [string, string][] = [
      ["recorded", "success: recorded 9c2f0e1 for kpack to build"],
      ["already-recorded", "success: already recorded: kpack builds 9c2f0e1"],
      ["newer-recorded", "success: stood aside: the ops branch records a newer commit that contains 9c2f0e1"],
      ["other-history", "success: stood aside: the ops branch records a newer commit of another history"],
    ];
    for (const [outcome, said] of cases) {
      received = [];
      await run(named(pipeline, "status-recorded"), { ...context, "tasks.update-image-revision.results.outcome": outcome });
      assert.deepStrictEqual(statuses(), [`deliberate-image-builds/recorded ${said}`]);
    }
    received = [];
    const failed = ended({ "fetch-repository": "Succeeded,Succeeded", lint: "Succeeded,Succeeded", test: "Succeeded,Succeeded", "update-image-revision": "Failed,Failed" });
    await run(named(pipeline, "status-final"), failed);
    assert.deepStrictEqual(statuses().slice(2), ["deliberate-image-builds/recorded failure: recorded failed"]);
  });

  it("says a cancelled run was superseded (Tekton's graceful cancel: TaskRunCancelled, then skipped tasks)", async () => {
    const cancelled = ended({ "fetch-repository": "Succeeded,Succeeded", lint: "Failed,TaskRunCancelled", test: "Succeeded,Succeeded", "update-image-revision": "None," });
    await run(named(pipeline, "status-final"), cancelled);
    assert.deepStrictEqual(statuses(), [
      "deliberate-image-builds/lint error: lint cancelled: a newer run superseded this one",
      "deliberate-image-builds/test success: test passed",
      "deliberate-image-builds/recorded error: recorded did not run: the run was cancelled (a newer run superseded it)",
    ]);
  });

  it("posts lint and test only for a pull request's run, and nothing about recording", async () => {
    await run(named(prPipeline, "status-pending"), context);
    await run(named(prPipeline, "status-final"), ended({ "fetch-repository": "Succeeded,Succeeded", lint: "Succeeded,Succeeded", test: "Failed,Failed" }));
    assert.deepStrictEqual(statuses(), [
      "deliberate-image-builds/lint pending: lint: waiting for the run",
      "deliberate-image-builds/test pending: test: waiting for the run",
      "deliberate-image-builds/lint success: lint passed",
      "deliberate-image-builds/test failure: test failed",
    ]);
    assert.deepStrictEqual(prPipeline.spec.finally?.map((t) => t.name), ["status-final"]);
  });

  it("posts no link without statusTargetUrl", async () => {
    const plain = plannedObject<Pipeline>("Pipeline", {}, [appEntry()], "pipeline");
    await run(named(plain, "status-pending"), context);
    assert.ok(received.every((q) => !("target_url" in q.body)), JSON.stringify(received[0]?.body));
  });

  it("goes on past a status GitHub refuses, and ends non-zero naming it: the Task's onError lets the run go on", async () => {
    answer = (r) => (r.body.context.endsWith("/test") ? 422 : 201);
    const r = await run(named(pipeline, "status-pending"), context);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(received.length, 3, "the other two are posted");
    assert.match(r.stderr, /could not post deliberate-image-builds\/test pending on 9c2f.*422/);
    assert.strictEqual(task.spec.steps[0].onError, "continue");
  });

  it("follows no redirect: the token goes to the one URL it was checked for", async () => {
    answer = () => 301;
    const r = await run(named(pipeline, "status-pending"), context);
    assert.strictEqual(r.code, 1);
    assert.strictEqual(received.length, 3, "one request per status, none to the redirect's target");
  });

  describe("refuses what it must not send the token to, posting nothing", () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["an http API URL off loopback", { API_URL: "http://api.example.com" }, /API_URL must be an https:\/\/ URL/],
      ["an API URL with credentials", { API_URL: "https://user:pass@api.example.com" }, /API_URL must be an https:\/\/ URL without credentials/],
      ["a repository path that climbs", { REPOSITORY: "example-org/../other" }, /REPOSITORY must be <owner>\/<repository>/],
      ["a repository with a third segment", { REPOSITORY: "example-org/app/statuses" }, /REPOSITORY must be <owner>\/<repository>/],
      ["a SHA that is not one", { SHA: "main" }, /SHA must be a full commit SHA/],
      ["a link that is not https", { TARGET_URL: "javascript:alert(1)" }, /TARGET_URL must be empty or an https:\/\/ URL/],
    ];
    for (const [what, params, message] of cases) {
      it(what, async () => {
        const r = await run(named(pipeline, "status-pending"), context, params);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, message);
        assert.deepStrictEqual(received, []);
      });
    }
  });
});
