// The run janitor's step run for real with its #!/bin/sh and busybox's applets, its kubectl a stand-in that
// answers `get pipelineruns -o jsonpath=...` with the lines kubectl prints for the listed runs (the
// step's own jsonpath, evaluated here over JSON objects) and records each patch and delete. What the
// real API server and authorizer make of the same calls is the e2e's (L6s: a real cancellation with the
// janitor's own token, and what its account may not do).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { plannedTask, tempDir } from "../helpers/fixtures";
import { runTask, stepToolsPath } from "../helpers/task-runner";

interface Run {
  name: string;
  created: string;
  /** The Succeeded condition's status: absent while it runs. */
  succeeded?: "True" | "False" | "Unknown";
  cancelled?: boolean;
  children?: string[];
  number?: string;
  version?: string;
}

/** What kubectl prints for the step's jsonpath over these runs: one tab-separated line each. */
function jsonpathLines(runs: Run[]): string {
  return runs.map((r) => [r.name, r.created, r.succeeded ?? "", r.cancelled ? "CancelledRunFinally" : "", r.version ?? "1", (r.children ?? []).join(" "), r.number ?? ""].join("\t") + "\n").join("");
}

describe("tekton: run-janitor step (its #!/bin/sh and busybox applets, kubectl's answers as it prints them)", function () {
  this.timeout(30000);
  const task = plannedTask("run-janitor");

  async function janitor(runs: Run[], params: Record<string, string>, conflicts: string[] = []): Promise<{ code: number; stdout: string; stderr: string; calls: string[] }> {
    const dir = tempDir("run-janitor-");
    fs.writeFileSync(path.join(dir, "runs.txt"), jsonpathLines(runs));
    fs.writeFileSync(path.join(dir, "conflicts.txt"), conflicts.map((c) => `${c}\n`).join(""));
    // The stand-in: prints the listed runs for `get`, records `patch` and `delete`, answers 409 once per name in conflicts.txt.
    const bin = path.join(dir, "kubectl-bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, "kubectl"),
      `#!/bin/sh
case " $* " in
  *" get pipelineruns.tekton.dev "*) cat "${dir}/runs.txt" ;;
  *" patch pipelineruns.tekton.dev "*)
    for a in "$@"; do case $a in *-run-*) name=$a ;; esac; done
    if grep -qx "$name" "${dir}/conflicts.txt"; then grep -vx "$name" "${dir}/conflicts.txt" > "${dir}/c.tmp"; mv "${dir}/c.tmp" "${dir}/conflicts.txt"
      echo 'Error from server (Conflict): the object has been modified' >&2; exit 1; fi
    echo "patch $*" >> "${dir}/calls.txt" ;;
  *" delete pipelineruns.tekton.dev "*) echo "delete $*" >> "${dir}/calls.txt" ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
    const tools = `${bin}:${stepToolsPath([], dir)}`;
    const r = await runTask(task, { params: { KIND: "push", KEEP: "5", ...params }, context: { "pipelineRun.name": params.RUN ?? "app-run-c", "pipelineRun.namespace": "builds" }, path: tools, dir, env: { HOME: dir } });
    const calls = fs.existsSync(path.join(dir, "calls.txt")) ? fs.readFileSync(path.join(dir, "calls.txt"), "utf8").trim().split("\n") : [];
    return { ...r, calls: calls.map((c) => c.replace(/ --namespace builds --request-timeout=20s/, "")) };
  }
  const patched = (calls: string[]) => calls.filter((c) => c.startsWith("patch")).map((c) => / pipelineruns\.tekton\.dev (\S+) /.exec(c)?.[1]);
  const deleted = (calls: string[]) => calls.filter((c) => c.startsWith("delete")).map((c) => / pipelineruns\.tekton\.dev (\S+)/.exec(c)?.[1]);

  it("cancels the older running runs of its kind that have not reached the write-back, with Tekton's graceful cancel and the resourceVersion it decided on", async () => {
    const runs: Run[] = [
      { name: "app-run-a", created: "2026-12-01T10:00:00Z", version: "11" },
      { name: "app-run-b", created: "2026-12-01T10:01:00Z", children: ["run-janitor", "fetch-repository", "lint", "test", "update-image-revision"] },
      { name: "app-run-x", created: "2026-12-01T10:01:30Z", cancelled: true },
      { name: "app-run-y", created: "2026-12-01T10:01:40Z", succeeded: "True" },
      { name: "app-run-c", created: "2026-12-01T10:02:00Z" },
      { name: "app-run-d", created: "2026-12-01T10:03:00Z" },
    ];
    const r = await janitor(runs, { RUN: "app-run-c" });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(patched(r.calls), ["app-run-a"], "not the one whose write-back started, nor one cancelled, finished, itself or newer");
    assert.match(r.calls[0], /--type=merge -p \{"metadata":\{"resourceVersion":"11"\},"spec":\{"status":"CancelledRunFinally"\}\}/);
    assert.match(r.stdout, /cancelled app-run-a: app-run-c supersedes it/);
  });

  it("cancels only the same pull request's older runs", async () => {
    const runs: Run[] = [
      { name: "app-run-a", created: "2026-12-01T10:00:00Z", number: "7" },
      { name: "app-run-b", created: "2026-12-01T10:01:00Z", number: "8" },
      { name: "app-run-c", created: "2026-12-01T10:02:00Z", number: "7" },
    ];
    const r = await janitor(runs, { KIND: "pull-request", NUMBER: "7", RUN: "app-run-c" });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(patched(r.calls), ["app-run-a"]);
  });

  it("decides again on a fresh list when a run moved under its patch (409)", async () => {
    const runs: Run[] = [
      { name: "app-run-a", created: "2026-12-01T10:00:00Z" },
      { name: "app-run-c", created: "2026-12-01T10:02:00Z" },
    ];
    const r = await janitor(runs, { RUN: "app-run-c" }, ["app-run-a"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /left app-run-a as it is for now: .*Conflict/);
    assert.deepStrictEqual(patched(r.calls), ["app-run-a"], "the second pass patches it");
  });

  it("deletes finished runs of its kind beyond KEEP, the oldest first, keeping the newest", async () => {
    const finished = (i: number): Run => ({ name: `app-run-f${i}`, created: `2026-12-01T09:0${i}:00Z`, succeeded: i % 2 ? "True" : "False" });
    const runs: Run[] = [...[1, 2, 3, 4].map(finished), { name: "app-run-c", created: "2026-12-01T10:02:00Z" }];
    const r = await janitor(runs, { RUN: "app-run-c", KEEP: "2" });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(deleted(r.calls).sort(), ["app-run-f1", "app-run-f2"]);
  });

  describe("refuses bad inputs, touching nothing", () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["a kind it does not know", { KIND: "tag", RUN: "app-run-c" }, /KIND must be push or pull-request/],
      ["a pull request without its number", { KIND: "pull-request", NUMBER: "", RUN: "app-run-c" }, /NUMBER must be a pull request's number/],
      ["KEEP of 0", { KEEP: "0", RUN: "app-run-c" }, /KEEP must be a whole number from 1/],
      ["a run it is not among", { RUN: "app-run-z" }, /this run, app-run-z, is not among the app's push runs/],
    ];
    for (const [what, params, message] of cases) {
      it(what, async () => {
        const r = await janitor([{ name: "app-run-a", created: "2026-12-01T10:00:00Z" }, { name: "app-run-c", created: "2026-12-01T10:02:00Z" }], params);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, message);
        assert.deepStrictEqual(r.calls, []);
      });
    }
  });
});
