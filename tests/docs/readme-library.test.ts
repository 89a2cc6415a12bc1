// The README's library snippets: each type-checks against the package's entry as written; the program of
// one's own with two apps sharing one ops repository also deploys under Pulumi's mocks.
import * as assert from "assert";
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import * as ts from "typescript";
import { installMocks, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET } from "../helpers/fixtures";
import { COMPONENTS_HEADING, LIBRARY_HEADING, readmeSnippet, TESTING_HEADING } from "../helpers/readme";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.join(__dirname, "..", "..");


/** The README's program, as a reader copies it. */
const snippet = () => readmeSnippet(LIBRARY_HEADING);

/** The snippet as a file beside the package's entry, `deliberate-image-builds` being that entry. */
const SNIPPET_FILE = path.join(ROOT, "readme-library-snippet.ts");
/** The first library snippet, a file of the same program (each snippet a module: no name is shared). */
const FIRST_SNIPPET_FILE = path.join(ROOT, "readme-components-snippet.ts");
const packageEntry = path.join(ROOT, "components", "index.ts");

/**
 * The type checker's complaints about each snippet as a file of one program of one's own (strict), none
 * elsewhere; one program for both, since loading the Pulumi SDKs' types is most of the time.
 */
function typeCheck(snippets: Map<string, string>): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    baseUrl: ROOT,
    paths: { "deliberate-image-builds": [path.relative(ROOT, packageEntry)] },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (f) => snippets.get(path.resolve(f)) ?? read(f);
  host.fileExists = (f) => snippets.has(path.resolve(f)) || exists(f);
  const program = ts.createProgram([...snippets.keys()], options, host);
  const problems = new Map([...snippets.keys()].map((file) => [file, [] as string[]]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file === undefined ? undefined : path.resolve(d.file.fileName);
    // A problem of no file (options, the host) counts against each snippet.
    for (const [f, list] of problems) if (file === undefined || file === f) list.push(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  }
  return problems;
}

let checked: Map<string, string[]> | undefined;
/** The problems of one snippet, both checked on the first call. */
function typeProblems(file: string): string[] {
  checked ??= typeCheck(new Map([[SNIPPET_FILE, snippet()], [FIRST_SNIPPET_FILE, readmeSnippet(COMPONENTS_HEADING)]]));
  return checked.get(file) ?? [];
}

describe("README: the library's first snippet, one app in a namespace of its own", function () {
  this.timeout(120000);

  it("type-checks against the package's entry: every name it uses is declared", () => {
    assert.deepStrictEqual(typeProblems(FIRST_SNIPPET_FILE), []);
  });

  it("is examples/platform-stack's program, whose test is the README's test snippet: one program and its test (the slow tests run them)", () => {
    assert.strictEqual(readmeSnippet(COMPONENTS_HEADING), fs.readFileSync(path.join(ROOT, "examples/platform-stack/index.ts"), "utf8"));
    assert.strictEqual(readmeSnippet(TESTING_HEADING), fs.readFileSync(path.join(ROOT, "examples/platform-stack/index.test.ts"), "utf8"));
  });
});

describe("README: two apps sharing one ops repository, with private repositories", function () {
  this.timeout(120000);

  it("type-checks against the package's entry", () => {
    assert.deepStrictEqual(typeProblems(SNIPPET_FILE), []);
  });

  it("deploys under mocks: each app in its folder of the one repository, with kpack's and Argo CD's credentials", async () => {
    installMocks();
    resetWorld();
    world.githubBranches.set("platform-ops/main", "c".repeat(40)); // autoInit makes it
    setStackConfig({ githubToken: FAKE_TOKEN, webhookSecret: FAKE_WEBHOOK_SECRET }, ["githubToken", "webhookSecret"]);
    const js = ts.transpileModule(snippet(), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const m = new Module(SNIPPET_FILE, module) as Module & { _compile(code: string, file: string): void; paths: string[] };
    m.filename = SNIPPET_FILE;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(ROOT);
    m._compile(js.replace(/require\("deliberate-image-builds"\)/g, `require(${JSON.stringify(packageEntry)})`), SNIPPET_FILE);
    const revisions = (m.exports as { testedRevisions: Record<string, pulumi.Output<string>> }).testedRevisions;
    await settled(...Object.values(revisions));
    const files = world.resources.filter((r) => r.type === "github:index/repositoryFile:RepositoryFile").map((r) => `${r.inputs.repository}:${r.inputs.file}`);
    assert.deepStrictEqual(files.filter((f) => f.endsWith("revision.yaml")).sort(), ["platform-ops:apps/orders/kpack/revision.yaml", "platform-ops:apps/payments/kpack/revision.yaml"]);
    const names = (type: string) => world.resources.filter((r) => r.type === type).map((r) => (r.inputs.metadata as { name: string }).name).sort();
    assert.deepStrictEqual(names("kubernetes:core/v1:ServiceAccount"), ["orders-event-listener", "orders-image-builder", "orders-pipeline", "orders-run-janitor", "payments-event-listener", "payments-image-builder", "payments-pipeline", "payments-run-janitor"]);
    assert.deepStrictEqual(names("kubernetes:core/v1:Secret"), ["commit-status-token", "github-git-credentials", "github-token", "kpack-git-credentials", "orders-webhook", "payments-webhook", "repo-creds-example-org"]);
    assert.deepStrictEqual(
      world.resources.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application").map((r) => (r.inputs.spec as { source: { path: string } }).source.path).sort(),
      ["apps/orders/kpack", "apps/orders/tekton", "apps/payments/kpack", "apps/payments/tekton"],
    );
  });
});
