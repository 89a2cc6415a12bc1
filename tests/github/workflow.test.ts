// The pull-request workflow: valid for GitHub (SchemaStore's schema and GitHub's own parser), doing what
// it is meant to, and its scripts run for real: the shell steps with bash, the comment script with a fake
// GitHub API, the config-map expression with GitHub's expression evaluator.
import * as assert from "assert";
import Ajv, { ValidateFunction } from "ajv";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { register } from "module";
import * as path from "path";
import { parse } from "yaml";
import { REQUIRED_SECRET_KEYS } from "../../components/config/keys";
import { tempDir } from "../helpers/fixtures";
import { git } from "../helpers/git-world";
import type * as WorkflowParser from "@actions/workflow-parser";
import type * as Expressions from "@actions/expressions";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const PREVIEW = path.join(WORKFLOWS, "preview.yml");

type Scalar = string | number | boolean | null;
interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, Scalar>;
  with?: Record<string, Scalar>;
}
interface Job {
  name?: string;
  needs?: string[];
  if?: string;
  permissions?: unknown;
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, unknown> };
  env?: Record<string, Scalar>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const workflowFiles = (): string[] =>
  fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(WORKFLOWS, f));
const previewText = (): string => fs.readFileSync(PREVIEW, "utf8");
const preview = (): Workflow => parse(previewText()) as Workflow;

function step(job: string, match: (s: Step) => boolean): Step {
  const found = preview().jobs[job].steps.filter(match);
  assert.strictEqual(found.length, 1, `expected one such step in job ${job}`);
  return found[0];
}
const named = (id: string) => (s: Step) => s.id === id;
const using = (action: string) => (s: Step) => (s.uses ?? "").split("@")[0] === action;

/** The stacks that have a stack file in `dir`, as Pulumi names them. */
const stacksIn = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

// --- SchemaStore's published schema (JSON Schema draft-07) -------------------------------------------

let schemaValidator: ValidateFunction | undefined;
function schemaErrors(text: string): string[] {
  // strict: false because the schema uses keywords ajv's strict mode rejects; formats are not checked.
  schemaValidator ??= new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
    JSON.parse(fs.readFileSync(require.resolve("schemastore/schemas/json/github-workflow.json"), "utf8")),
  );
  return schemaValidator(parse(text)) ? [] : (schemaValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

// --- GitHub's own parser -------------------------------------------------------------------------------

// @actions/workflow-parser and @actions/expressions are ES modules (no `require`). TypeScript compiles
// `import()` to `require` here, so the import goes through a function it cannot rewrite.
const importModule = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<unknown>;
// The parser imports its JSON schema without `with { type: "json" }`, which bundlers allow and Node does
// not; this load hook hands Node those JSON files (and only those) as modules.
const JSON_AS_MODULE = `export async function load(url, context, nextLoad) {
  if (url.endsWith(".json") && url.includes("/node_modules/@actions/")) {
    const { readFile } = await import("node:fs/promises");
    return { format: "module", source: "export default " + (await readFile(new URL(url), "utf8")) + ";", shortCircuit: true };
  }
  return nextLoad(url, context);
}`;
let parserModule: Promise<typeof WorkflowParser> | undefined;
function workflowParser(): Promise<typeof WorkflowParser> {
  if (!parserModule) {
    register(`data:text/javascript,${encodeURIComponent(JSON_AS_MODULE)}`);
    parserModule = importModule("@actions/workflow-parser") as Promise<typeof WorkflowParser>;
  }
  return parserModule;
}

/** Every error GitHub's parser reports for a workflow: parsing, expressions, contexts, conversion. */
async function parserErrors(name: string, text: string): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate } = await workflowParser();
  const traced: string[] = [];
  const trace = { error: (m: string) => traced.push(m), info: () => undefined, verbose: () => undefined };
  const parsed = parseWorkflow({ name, content: text }, trace);
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const converted = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(converted.errors ?? []).map((e) => e.Message));
  } else {
    errors.push("no workflow came out of the parser");
  }
  return [...new Set([...errors, ...traced])];
}

// --- Running a step's script ----------------------------------------------------------------------------

interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs a `run:` script as GitHub runs `shell: bash`: bash --noprofile --norc -eo pipefail <file>. */
function runBash(script: string, o: { cwd: string; env?: Record<string, string>; path?: string[] }): StepRun {
  const tmp = tempDir("workflow-step-");
  try {
    const file = path.join(tmp, "step.sh");
    const output = path.join(tmp, "output");
    const summary = path.join(tmp, "summary");
    fs.writeFileSync(file, script);
    fs.writeFileSync(output, "");
    fs.writeFileSync(summary, "");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
      cwd: o.cwd,
      encoding: "utf8",
      env: {
        PATH: [...(o.path ?? []), process.env.PATH ?? ""].join(path.delimiter),
        HOME: tmp,
        RUNNER_TEMP: tmp,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        ...o.env,
      },
    });
    const outputs = Object.fromEntries(
      fs
        .readFileSync(output, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary: fs.readFileSync(summary, "utf8") };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function scriptOf(s: Step): string {
  assert.ok(s.run, `step ${s.id ?? s.name} has no run script`);
  assert.strictEqual(s.shell, "bash", `step ${s.id ?? s.name} must run with bash (-eo pipefail)`);
  return s.run;
}

// ==========================================================================================================

describe("github: the pull-request preview workflow", function () {
  this.timeout(60000);

  describe("is valid for GitHub", () => {
    it("every workflow validates against SchemaStore's github-workflow.json", () => {
      const files = workflowFiles();
      assert.ok(files.includes(PREVIEW), "preview.yml is missing");
      for (const f of files) assert.deepStrictEqual(schemaErrors(fs.readFileSync(f, "utf8")), [], path.basename(f));
    });

    it("every workflow parses with GitHub's workflow parser, without an error", async () => {
      for (const f of workflowFiles()) assert.deepStrictEqual(await parserErrors(path.basename(f), fs.readFileSync(f, "utf8")), [], path.basename(f));
    });

    it("both reject a broken copy: the checks are not a formality", async () => {
      const text = previewText();
      const broken = (from: string, to: string): string => {
        assert.ok(text.includes(from), `the workflow no longer has ${JSON.stringify(from)}`);
        return text.replace(from, to);
      };
      // A misspelt key and a made-up event: both checks catch them.
      for (const copy of [broken("runs-on: ubuntu-latest\n    outputs:", "run-on: ubuntu-latest\n    outputs:"), broken("on:\n  pull_request:\n", "on:\n  pull_requests:\n")]) {
        assert.notDeepStrictEqual(schemaErrors(copy), []);
        assert.notDeepStrictEqual(await parserErrors("broken.yml", copy), []);
      }
      // What only GitHub's parser knows: `secrets` is no context of a step's `if` (hence the check step),
      // and a misspelt context name.
      const secretsInIf = await parserErrors("broken.yml", broken("if: steps.credentials.outputs.preview == 'true'", "if: secrets.PULUMI_ACCESS_TOKEN != ''"));
      assert.ok(secretsInIf.some((e) => e.includes("Unrecognized named-value: 'secrets'")), secretsInIf.join("\n"));
      const misspeltContext = await parserErrors("broken.yml", broken("cloud-url: ${{ vars.", "cloud-url: ${{ var."));
      assert.ok(misspeltContext.some((e) => e.includes("Unrecognized named-value: 'var'")), misspeltContext.join("\n"));
    });
  });

  describe("does what it is for", () => {
    it("runs for pull requests, and only for them", () => {
      assert.deepStrictEqual(Object.keys(preview().on), ["pull_request"]);
    });

    it("grants exactly contents: read and pull-requests: write; no job asks for more", () => {
      const w = preview();
      assert.deepStrictEqual(w.permissions, { contents: "read", "pull-requests": "write" });
      for (const [id, job] of Object.entries(w.jobs)) assert.strictEqual(job.permissions, undefined, `job ${id} sets permissions`);
    });

    it("cancels a superseded run of the same pull request", () => {
      const { concurrency } = preview();
      assert.ok(concurrency.group.includes("${{ github.event.pull_request.number }}"), concurrency.group);
      assert.strictEqual(concurrency["cancel-in-progress"], true);
    });

    it("tests with npm ci, npm test and npm run test:slow on Node 20, with the npm cache", () => {
      const node = step("test", using("actions/setup-node"));
      assert.strictEqual(String(node.with?.["node-version"]), "20");
      assert.strictEqual(node.with?.cache, "npm");
      const runs = preview().jobs.test.steps.map((s) => s.run?.trim());
      assert.ok(runs.some((r) => r?.startsWith("npm ci")));
      assert.ok(runs.includes("npm test"));
      assert.ok(runs.includes("npm run test:slow"));
    });

    it("previews every stack the Pulumi.<stack>.yaml files name, and names none itself", () => {
      const w = preview();
      assert.deepStrictEqual(w.jobs.preview.strategy?.matrix, { stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
      assert.strictEqual(w.jobs.stacks.outputs?.stacks, "${{ steps.list.outputs.stacks }}");
      assert.deepStrictEqual([...(w.jobs.preview.needs ?? [])].sort(), ["stacks", "test"]);
      assert.strictEqual(w.jobs.preview.if, "needs.stacks.outputs.stacks != '[]'", "an empty matrix would fail the run");
      assert.strictEqual(w.jobs.preview.strategy?.["fail-fast"], false, "one stack's failure must not cancel the others");
      const stacks = stacksIn(ROOT);
      assert.ok(stacks.length > 0);
      // A stack name as a word of its own (not part of a path such as /dev/urandom).
      const asWord = (s: string) => new RegExp(`(?<![\\w/.-])${s.replace(/[.]/g, "\\.")}(?![\\w/.-])`);
      assert.ok(asWord("dev").test("stack: [dev, prod]") && !asWord("dev").test("/dev/urandom"));
      for (const s of stacks) assert.ok(!asWord(s).test(previewText()), `stack ${s} is named in the workflow`);
    });

    it("runs pulumi/actions preview with the PR comment, the diff, the backend variable and the policy pack", () => {
      const pulumi = step("preview", using("pulumi/actions"));
      const w = pulumi.with ?? {};
      assert.strictEqual(w.command, "preview");
      assert.strictEqual(w["stack-name"], "${{ matrix.stack }}");
      assert.strictEqual(String(w["comment-on-pr"]), "true");
      assert.strictEqual(String(w.diff), "true");
      assert.strictEqual(w["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
      assert.strictEqual(w.policyPacks, "policy", "the action's input is policyPacks (there is no policy-packs)");
      // Inputs pulumi/actions declares in its action.yml; a misspelt one would be ignored silently.
      const INPUTS = ["command", "stack-name", "cloud-url", "comment-on-pr", "diff", "policyPacks", "config-map"];
      for (const k of Object.keys(w)) assert.ok(INPUTS.includes(k), `unexpected input ${k}`);
      assert.strictEqual(pulumi.if, "steps.credentials.outputs.preview == 'true'");
      assert.deepStrictEqual(pulumi.env, {
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
      });
      // One repository variable, the same name everywhere.
      assert.deepStrictEqual([...new Set(previewText().match(/\bvars\.\w+/g))], ["vars.PULUMI_BACKEND_URL"]);
    });

    it("diffs the manifests against the base commit, with the whole history checked out, before pulumi touches the stack file", () => {
      const checkout = step("preview", using("actions/checkout"));
      assert.strictEqual(checkout.with?.["fetch-depth"], 0);
      const diff = step("preview", named("diff"));
      assert.match(scriptOf(diff), /npm run (--silent )?diff -- --stack "\$STACK" --base "\$BASE_SHA"/);
      assert.strictEqual(diff.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
      assert.strictEqual(preview().jobs.preview.env?.STACK, "${{ matrix.stack }}");
      // pulumi/actions writes config-map into Pulumi.<stack>.yaml: the diff and the check come first.
      const order = preview().jobs.preview.steps.map((s) => s.id ?? s.uses?.split("@")[0]);
      for (const s of ["credentials", "diff", "actions/github-script", "pulumi/actions"]) assert.ok(order.includes(s), s);
      assert.ok(order.indexOf("credentials") < order.indexOf("diff"));
      assert.ok(order.indexOf("diff") < order.indexOf("actions/github-script"));
      assert.ok(order.indexOf("actions/github-script") < order.indexOf("pulumi/actions"));
    });

    it("pins every action to a major version or a full commit SHA", () => {
      for (const f of workflowFiles()) {
        const w = parse(fs.readFileSync(f, "utf8")) as Workflow;
        for (const job of Object.values(w.jobs)) {
          for (const s of job.steps.filter((x) => x.uses)) {
            assert.match(s.uses as string, /^[\w.-]+\/[\w./-]+@(v\d+|[0-9a-f]{40})$/, `${path.basename(f)}: ${s.uses}`);
          }
        }
      }
    });

    it("pastes no expression into a script: every value arrives through env", () => {
      const w = preview();
      for (const job of Object.values(w.jobs)) {
        for (const s of job.steps) {
          for (const code of [s.run, s.with?.script]) if (typeof code === "string") assert.ok(!code.includes("${{"), `${s.id ?? s.name}`);
        }
      }
    });

    it("hands secrets only to pulumi/actions; the check step sees booleans about them, never a value", () => {
      const w = preview();
      const withSecrets = w.jobs.preview.steps.filter((s) => JSON.stringify(s).includes("secrets."));
      assert.deepStrictEqual(
        withSecrets.map((s) => s.id ?? s.uses?.split("@")[0]),
        ["credentials", "pulumi/actions"],
      );
      for (const [name, value] of Object.entries(step("preview", named("credentials")).env ?? {})) {
        // Only booleans: whether a secret is set, and whether toJSON would change it.
        if (String(value).includes("secrets.")) {
          assert.match(String(value), /^\$\{\{ (secrets\.(\w+) != ''|toJSON\(secrets\.(\w+)\) == format\('"\{0\}"', secrets\.\3\)) \}\}$/, name);
        }
      }
      for (const [id, job] of Object.entries(w.jobs)) if (id !== "preview") assert.ok(!JSON.stringify(job).includes("secrets."), id);
    });
  });

  describe("its shell steps, run with bash", () => {
    const listStacks = () => scriptOf(step("stacks", named("list")));
    const credentials = () => scriptOf(step("preview", named("credentials")));
    const manifestDiff = () => scriptOf(step("preview", named("diff")));

    it("the stack list is exactly the stacks with a Pulumi.<stack>.yaml in the repository", () => {
      const r = runBash(listStacks(), { cwd: ROOT });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual((JSON.parse(r.outputs.stacks) as string[]).sort(), stacksIn(ROOT));
    });

    it("the stack list adds each stack the pull request removes, read from the base commit", () => {
      const repo = tempDir("stack-history-");
      git(repo, "init", "-q");
      for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.gone.yaml"]) fs.writeFileSync(path.join(repo, f), "config: {}\n");
      git(repo, "add", "-A");
      git(repo, "commit", "-q", "-m", "base");
      const base = git(repo, "rev-parse", "HEAD");
      fs.rmSync(path.join(repo, "Pulumi.gone.yaml"));
      fs.writeFileSync(path.join(repo, "Pulumi.new.yaml"), "config: {}\n");
      const r = runBash(listStacks(), { cwd: repo, env: { BASE_SHA: base } });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual((JSON.parse(r.outputs.stacks) as string[]).sort(), ["dev", "gone", "new"]);
      const unknownBase = runBash(listStacks(), { cwd: repo, env: { BASE_SHA: "0".repeat(40) } });
      assert.deepStrictEqual((JSON.parse(unknownBase.outputs.stacks) as string[]).sort(), ["dev", "new"], "a base that is not here adds nothing");
    });

    it("the stack list is [] without stack files, and skips a file name Pulumi would not take", () => {
      const dir = tempDir("stack-files-");
      try {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\n");
        let r = runBash(listStacks(), { cwd: dir });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.outputs.stacks, "[]");
        for (const f of ["Pulumi.team.staging-2.yaml", "Pulumi.a b.yaml", "Pulumi.$(touch pwned).yaml", "Pulumi.x\n::error::injected.yaml"]) fs.writeFileSync(path.join(dir, f), "config: {}\n");
        r = runBash(listStacks(), { cwd: dir });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(JSON.parse(r.outputs.stacks), ["team.staging-2"]);
        assert.strictEqual((r.stdout.match(/^::warning::skipped /gm) ?? []).length, 3, r.stdout);
        assert.ok(!/^::error::/m.test(r.stdout), "a file name must not become a workflow command");
        assert.ok(!fs.existsSync(path.join(dir, "pwned")));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    describe("the credential check", () => {
      const ALL_SET = {
        STACK: "dev",
        PULUMI_BACKEND_URL: "https://api.pulumi.com",
        HAS_PULUMI_ACCESS_TOKEN: "true",
        HAS_PULUMI_CONFIG_PASSPHRASE: "false",
        HAS_STACK_GITHUB_TOKEN: "true",
        HAS_STACK_WEBHOOK_SECRET: "true",
        STACK_GITHUB_TOKEN_MASKABLE: "true",
        STACK_WEBHOOK_SECRET_MASKABLE: "true",
      };
      let dir: string;
      beforeEach(() => {
        dir = tempDir("credentials-");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  deliberate-image-builds:githubOwner: example-org\n");
      });
      afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
      const check = (env: Record<string, string>) => {
        const r = runBash(credentials(), { cwd: dir, env });
        assert.strictEqual(r.status, 0, `a missing credential must not fail the job: ${r.stderr}`);
        return r;
      };

      it("asks for exactly the config keys Pulumi.yaml declares secret, each through its repository secret", () => {
        const asked = [...credentials().matchAll(/^\s*stack_config (\w+) (\w+) "\$(\w+)"$/gm)].map((m) => m.slice(1));
        assert.deepStrictEqual(asked.map(([key]) => key).sort(), [...REQUIRED_SECRET_KEYS].sort());
        for (const [key, secret, has] of asked) {
          assert.strictEqual(has, `HAS_${secret}`, key);
          assert.ok(String(step("preview", using("pulumi/actions")).with?.["config-map"]).includes(`"deliberate-image-builds:${key}"`), `${key} in the config map`);
        }
      });

      it("lets the preview run when the backend, its credential and both stack secrets are set", () => {
        const r = check(ALL_SET);
        assert.deepStrictEqual(r.outputs, { preview: "true" });
        assert.strictEqual(r.summary, "");
      });

      it("with nothing set (a fork), skips the preview and writes what is missing into the job summary", () => {
        const r = check({ ...ALL_SET, PULUMI_BACKEND_URL: "", HAS_PULUMI_ACCESS_TOKEN: "false", HAS_STACK_GITHUB_TOKEN: "false", HAS_STACK_WEBHOOK_SECRET: "false" });
        assert.deepStrictEqual(r.outputs, { preview: "false" });
        assert.match(r.summary, /^### `pulumi preview` skipped for stack `dev`/);
        for (const name of ["repository variable `PULUMI_BACKEND_URL`", "repository secret `STACK_GITHUB_TOKEN`", "repository secret `STACK_WEBHOOK_SECRET`"]) assert.ok(r.summary.includes(name), name);
        assert.ok(r.summary.includes("Only the manifest diff ran"));
        assert.match(r.stdout, /^::notice title=pulumi preview skipped for stack dev::3 /m);
      });

      it("asks for the credential the backend needs: an access token for https://, the passphrase otherwise", () => {
        let r = check({ ...ALL_SET, HAS_PULUMI_ACCESS_TOKEN: "false", HAS_PULUMI_CONFIG_PASSPHRASE: "true" });
        assert.deepStrictEqual(r.outputs, { preview: "false" });
        assert.ok(r.summary.includes("`PULUMI_ACCESS_TOKEN`") && !r.summary.includes("PULUMI_CONFIG_PASSPHRASE"), r.summary);
        for (const backend of ["s3://state-bucket", "gs://state", "azblob://state", "file:///tmp/state"]) {
          r = check({ ...ALL_SET, PULUMI_BACKEND_URL: backend });
          assert.deepStrictEqual(r.outputs, { preview: "false" }, backend);
          assert.ok(r.summary.includes("`PULUMI_CONFIG_PASSPHRASE`") && !r.summary.includes("PULUMI_ACCESS_TOKEN"), r.summary);
          r = check({ ...ALL_SET, PULUMI_BACKEND_URL: backend, HAS_PULUMI_ACCESS_TOKEN: "false", HAS_PULUMI_CONFIG_PASSPHRASE: "true" });
          assert.deepStrictEqual(r.outputs, { preview: "true" }, backend);
        }
      });

      it("skips the preview of a stack the pull request removes, saying the manifest diff shows what goes", () => {
        fs.rmSync(path.join(dir, "Pulumi.dev.yaml"));
        const r = check(ALL_SET);
        assert.deepStrictEqual(r.outputs, { preview: "false" });
        assert.match(r.summary, /This pull request removes `Pulumi\.dev\.yaml`: the manifest diff below shows everything/);
      });

      it("skips the preview when a stack secret would show escaped, and so unmasked, in the action's log", () => {
        const r = check({ ...ALL_SET, STACK_WEBHOOK_SECRET_MASKABLE: "false" });
        assert.deepStrictEqual(r.outputs, { preview: "false" });
        assert.ok(r.summary.includes("repository secret `STACK_WEBHOOK_SECRET` as it is now: it holds a quote, a backslash or a control character"), r.summary);
        assert.ok(!r.summary.includes("STACK_GITHUB_TOKEN"), r.summary);
      });

      it("takes the stack secrets from the stack file when it holds them, instead of repository secrets", () => {
        const noStackSecrets = { ...ALL_SET, HAS_STACK_GITHUB_TOKEN: "false", HAS_STACK_WEBHOOK_SECRET: "false" };
        let r = check(noStackSecrets);
        assert.deepStrictEqual(r.outputs, { preview: "false" });
        fs.appendFileSync(path.join(dir, "Pulumi.dev.yaml"), "  deliberate-image-builds:githubToken:\n    secure: v1:AAAA\n");
        r = check(noStackSecrets);
        assert.ok(!r.summary.includes("STACK_GITHUB_TOKEN") && r.summary.includes("STACK_WEBHOOK_SECRET"), r.summary);
        fs.appendFileSync(path.join(dir, "Pulumi.dev.yaml"), "  deliberate-image-builds:webhookSecret:\n    secure: v1:BBBB\n");
        r = check(noStackSecrets);
        assert.deepStrictEqual(r.outputs, { preview: "true" });
      });
    });

    describe("the manifest diff", () => {
      let bin: string;
      let work: string;
      beforeEach(() => {
        bin = tempDir("fake-npm-");
        work = tempDir("diff-step-");
        // npm as the step calls it: records its arguments, prints FAKE_DIFF, exits FAKE_STATUS.
        fs.writeFileSync(path.join(bin, "npm"), '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\nprintf "%s" "$FAKE_DIFF"\necho "diff: a message" >&2\nexit "$FAKE_STATUS"\n', { mode: 0o755 });
      });
      afterEach(() => {
        fs.rmSync(bin, { recursive: true, force: true });
        fs.rmSync(work, { recursive: true, force: true });
      });
      const run = (status: number, diff: string) =>
        runBash(manifestDiff(), {
          cwd: work,
          path: [bin],
          env: { STACK: "dev", BASE_SHA: "0123456789abcdef0123456789abcdef01234567", DIFF_FILE: path.join(work, "diff.txt"), ARGS_FILE: path.join(work, "args"), FAKE_STATUS: String(status), FAKE_DIFF: diff },
        });

      it("runs npm run diff for the stack against the base commit; exit 0 is no change", () => {
        const r = run(0, "");
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(r.outputs, { changed: "false" });
        assert.deepStrictEqual(fs.readFileSync(path.join(work, "args"), "utf8").split("\n").filter(Boolean), ["run", "--silent", "diff", "--", "--stack", "dev", "--base", "0123456789abcdef0123456789abcdef01234567"]);
      });

      it("exit 1 is a change, not a failure: the diff is kept and printed with workflow commands off", () => {
        const diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+::error::not a command\n";
        const r = run(1, diff);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(r.outputs, { changed: "true" });
        assert.strictEqual(fs.readFileSync(path.join(work, "diff.txt"), "utf8"), diff);
        const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(r.stdout)?.[1];
        assert.ok(token, r.stdout);
        const printed = r.stdout.slice(r.stdout.indexOf(`::stop-commands::${token}`), r.stdout.indexOf(`::${token}::`));
        assert.ok(printed.includes("+::error::not a command"), r.stdout);
      });

      it("exit 2 (or any other) fails the step with an error annotation", () => {
        for (const status of [2, 127]) {
          const r = run(status, "");
          assert.strictEqual(r.status, status);
          assert.match(r.stdout, /^::error title=manifest diff failed for stack dev::/m);
          assert.deepStrictEqual(r.outputs, {});
        }
      });
    });
  });

  /** A workflow value holding one `${{ }}` expression, evaluated as the runner does, with these secrets. */
  async function evaluateWithSecrets(value: string, secrets: Record<string, string>): Promise<string> {
    const { Lexer, Parser, Evaluator, data } = (await importModule("@actions/expressions")) as typeof Expressions;
    const expression = /^\$\{\{([\s\S]*)\}\}$/.exec(value.trim())?.[1];
    assert.ok(expression, value);
    const context = new data.Dictionary();
    const secretData = new data.Dictionary();
    for (const [k, v] of Object.entries(secrets)) secretData.add(k, new data.StringData(v));
    context.add("secrets", secretData);
    const parsed = new Parser(new Lexer(expression).lex().tokens, ["secrets"], []).parse();
    // The action reads the input trimmed, as YAML.
    return new Evaluator(parsed, context).evaluate().coerceString().trim();
  }

  describe("the config map handed to pulumi/actions, evaluated by GitHub's expression evaluator", () => {
    async function configMap(secrets: Record<string, string>): Promise<string> {
      return evaluateWithSecrets(String(step("preview", using("pulumi/actions")).with?.["config-map"]), secrets);
    }
    const HOSTILE = 'a"b\\c: {0} }} \' # x\ny';

    it("lets the credential check tell a secret the log can mask from one it would show escaped", async () => {
      const env = step("preview", named("credentials")).env ?? {};
      for (const secret of ["STACK_GITHUB_TOKEN", "STACK_WEBHOOK_SECRET"]) {
        const maskable = (value: string) => evaluateWithSecrets(String(env[`${secret}_MASKABLE`]), { [secret]: value });
        for (const value of ["", "ghp_FAKE0123456789abcdef", "s3cr3t-{0}-}}-'-#-ü"]) assert.strictEqual(await maskable(value), "true", value);
        for (const value of ['a"b', "a\\b", "a\nb", "tab\there", HOSTILE]) assert.strictEqual(await maskable(value), "false", JSON.stringify(value));
      }
    });


    it("holds each stack secret the repository has, as a secret, quoted whatever characters it holds", async () => {
      const both = await configMap({ STACK_GITHUB_TOKEN: "ghp_token", STACK_WEBHOOK_SECRET: HOSTILE });
      const expected = {
        "deliberate-image-builds:githubToken": { value: "ghp_token", secret: true },
        "deliberate-image-builds:webhookSecret": { value: HOSTILE, secret: true },
      };
      assert.deepStrictEqual(JSON.parse(both), expected);
      assert.deepStrictEqual(parse(both), expected);
      assert.deepStrictEqual(JSON.parse(await configMap({ STACK_GITHUB_TOKEN: HOSTILE })), { "deliberate-image-builds:githubToken": { value: HOSTILE, secret: true } });
      assert.deepStrictEqual(JSON.parse(await configMap({ STACK_GITHUB_TOKEN: "", STACK_WEBHOOK_SECRET: "w" })), { "deliberate-image-builds:webhookSecret": { value: "w", secret: true } });
    });

    it("is empty without them, so that the stack file's own values stay", async () => {
      assert.strictEqual(await configMap({}), "");
      assert.strictEqual(await configMap({ STACK_GITHUB_TOKEN: "", STACK_WEBHOOK_SECRET: "" }), "");
    });
  });

  describe("its comment script, run against a fake GitHub API", () => {
    const MARKER = "<!-- deliberate-image-builds manifest diff: dev -->";
    const BASE = "0123456789abcdef0123456789abcdef01234567";
    interface Comment {
      id: number;
      body: string;
      user: { type: string };
      html_url?: string;
    }
    interface Run {
      created: string[];
      updated: { id: number; body: string }[];
      summary: string;
      notices: string[];
    }

    /** Runs the step's script as actions/github-script does: the body of an async function. */
    async function postDiff(o: { diff?: string; comments?: Comment[]; failWith?: { status: number; message: string } }): Promise<Run> {
      const script = String(step("preview", using("actions/github-script")).with?.script);
      const dir = tempDir("comment-");
      const run: Run = { created: [], updated: [], summary: "", notices: [] };
      const fail = async () => {
        if (o.failWith) throw Object.assign(new Error(o.failWith.message), { status: o.failWith.status });
      };
      const listComments = () => undefined;
      const github = {
        rest: {
          issues: {
            listComments,
            createComment: async (p: { body: string; issue_number: number }) => {
              await fail();
              assert.strictEqual(p.issue_number, 42);
              run.created.push(p.body);
              return { data: { html_url: "https://github.com/o/r/pull/42#issuecomment-1" } };
            },
            updateComment: async (p: { comment_id: number; body: string }) => {
              await fail();
              run.updated.push({ id: p.comment_id, body: p.body });
              return { data: {} };
            },
          },
        },
        paginate: async (method: unknown, params: { issue_number: number; owner: string; repo: string }) => {
          assert.strictEqual(method, listComments);
          assert.deepStrictEqual([params.owner, params.repo, params.issue_number], ["o", "r", 42]);
          return o.comments ?? [];
        },
      };
      const summary = {
        addRaw(text: string) {
          run.summary += text;
          return summary;
        },
        write: async () => summary,
      };
      const core = { summary, info: () => undefined, notice: (m: string) => run.notices.push(m), warning: (m: string) => run.notices.push(m) };
      const context = { repo: { owner: "o", repo: "r" }, issue: { number: 42 }, serverUrl: "https://github.com", runId: 7 };
      const env = { STACK: "dev", BASE_SHA: BASE, CHANGED: o.diff === undefined ? "false" : "true", DIFF_FILE: path.join(dir, "diff.txt") };
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      try {
        if (o.diff !== undefined) fs.writeFileSync(env.DIFF_FILE, o.diff);
        Object.assign(process.env, env);
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
        await new AsyncFunction("require", "github", "context", "core", script)(require, github, context, core);
        return run;
      } finally {
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
        else process.env[k] = v;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const DIFF = "diff --git a/repos/o/ops/cicd/kpack/image.yaml b/repos/o/ops/cicd/kpack/image.yaml\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-tag: v1\n+tag: v2\n";

    it("creates one comment for the stack, marked, with the diff in a fence; the summary has it too", async () => {
      const run = await postDiff({ diff: DIFF });
      assert.strictEqual(run.created.length, 1);
      const body = run.created[0];
      assert.ok(body.startsWith(`${MARKER}\n`));
      assert.ok(body.includes("```diff\n" + DIFF.trimEnd() + "\n```"), body);
      assert.ok(body.includes("`0123456789ab`"), "names the base commit");
      assert.ok(run.summary.includes(DIFF.trimEnd()) && !run.summary.includes(MARKER));
      assert.deepStrictEqual([run.updated, run.notices], [[], []]);
    });

    it("edits its own earlier comment in place; another stack's, or a person's, stays as it is", async () => {
      const comments: Comment[] = [
        { id: 1, body: `${MARKER}\nby a person`, user: { type: "User" } },
        { id: 2, body: "<!-- deliberate-image-builds manifest diff: prod -->\nold", user: { type: "Bot" } },
        { id: 3, body: `${MARKER}\nold`, user: { type: "Bot" } },
      ];
      const run = await postDiff({ diff: DIFF, comments });
      assert.deepStrictEqual(run.created, []);
      assert.deepStrictEqual(run.updated.map((u) => u.id), [3]);
      assert.ok(run.updated[0].body.startsWith(MARKER) && run.updated[0].body.includes("+tag: v2"));
    });

    it("with no change: says so in its earlier comment, and posts no new one", async () => {
      const earlier = await postDiff({ comments: [{ id: 3, body: `${MARKER}\nold`, user: { type: "Bot" } }] });
      assert.strictEqual(earlier.updated.length, 1);
      assert.match(earlier.updated[0].body, /No change against the base commit `0123456789ab`/);
      const none = await postDiff({});
      assert.deepStrictEqual([none.created, none.updated], [[], []]);
      assert.match(none.summary, /No change/);
    });

    it("cuts a diff longer than a comment holds at a whole line, with a note; the summary keeps it whole", async () => {
      const lines = Array.from({ length: 4000 }, (_, i) => `+  line ${i}: ${"x".repeat(40)}`);
      const diff = `@@ -0,0 +1,4000 @@\n${lines.join("\n")}\n`;
      const run = await postDiff({ diff });
      const body = run.created[0];
      assert.ok(body.length <= 65536, `${body.length} characters`);
      assert.ok(body.length > 60000, "uses most of the room");
      assert.match(body, /\*\*Truncated\*\* to the first \d+ of 4001 lines/);
      assert.match(body, /\n```\n\n<\/details>\n/, "the fence is closed");
      const shown = body.slice(body.indexOf("```diff\n") + 8, body.lastIndexOf("\n```"));
      assert.ok(diff.startsWith(shown + "\n"), "whole lines, from the start");
      assert.ok(run.summary.includes(lines[3999]) && !run.summary.includes("Truncated"));
    });

    it("fences a diff that holds backticks with a longer fence", async () => {
      const run = await postDiff({ diff: "@@ -1 +1 @@\n-a\n+```` code ```\n" });
      assert.ok(run.created[0].includes("`````diff\n"), run.created[0]);
    });

    it("a read-only token (a pull request from a fork) fails nothing: a notice, and the summary has the diff", async () => {
      const run = await postDiff({ diff: DIFF, failWith: { status: 403, message: "Resource not accessible by integration" } });
      assert.strictEqual(run.notices.length, 1);
      assert.match(run.notices[0], /could not be posted.*403.*job summary/);
      assert.ok(run.summary.includes("+tag: v2"));
    });
  });
});
