// npm run e2e: the real Pulumi CLI and providers against a real Kubernetes API server and a GitHub
// double backed by real git repositories. See docs/e2e.md for what each step proves.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { PROJECT } from "../components/config/errors";
import { REVISION_FILE, TEKTON_FILE } from "../components/plan/ops-repository";
import { renderStack } from "../scripts/render";
import { argoCdFinalizerStandIn } from "./argocd-stand-in";
import { CONTROLLERS, findBinaries, Tool, toolsBinDir } from "./binaries";
import { startArgoCd } from "./argocd";
import { Admission, refusals, RELEASES, startAdmission } from "./controllers/admission";
import { controllerLoop } from "./loop";
import { PulumiSchema, schemaDifferences } from "./github-schema";
import { Checks } from "./checks";
import { startControlPlane } from "./control-plane";
import { startGitHubDouble } from "./github-double";
import { freePort, runProcess } from "./processes";
import { gitAsync } from "../tests/helpers/git-world";
import { referenceDir } from "../tests/helpers/reference";
import { LIBRARY_HEADING, readmeSnippet } from "../tests/helpers/readme";
import { runWriteBack } from "./pipeline-run";
import { changes, CliResult, PreviewJson, PulumiCli } from "./pulumi-cli";
import { loopbackCertificate, tlsFront } from "./tls";
import {
  appName,
  appWithRepositories,
  developerPush,
  editApps,
  fileInRepo,
  kubectl,
  measured,
  newStack,
  OWNER,
  ROOT,
  ROTATED_TOKEN,
  secretValue,
  STACK,
  TOKEN,
  WEBHOOK_SECRET,
  World,
} from "./world";

/** The one-app walk through the life of a stack, each step checked. */
async function lifecycle(w: World): Promise<void> {
  const c = w.checks;
  const cli = await newStack(w, 1);
  const app = appName(0, 1);
  const ops = `${app}-ops`;
  let opsBranch = "main";

  process.stdout.write("1. pulumi preview of a new stack\n");
  const preview = await measured(w, 1, "preview (new stack)", () => cli.preview());
  const json = preview.json;
  c.expect("preview succeeds", preview.code === 0, preview.stderr.slice(-2000));
  // The one read is the stack's StackReference to its own outputs (where each app's revision file was).
  const steps = (json?.steps ?? []).map((s) => `${s.op} ${s.urn.split("::")[2] ?? "?"}`);
  c.equal("every resource is a create, but the stack's read of its own outputs", [...new Set(steps.filter((s) => !s.startsWith("create ")))], ["read pulumi:pulumi:StackReference"]);
  c.equal("preview writes nothing to GitHub", w.checks.figures.at(-1)?.githubWrites, 0);
  c.expect("preview reads the ops branch (a missing one would stop it there)", w.github.requests.some((q) => q.method === "GET" && q.path === `/api/v3/repos/${OWNER}/${ops}/git/ref/heads/main` && q.status === 200), w.github.requests.map((q) => `${q.method} ${q.path}`).join("\n"));
  const traced = await cli.run(["preview", "--logtostderr", "--logflow", "-v=5"]);
  // The host logs the node command line it starts (at -v=5): `<node> --require ./scripts/register-ts.js .../cmd/run/index.js ...`.
  const launch = /Language host launching process:.*$/m.exec(traced.stderr)?.[0] ?? "";
  c.expect("the program starts as Pulumi.yaml says: node --require ./scripts/register-ts.js", /node\s*--require \.\/scripts\/register-ts\.js \S+\/@pulumi\/pulumi\/cmd\/run\/index\.js /.test(launch), launch || traced.stderr.slice(-1500));

  process.stdout.write("2. pulumi up\n");
  const up = await measured(w, 1, "up (new stack)", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("up succeeds", up.code === 0, up.stderr.slice(-3000));
  const secrets = kubectl(w, "get", "secrets", "-n", "default", "-o", "name");
  c.expect("the github-token and the app's webhook Secrets exist", /secret\/github-token\b/.test(secrets) && new RegExp(`secret/${app}-webhook\\b`).test(secrets), secrets);
  const applications = kubectl(w, "get", "applications.argoproj.io", "-n", "argocd", "-o", "name");
  c.expect("both Argo CD Applications exist", applications.trim().split("\n").filter(Boolean).length === 2, applications);
  const out = path.join(w.dir, "render-1");
  const rendered = renderStack({ projectDir: cli.projectDir, stack: STACK, out });
  const repoFiles = rendered.files.filter((f) => f.startsWith(`repos/${OWNER}/`));
  const mismatched = repoFiles.filter((f) => {
    const [, , repo, ...rest] = f.split("/");
    return fileInRepo(w, repo, "main", rest.join("/")) !== fs.readFileSync(path.join(out, f), "utf8");
  });
  c.expect(`the ${repoFiles.length} ops files in git equal npm run render's, byte for byte`, repoFiles.length > 0 && mismatched.length === 0, mismatched.join("\n"));
  c.equal("the push webhook exists on the app repository", w.github.hooks(app).map((h) => h.config.url), [`https://ci.example.com/hooks/${app}`]);

  process.stdout.write("3. pulumi up again\n");
  const again = await measured(w, 1, "up (no change)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("a second up changes nothing", again.code === 0, again.stderr.slice(-2000));
  c.equal("a second up writes nothing to GitHub", w.checks.figures.at(-1)?.githubWrites, 0);

  process.stdout.write("4. the pipeline records a tested commit\n");
  const tested = await developerPush(w, app, "main.go", "package main\n\n// tested\nfunc main() {}\n");
  const tekton = fileInRepo(w, ops, "main", TEKTON_FILE) ?? "";
  const step = await runWriteBack({ tektonFile: tekton, repoUrl: w.github.gitUrl(app), revision: tested, token: w.token, gitEnv: w.gitEnv, dir: path.join(w.dir, "pipeline-run-1") });
  c.expect("update-image-revision succeeds against the double's git remote", step.code === 0, `${step.stdout}\n${step.stderr}`);
  const recorded = fileInRepo(w, ops, "main", REVISION_FILE) ?? "";
  c.expect("revision.yaml records the tested commit", recorded.includes(tested), recorded);

  process.stdout.write("5. Pulumi leaves the pipeline's revision alone\n");
  const p5 = await measured(w, 1, "preview (after pipeline)", () => cli.preview(["--expect-no-changes"]));
  c.expect("preview shows no change", p5.code === 0, p5.stderr.slice(-2000));
  const u5 = await measured(w, 1, "up (after pipeline)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("up shows no change", u5.code === 0, u5.stderr.slice(-2000));
  const r5 = await measured(w, 1, "refresh", () => cli.run(["refresh", "--yes", "--skip-preview"]));
  c.expect("refresh succeeds", r5.code === 0, r5.stderr.slice(-2000));
  const u5b = await measured(w, 1, "up (after refresh)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("up after refresh shows no change", u5b.code === 0, u5b.stderr.slice(-2000));
  c.expect("the recorded revision stays", (fileInRepo(w, ops, "main", REVISION_FILE) ?? "").includes(tested));
  const outputs = await cli.run(["stack", "output", "--json"]);
  c.expect("the stack output testedRevision is the pipeline's", outputs.stdout.includes(tested), outputs.stdout);

  process.stdout.write("6. a config change\n");
  await cli.setConfig("writeBackAttempts", "8");
  const p6 = await measured(w, 1, "preview (config change)", () => cli.preview());
  const changed = changes(p6.json);
  c.expect("preview shows exactly the changed file", changed.length === 1 && /^update .*RepositoryFile .*tekton/.test(changed[0]), changed.join("\n"));
  const u6 = await measured(w, 1, "up (config change)", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("up applies it", u6.code === 0 && /- name: MAX_ATTEMPTS\n\s+type: string\n\s+default: "8"/.test(fileInRepo(w, ops, "main", TEKTON_FILE) ?? ""), u6.stderr.slice(-2000));

  process.stdout.write("7. a token rotation\n");
  const uidBefore = kubectl(w, "get", "secret", "github-token", "-n", "default", "-o", "jsonpath={.metadata.uid}");
  w.github.acceptTokens([w.token, ROTATED_TOKEN]);
  await cli.setConfig("githubToken", ROTATED_TOKEN, true);
  const p7 = await measured(w, 1, "preview (token rotation)", () => cli.preview());
  const replaced = changes(p7.json).filter((s) => /replace|delete/.test(s));
  c.expect("preview updates the Secrets, replaces nothing", p7.code === 0 && replaced.length === 0 && changes(p7.json).some((s) => /^update .*Secret/.test(s)), changes(p7.json).join("\n"));
  const u7 = await measured(w, 1, "up (token rotation)", () => cli.run(["up", "--yes", "--skip-preview"]));
  const uidAfter = kubectl(w, "get", "secret", "github-token", "-n", "default", "-o", "jsonpath={.metadata.uid}");
  c.expect("the Secret is updated in place (same uid)", u7.code === 0 && uidBefore !== "" && uidBefore === uidAfter, `${uidBefore} → ${uidAfter}\n${u7.stderr.slice(-1500)}`);
  c.equal("the Secret holds the new token", secretValue(w, "default", "github-token", "GITHUB_TOKEN"), ROTATED_TOKEN);
  // The old token is revoked: everything after this, the next stack too, must use the new one.
  w.token = ROTATED_TOKEN;
  w.github.acceptTokens([w.token]);

  process.stdout.write("8. the app moves to another ops branch\n");
  // The new branch is made from the ops repository's first commit, as a branch made before the first
  // run would be: without the pipeline's revision.yaml.
  const opsRoot = await gitAsync(w.dir, "--git-dir", w.github.gitDir(ops), "rev-list", "--max-parents=0", "main");
  await gitAsync(w.dir, "--git-dir", w.github.gitDir(ops), "branch", "release", opsRoot);
  editApps(cli, (apps) => apps.map((a) => ({ ...a, opsBranch: "release" })));
  const u8 = await measured(w, 1, "up (ops branch moved)", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("up moves the files to the new branch", u8.code === 0, u8.stderr.slice(-2000));
  opsBranch = "release";
  c.expect("the tested revision moved with the app", (fileInRepo(w, ops, "release", REVISION_FILE) ?? "").includes(`revision: "${tested}"`), fileInRepo(w, ops, "release", REVISION_FILE) ?? "(no file)");
  c.expect("the old branch keeps its revision file", (fileInRepo(w, ops, "main", REVISION_FILE) ?? "").includes(tested));
  c.expect("Pulumi's files left the old branch", fileInRepo(w, ops, "main", TEKTON_FILE) === undefined && fileInRepo(w, ops, "release", TEKTON_FILE) !== undefined);
  const moved = await measured(w, 1, "up (no change, moved)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("an up after the move changes nothing", moved.code === 0, moved.stderr.slice(-2000));

  process.stdout.write("9. a second app joins the running stack\n");
  const second = await appWithRepositories(w, "second-app");
  editApps(cli, (apps) => [...apps, second]);
  const p9 = await measured(w, 2, "preview (second app added)", () => cli.preview());
  const touched = changes(p9.json).filter((s) => !s.startsWith("create "));
  c.expect("preview only creates (the second app's resources)", p9.code === 0 && touched.length === 0 && changes(p9.json).length > 0, touched.join("\n") || p9.stderr.slice(-1500));
  const u9 = await measured(w, 2, "up (second app added)", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("up adds the second app", u9.code === 0, u9.stderr.slice(-2000));
  const firstAppWrites = w.github.requests.filter((q) => !/^(GET|HEAD)$/.test(q.method) && new RegExp(`/${app}(-ops)?(/|\\.git|$)`).test(q.path));
  c.equal("nothing of the first app changes: zero GitHub writes to its repositories", firstAppWrites.map((q) => `${q.method} ${q.path}`), []);
  c.expect("the second app's files are in its ops repository", fileInRepo(w, second.opsRepo, "main", TEKTON_FILE) !== undefined);

  process.stdout.write("10. the policy pack\n");
  await policyPack(w, cli);

  // No Argo CD runs for this stack (the loop's stack has the real one): the case of Argo CD being down.
  process.stdout.write("11. pulumi destroy with Argo CD down (a stand-in removes the finalizer, as Tearing down tells an operator to)\n");
  const argocd = argoCdFinalizerStandIn(w.bin.kubectl, w.cluster.kubeconfig);
  c.standIns.push("Argo CD's finalizer in the lifecycle's destroy with Argo CD down (the loop's destroy runs the real one)");
  const d11 = await measured(w, 2, "destroy", () => cli.run(["destroy", "--yes", "--skip-preview"])).finally(() => argocd.stop());
  c.expect("destroy succeeds", d11.code === 0, d11.stderr.slice(-3000));
  c.expect("destroy ends within 3 minutes", d11.seconds < 180, `${d11.seconds} s`);
  const left = [TEKTON_FILE, "cicd/kpack/image.yaml", "cicd/kpack/kustomization.yaml"].filter((f) => fileInRepo(w, ops, opsBranch, f) !== undefined);
  c.expect("Pulumi's files are gone from the ops repository", left.length === 0, left.join("\n"));
  c.expect("the tested revision file stays", (fileInRepo(w, ops, opsBranch, REVISION_FILE) ?? "").includes(tested));
  c.equal("the webhooks are gone", [...w.github.hooks(app), ...w.github.hooks(second.repo)].length, 0);
}

/**
 * The policy pack under the real engine. The CLI runs a Node.js pack through the language host's
 * RunPlugin (NewPolicyAnalyzer, sdk/go/common/resource/plugin/analyzer_plugin.go); a host without it
 * answers "not supported", and the step is then listed as not run, with that error.
 */
async function policyPack(w: World, cli: PulumiCli): Promise<void> {
  const c = w.checks;
  const policyConfig = path.join(w.dir, "policy-config.json");
  fs.writeFileSync(policyConfig, JSON.stringify({ "secret-config-encrypted": { projectDir: cli.projectDir } }));
  const policy = ["--policy-pack", path.join(ROOT, "policy"), "--policy-pack-config", policyConfig];
  const good = await measured(w, 2, "preview --policy-pack", () => cli.run(["preview", ...policy]));
  const unsupported = /policy pack "[^"]*" failed to start: .*not supported/.exec(good.stdout + good.stderr);
  if (unsupported) {
    c.notRun.push(`the policy pack under the real engine: the e2e's Node.js language host (3.68) answers RunPlugin with "not supported": ${unsupported[0]}`);
    return;
  }
  c.expect("preview with the policy pack passes", good.code === 0, good.stderr.slice(-2000) + good.stdout.slice(-2000));
  // What only the policy sees: a secret value typed into a plain setting that lands in an ops file (the
  // commit author's name). The CLI cannot tell it from text; the pack knows the stack's secret values.
  await cli.setConfig("gitAuthorName", WEBHOOK_SECRET);
  const bad = await measured(w, 2, "preview --policy-pack (bad)", () => cli.run(["preview", ...policy]));
  c.expect("a secret value written into an ops file is blocked by the pack", bad.code !== 0 && /no-secrets-in-repository-files/.test(bad.stdout + bad.stderr), (bad.stdout + bad.stderr).slice(-2000));
  await cli.run(["config", "rm", "gitAuthorName"]);
}

/** The same stack with ten apps: how the commands scale, and no perpetual diff there either. */
async function atScale(w: World, apps: number): Promise<void> {
  const cli = await newStack(w, apps);
  process.stdout.write(`12. ${apps} apps\n`);
  const p = await measured(w, apps, "preview (new stack)", () => cli.preview());
  w.checks.expect(`${apps} apps: preview succeeds`, p.code === 0, p.stderr.slice(-2000));
  const u = await measured(w, apps, "up (new stack)", () => cli.run(["up", "--yes", "--skip-preview"]));
  w.checks.expect(`${apps} apps: up succeeds`, u.code === 0, u.stderr.slice(-2000));
  const again = await measured(w, apps, "up (no change)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  w.checks.expect(`${apps} apps: a second up changes nothing`, again.code === 0, again.stderr.slice(-2000));
  const argocd = argoCdFinalizerStandIn(w.bin.kubectl, w.cluster.kubeconfig);
  const d = await measured(w, apps, "destroy", () => cli.run(["destroy", "--yes", "--skip-preview"])).finally(() => argocd.stop());
  w.checks.expect(`${apps} apps: destroy succeeds`, d.code === 0, d.stderr.slice(-2000));
}

/**
 * A program of one's own, copied from the README (two apps sharing one ops repository that the program
 * creates, private repositories), on the packed library's entry (dist/, as `npm pack` ships it): a
 * project folder as a user makes one, with `runtime: nodejs` and nothing else.
 */
async function programFromReadme(w: World): Promise<void> {
  const c = w.checks;
  process.stdout.write("14. a program of one's own, copied from the README, on the library\n");
  const build = await runProcess(process.execPath, [path.join(ROOT, "scripts", "build-lib.js")], { cwd: ROOT });
  if (!c.expect("the library builds (npm run build)", build.code === 0, build.stderr.slice(-2000))) return;
  const projectDir = path.join(w.dir, "project-readme");
  const modules = path.join(projectDir, "node_modules");
  fs.mkdirSync(modules, { recursive: true });
  // The program's node_modules: what `npm install deliberate-image-builds @pulumi/...` gives it.
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  fs.symlinkSync(ROOT, path.join(modules, "deliberate-image-builds"));
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: platform-stack\nruntime: nodejs\n");
  const dependencies = Object.fromEntries(["@pulumi/github", "@pulumi/kubernetes", "@pulumi/pulumi"].map((d) => [d, `^${(JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", d, "package.json"), "utf8")) as { version: string }).version}`]));
  fs.writeFileSync(path.join(projectDir, "package.json"), `${JSON.stringify({ name: "platform-stack", private: true, main: "index.ts", dependencies: { ...dependencies, "deliberate-image-builds": "file:" + ROOT } }, null, 2)}\n`);
  fs.writeFileSync(path.join(projectDir, "index.ts"), readmeSnippet(LIBRARY_HEADING));
  const cli = new PulumiCli(w.bin, projectDir, path.join(projectDir, ".pulumi-run"), { KUBECONFIG: w.cluster.kubeconfig, GITHUB_BASE_URL: `${w.gitHost}/`, ...w.gitEnv });
  await cli.run(["stack", "init", STACK]);
  await cli.setConfig("githubToken", w.token, true);
  await cli.setConfig("webhookSecret", WEBHOOK_SECRET, true);
  for (const app of ["orders", "payments"]) {
    if (!w.github.repositoryNames().includes(app)) await w.github.createRepository(app, { private: true, initialFiles: { "main.go": "package main\n\nfunc main() {}\n" } });
  }
  const preview = await measured(w, 2, "README program: preview", () => cli.preview());
  c.expect("README program: preview succeeds before its ops repository exists", preview.code === 0, (preview.stderr + preview.stdout).slice(-2500));
  const up = await measured(w, 2, "README program: up", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("README program: up succeeds", up.code === 0, (up.stderr + up.stdout).slice(-2500));
  c.expect("README program: the ops repository is made, private", w.github.repositoryNames().includes("platform-ops") && w.github.isPrivate("platform-ops"));
  const files = ["orders", "payments"].flatMap((app) => [`apps/${app}/kpack/revision.yaml`, `apps/${app}/tekton/build-pipeline.yaml`]);
  c.equal("README program: each app's files in its own folder of the one repository", files.filter((f) => fileInRepo(w, "platform-ops", "main", f) === undefined), []);
  const accounts = kubectl(w, "get", "serviceaccounts,secrets", "-n", "builds", "-o", "name");
  c.expect("README program: kpack's credentials and each app's image service account", ["serviceaccount/orders-image-builder", "serviceaccount/payments-image-builder", "secret/kpack-git-credentials"].every((n) => accounts.split("\n").includes(n)), accounts);
  const paths = kubectl(w, "get", "applications.argoproj.io", "-n", "argocd", "-o", "jsonpath={.items[*].spec.source.path}").split(" ").filter((p) => p.startsWith("apps/")).sort();
  c.equal("README program: the Applications apply each app's folder", paths, ["apps/orders/kpack", "apps/orders/tekton", "apps/payments/kpack", "apps/payments/tekton"]);
  const again = await measured(w, 2, "README program: up (no change)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("README program: a second up changes nothing", again.code === 0, (again.stderr + again.stdout).slice(-2500));
  const argocd = argoCdFinalizerStandIn(w.bin.kubectl, w.cluster.kubeconfig);
  const destroy = await measured(w, 2, "README program: destroy", () => cli.run(["destroy", "--yes", "--skip-preview"])).finally(() => argocd.stop());
  c.expect("README program: destroy succeeds and removes the ops repository", destroy.code === 0 && !w.github.repositoryNames().includes("platform-ops"), destroy.stderr.slice(-2000));
}

/** The same commands for a program that only configures the two providers: the floor of the figures. */
async function floor(w: World, apps: number): Promise<void> {
  const cli = await newStack(w, apps, "e2e/providers-only.ts");
  process.stdout.write(`13. the floor: the two providers alone, ${apps} app(s) configured\n`);
  const runs: [string, string[]][] = [
    ["floor: preview", ["preview"]],
    ["floor: up", ["up", "--yes", "--skip-preview"]],
    ["floor: up (no change)", ["up", "--yes", "--skip-preview", "--expect-no-changes"]],
    ["floor: destroy", ["destroy", "--yes", "--skip-preview"]],
  ];
  for (const [label, args] of runs) {
    const r = await measured(w, apps, label, () => cli.run(args));
    w.checks.expect(`${label} (${apps} app(s)) succeeds`, r.code === 0, r.stderr.slice(-1500));
  }
}

/**
 * The e2e's GitHub plugin is the project's own build (e2e/tools/github-provider); its schema, kept by
 * `npm run e2e:tools` beside the binaries, must name what @pulumi/github's SDK sends.
 */
function checkGitHubSchema(w: World): void {
  const schemaFile = path.join(path.dirname(w.bin["pulumi-resource-github"]), "..", "share", "pulumi-resource-github.schema.json");
  if (!fs.existsSync(schemaFile)) {
    w.checks.notRun.push(`the GitHub plugin's schema against @pulumi/github: no ${schemaFile} (a plugin not built by npm run e2e:tools)`);
    return;
  }
  const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as PulumiSchema;
  const sdkDir = path.dirname(require.resolve("@pulumi/github/package.json"));
  const differences = schemaDifferences(schema, sdkDir);
  w.checks.expect("the GitHub plugin's schema has every token and property the program uses of @pulumi/github", differences.length === 0, differences.join("\n"));
}

/**
 * Without the GitHub provider: the cluster side of the same stack through the real CLI, language host,
 * Kubernetes provider and API server (Secrets, credentials, service account; no perpetual diff; a token
 * rotation in place; destroy).
 */
async function clusterSide(w: World): Promise<void> {
  const c = w.checks;
  const cli = await newStack(w, 1, "e2e/cluster-side.ts");
  process.stdout.write("1. pulumi preview of a new stack (cluster side)\n");
  const preview = await measured(w, 1, "preview (new, cluster side)", () => cli.preview());
  c.expect("preview succeeds", preview.code === 0, preview.stderr.slice(-2000) + preview.stdout.slice(-2000));
  c.equal("every resource is a create", [...new Set((preview.json?.steps ?? []).map((s) => s.op))].sort(), ["create"]);

  process.stdout.write("2. pulumi up\n");
  const up = await measured(w, 1, "up (new, cluster side)", () => cli.run(["up", "--yes", "--skip-preview"]));
  c.expect("up succeeds", up.code === 0, up.stderr.slice(-3000) + up.stdout.slice(-3000));
  const inDefault = kubectl(w, "get", "secrets,serviceaccounts", "-n", "default", "-o", "name");
  for (const name of ["secret/github-token", "secret/github-git-credentials", "secret/kpack-git-credentials", "serviceaccount/go-sample-app-image-builder"]) {
    c.expect(`${name} exists`, inDefault.split("\n").includes(name), inDefault);
  }
  c.expect("Argo CD's repository credentials exist", kubectl(w, "get", "secrets", "-n", "argocd", "-o", "name").includes(`secret/repo-creds-${OWNER}`));
  c.equal("github-token holds the token", secretValue(w, "default", "github-token", "GITHUB_TOKEN"), TOKEN);
  const credentials = secretValue(w, "default", "github-git-credentials", ".git-credentials");
  c.expect("git-clone's credentials name the git host and the token", credentials.includes(new URL(w.gitHost).host) && credentials.includes(TOKEN), "(value not shown: it holds the token)");

  process.stdout.write("3. pulumi up again\n");
  const again = await measured(w, 1, "up (no change, cluster side)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("a second up changes nothing", again.code === 0, again.stderr.slice(-2000) + again.stdout.slice(-2000));

  process.stdout.write("4. a token rotation\n");
  const uidBefore = kubectl(w, "get", "secret", "github-token", "-n", "default", "-o", "jsonpath={.metadata.uid}");
  await cli.setConfig("githubToken", ROTATED_TOKEN, true);
  const p4 = await measured(w, 1, "preview (token rotation)", () => cli.preview());
  const steps = changes(p4.json);
  c.expect("preview updates Secrets and replaces nothing", p4.code === 0 && steps.length > 0 && steps.every((s) => s.startsWith("update ")), steps.join("\n"));
  const u4 = await measured(w, 1, "up (token rotation)", () => cli.run(["up", "--yes", "--skip-preview"]));
  const uidAfter = kubectl(w, "get", "secret", "github-token", "-n", "default", "-o", "jsonpath={.metadata.uid}");
  c.expect("the Secret is updated in place (same uid)", u4.code === 0 && uidBefore !== "" && uidBefore === uidAfter, `${uidBefore} -> ${uidAfter}\n${u4.stderr.slice(-1500)}`);
  c.equal("the Secret holds the new token", secretValue(w, "default", "github-token", "GITHUB_TOKEN"), ROTATED_TOKEN);
  c.expect("git-clone's credentials follow the new token", secretValue(w, "default", "github-git-credentials", ".git-credentials").includes(ROTATED_TOKEN));
  const after = await measured(w, 1, "up (no change, rotated)", () => cli.run(["up", "--yes", "--skip-preview", "--expect-no-changes"]));
  c.expect("an up after the rotation changes nothing", after.code === 0, after.stderr.slice(-2000));

  process.stdout.write("5. pulumi destroy\n");
  const d = await measured(w, 1, "destroy (cluster side)", () => cli.run(["destroy", "--yes", "--skip-preview"]));
  c.expect("destroy succeeds", d.code === 0, d.stderr.slice(-2000));
  const left = kubectl(w, "get", "secrets", "-n", "default", "-o", "name");
  c.expect("the Secrets are gone", !/github-token|kpack-git-credentials/.test(left), left);
}

/**
 * A bad stack config value and a bad arg from another resource, as `pulumi preview` shows them: one
 * error each, the message alone (a RunError: no stack trace, no colours from util.inspect), never wrapped
 * in "error serializing property". Needs the Kubernetes provider only, so it runs in both kinds of run.
 */
async function errorsAsUsersSeeThem(w: World): Promise<void> {
  const c = w.checks;
  process.stdout.write("errors as a user sees them\n");
  const cli = await newStack(w, 1, "e2e/user-errors.ts");
  const check = (what: string, r: CliResult & { json?: PreviewJson }, message: string) => {
    // What the user reads: the diagnostics, decoded from the JSON (`pulumi preview --json` prints it on a failed
    // preview too), and anything on stderr.
    const diagnostics = r.json?.diagnostics ?? [];
    const text = `${diagnostics.map((d) => d.message).join("\n")}\n${r.stderr}`;
    const shown = diagnostics.filter((d) => d.severity === "error" && d.message.includes(message)).length;
    c.expect(`${what}: preview fails`, r.code !== 0, text.slice(-2000));
    c.equal(`${what}: the message shown once`, shown, 1);
    c.expect(`${what}: the message alone, no stack trace or ANSI codes, not wrapped`, !/\x1b\[|^\s+at |error serializing property|unhandled exception/m.test(text), text.slice(-3000));
  };
  await cli.setConfig("writeBackAttempts", "0");
  check("a bad config value", await cli.preview(), "invalid stack config (1 problem):\n  - deliberate-image-builds:writeBackAttempts: got");
  await cli.setConfig("writeBackAttempts", "3");
  check("a bad arg from another resource", await cli.preview(), 'BuildNamespace "builds": invalid args (1 problem):\n  - args.namespace: got "Not_A_Label"');
}

/**
 * The pipeline's write-back against the double's git remote, with the ops files laid out as render
 * writes them (the mocks test proves pulumi up writes the same bytes): for runs where pulumi up cannot
 * write them itself.
 */
async function writeBackOnRenderedFiles(w: World): Promise<void> {
  const c = w.checks;
  process.stdout.write("6. the pipeline records a tested commit (ops files as rendered)\n");
  const app = "rendered-app";
  await w.github.createRepository(app, { initialFiles: { "main.go": "package main\n\nfunc main() {}\n" } });
  const initial = await gitAsync(w.dir, "--git-dir", w.github.gitDir(app), "rev-parse", "main");
  const project = path.join(w.dir, "project-rendered");
  fs.mkdirSync(project);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
  const entry = { name: app, repo: app, branch: "main", opsRepo: `${app}-ops`, image: `registry.example.com/${OWNER}/${app}`, initialRevision: initial };
  fs.writeFileSync(path.join(project, `Pulumi.${STACK}.yaml`), stringify({ config: { [`${PROJECT}:githubOwner`]: OWNER, [`${PROJECT}:gitHost`]: w.gitHost, [`${PROJECT}:apps`]: [entry] } }));
  const out = path.join(w.dir, "render-rendered");
  const rendered = renderStack({ projectDir: project, stack: STACK, out });
  const prefix = `repos/${OWNER}/${app}-ops/`;
  const files = Object.fromEntries(rendered.files.filter((f) => f.startsWith(prefix)).map((f) => [f.slice(prefix.length), fs.readFileSync(path.join(out, f), "utf8")]));
  await w.github.createRepository(`${app}-ops`, { initialFiles: files });
  const tested = await developerPush(w, app, "main.go", "package main\n\n// tested\nfunc main() {}\n");
  const step = await runWriteBack({ tektonFile: files[TEKTON_FILE], repoUrl: w.github.gitUrl(app), revision: tested, token: TOKEN, gitEnv: w.gitEnv, dir: path.join(w.dir, "pipeline-run-rendered") });
  c.expect("update-image-revision succeeds against the double's git remote", step.code === 0, `${step.stdout}\n${step.stderr}`);
  const recorded = fileInRepo(w, `${app}-ops`, "main", REVISION_FILE) ?? "";
  c.expect("revision.yaml records the tested commit, quoted", recorded.includes(`revision: "${tested}"`), recorded);
  const again = await runWriteBack({ tektonFile: files[TEKTON_FILE], repoUrl: w.github.gitUrl(app), revision: initial, token: TOKEN, gitEnv: w.gitEnv, dir: path.join(w.dir, "pipeline-run-stale") });
  c.expect("a stale run finishing late leaves the newer revision", again.code === 0 && (fileInRepo(w, `${app}-ops`, "main", REVISION_FILE) ?? "").includes(tested), `${again.stdout}\n${again.stderr}`);
}

async function main(): Promise<number> {
  const { bin, lacking } = findBinaries(process.env, ["pulumi-resource-github", ...CONTROLLERS]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deliberate-e2e-"));
  process.stdout.write(`e2e: run folder ${dir} (logs of every process and command)\n`);
  const checks = new Checks();
  const cluster = await startControlPlane(bin, path.join(dir, "cluster"));
  const certificate = loopbackCertificate(dir);
  // The double listens on plain http behind a TLS front; its answers name the front's URL.
  const doublePort = await freePort();
  const front = await tlsFront(certificate, doublePort);
  const gitHost = `https://127.0.0.1:${front.port}`;
  checks.ranForReal.push("etcd, kube-apiserver (its own PodSecurity admission), kube-controller-manager; the Pulumi CLI, language host and providers");
  checks.standIns.push("GitHub (the GitHub double, on real git repositories)");
  const github = await startGitHubDouble({ root: path.join(dir, "github"), owner: OWNER, token: TOKEN, port: doublePort, publicUrl: gitHost, webhookCa: certificate.certFile });
  const w: World = { bin, dir, cluster, github, front, gitHost, checks, token: TOKEN, gitEnv: { SSL_CERT_FILE: certificate.certFile, GIT_SSL_CAINFO: certificate.certFile } };
  const missing = (tools: readonly Tool[]) => tools.filter((t) => lacking.includes(t));
  const share = path.join(path.dirname(toolsBinDir()), "share");
  let admission: Admission | undefined;
  try {
    // What a cluster with Argo CD, Tekton and kpack installed has: their CRDs (Argo CD's of the release
    // that runs when there is one) and Argo CD's namespace.
    const argoCrds = missing(["argocd"]).length === 0 ? ["-k", path.join(share, "argocd", "manifests", "crds")] : ["-f", path.join(referenceDir(), "crds", "argo-cd", "application-crd.yaml")];
    kubectl(w, "apply", "--server-side", ...argoCrds);
    kubectl(w, "create", "namespace", "argocd");
    const admissionTools = RELEASES.flatMap((r) => r.processes.map((p) => p.bin));
    if (missing(admissionTools).length === 0) {
      process.stdout.write("Tekton's, Triggers' and kpack's webhooks and Triggers' interceptors start\n");
      const started = Date.now();
      admission = await startAdmission({ kubectl: bin.kubectl, kubeconfig: cluster.kubeconfig }, share, (t) => bin[t], dir);
      checks.timings.push({ what: "the releases' webhooks and interceptors installed and ready", seconds: (Date.now() - started) / 1000 });
      checks.ranForReal.push("Tekton's, Triggers' and kpack's webhooks, Triggers' core interceptors");
      for (const r of await refusals({ kubectl: bin.kubectl, kubeconfig: cluster.kubeconfig })) checks.expect(r.what, r.ok, r.detail);
    } else {
      checks.notRun.push(`the admission webhooks (Tekton, Triggers, kpack): not built here: ${missing(admissionTools).join(", ")} (npm run e2e:tools)`);
    }
    await errorsAsUsersSeeThem(w);
    if (!lacking.includes("pulumi-resource-github")) {
      checkGitHubSchema(w);
      const loopTools = missing(CONTROLLERS);
      if (admission && loopTools.length === 0) {
        const figures = await controllerLoop(w, {
          sinkBin: bin["tekton-triggers-eventlistenersink"],
          certificate,
          interceptorsLog: admission.daemons.find((d) => d.name === "tekton-triggers-interceptors")?.log ?? "",
          tekton: { controllerBin: bin["tekton-pipeline-controller"], shareDir: path.join(share, "tekton-pipeline-webhook") },
          kpack: { controllerBin: bin["kpack-controller"], registryBin: bin["kpack-registry"], shareDir: path.join(share, "kpack-controller"), server: cluster.server, caFile: certificate.certFile, logDir: dir },
          startArgoCd: () =>
            startArgoCd({ argocdBin: bin.argocd, gitVerifyWrapper: path.join(share, "argocd", "hack", "git-verify-wrapper.sh"), redisBin: bin["redis-server"], kustomizeDir: path.dirname(bin.kustomize), gitBin: bin.git, kubectl: bin.kubectl, kubeconfig: cluster.kubeconfig, caFile: certificate.certFile, gitHost, crdsDir: path.join(share, "argocd", "manifests", "crds"), dir: path.join(dir, "argocd") }),
        });
        for (const ms of figures.pushToPipelineRunMs) checks.timings.push({ what: "loop: push to PipelineRun", seconds: ms / 1000 });
        for (const ms of figures.writeBackToImageMs) checks.timings.push({ what: "loop: write-back to the Image's new revision", seconds: ms / 1000 });
        for (const ms of figures.kpackBuilderReadyMs) checks.timings.push({ what: "loop: kpack's controller start to its ClusterBuilder Ready", seconds: ms / 1000 });
        for (const ms of figures.imageToBuildMs) checks.timings.push({ what: "loop: the Image at a tested commit to kpack's Build", seconds: ms / 1000 });
        for (const ms of figures.tektonReadyMs) checks.timings.push({ what: "loop: Tekton's controller installed and started to leading", seconds: ms / 1000 });
        for (const ms of figures.runToPodMs) checks.timings.push({ what: "loop: a PipelineRun to its TaskRuns' Pods admitted and checked", seconds: ms / 1000 });
      } else {
        checks.notRun.push(`the loop on the real controllers: not built or installed here: ${loopTools.join(", ") || "the admission webhooks"}`);
      }
      await lifecycle(w);
      await atScale(w, 10);
      for (const apps of [1, 10]) await floor(w, apps);
      await programFromReadme(w);
      checks.equal("the GitHub double answered every request of the whole run (no 501)", github.unimplemented.map((q) => `${q.method} ${q.path}`), []);
    } else {
      process.stdout.write(
        "e2e: no pulumi-resource-github (build it with npm run e2e:tools): the steps that write to GitHub are NOT run;\n" +
          "     the cluster side, the GitHub double and the pipeline's write-back are.\n",
      );
      await clusterSide(w);
      await writeBackOnRenderedFiles(w);
      checks.notRun.push("the full lifecycle with the GitHub provider (preview, up, up again, write-back, refresh, config change, rotation, policy pack, destroy) and the 10-app figures");
    }
  } finally {
    await admission?.stop();
    await front.close();
    await github.close();
    await cluster.stop();
  }
  process.stdout.write(checks.summary());
  if (checks.failed === 0 && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  return checks.failed > 0 ? 1 : checks.notRun.length > 0 ? 3 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.stdout.write("e2e: 0 passed, 1 failed\n");
    process.exitCode = 1;
  },
);
