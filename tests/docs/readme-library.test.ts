// The README's program of one's own with two apps sharing one ops repository: it type-checks against the
// package's entry as written, and deploys under Pulumi's mocks.
import * as assert from "assert";
import Module from "module";
import * as path from "path";
import * as ts from "typescript";
import { installMocks, resetWorld, setStackConfig, settled, world } from "../helpers/pulumi-mocks";
import { FAKE_TOKEN, FAKE_WEBHOOK_SECRET } from "../helpers/fixtures";
import { LIBRARY_HEADING, readmeSnippet } from "../helpers/readme";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.join(__dirname, "..", "..");


/** The README's program, as a reader copies it. */
const snippet = () => readmeSnippet(LIBRARY_HEADING);

/** The snippet as a file beside the package's entry, `deliberate-image-builds` being that entry. */
const SNIPPET_FILE = path.join(ROOT, "readme-library-snippet.ts");
const packageEntry = path.join(ROOT, "components", "index.ts");

describe("README: two apps sharing one ops repository, with private repositories", function () {
  this.timeout(120000);

  it("type-checks against the package's entry", () => {
    const text = snippet();
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
    host.readFile = (f) => (path.resolve(f) === SNIPPET_FILE ? text : read(f));
    host.fileExists = (f) => path.resolve(f) === SNIPPET_FILE || exists(f);
    const program = ts.createProgram([SNIPPET_FILE], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || path.resolve(d.file.fileName) === SNIPPET_FILE)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    assert.deepStrictEqual(problems, []);
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
    assert.deepStrictEqual(names("kubernetes:core/v1:ServiceAccount"), ["orders-image-builder", "payments-image-builder"]);
    assert.deepStrictEqual(names("kubernetes:core/v1:Secret"), ["github-git-credentials", "github-token", "github-webhook-secret", "kpack-git-credentials", "repo-creds-example-org"]);
    assert.deepStrictEqual(
      world.resources.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application").map((r) => (r.inputs.spec as { source: { path: string } }).source.path).sort(),
      ["apps/orders/kpack", "apps/orders/tekton", "apps/payments/kpack", "apps/payments/tekton"],
    );
  });
});
