// A check run by hand (`npx ts-node --transpile-only e2e/argocd-try.ts`) that e2e/argocd.ts runs the
// real Argo CD: a control plane, the GitHub double behind TLS, an ops repository with one ConfigMap in
// cicd/kpack, the repo-creds Secret and the kpack Application as the stack plans them; Argo CD syncs
// the Application, then deletes the ConfigMap and takes its own finalizer off when the Application
// is deleted. Exits 1 on the first failed check; prints the times. Needs `npm run e2e:tools` and redis-server.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT } from "../components/config/errors";
import { settingsFromPulumiConfig } from "../components/config/parse";
import { planStack, plainSecretValues } from "../components/plan/stack";
import { opsLayout } from "../components/plan/ops-repository";
import { gitAsync } from "../tests/helpers/git-world";
import { kubectlOf, startArgoCd, syncedAndHealthy, ArgoCd } from "./argocd";
import { toYamlStream } from "./argocd-manifests";
import { findBinaries, searchPath, toolsBinDir } from "./binaries";
import { startControlPlane, ControlPlane } from "./control-plane";
import { startGitHubDouble, GitHubDouble } from "./github-double";
import { freePort } from "./processes";
import { loopbackCertificate, tlsFront, TlsFront } from "./tls";

const OWNER = "example-org";
const APP = "go-sample-app";
// Obviously fake: the double accepts it, nothing else does.
const TOKEN = "ghp_fake_argocd_try_token_000000000000000";
const CONFIG_MAP = "argocd-try-settings";

function located(file: string, how: string): string {
  if (!fs.existsSync(file)) throw new Error(`argocd-try: not found: ${file} (${how})`);
  return file;
}

function onPath(name: string): string {
  const dirs = searchPath();
  const hit = dirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
  if (!hit) throw new Error(`argocd-try: ${name} not found in ${dirs.join(", ")}`);
  return hit;
}

/**
 * The release's hack/git-verify-wrapper.sh: beside the CRDs when e2e:tools shares it, else in the Go
 * module cache the argocd binary was built from (the module and version of e2e/tools/pins.env).
 */
function gitVerifyWrapper(share: string): string {
  const pins = fs.readFileSync(path.join(__dirname, "tools", "pins.env"), "utf8");
  const pin = (key: string) => new RegExp(`^${key}=(\\S+)$`, "m").exec(pins)?.[1] ?? "";
  // The module cache spells capitals as `!` and the lower-case letter.
  const escaped = (p: string) => p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const modCache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  const candidates = [
    path.join(share, "hack", "git-verify-wrapper.sh"),
    path.join(modCache, `${escaped(pin("ARGOCD_MODULE"))}@${pin("ARGOCD_VERSION")}`, "hack", "git-verify-wrapper.sh"),
  ];
  const hit = candidates.find((f) => fs.existsSync(f));
  if (!hit) throw new Error(`argocd-try: git-verify-wrapper.sh not found in ${candidates.join(" or ")} (npm run e2e:tools downloads the module)`);
  return hit;
}

function check(what: string, ok: boolean, detail = ""): void {
  process.stdout.write(`${ok ? "ok  " : "FAIL"} ${what}\n`);
  if (!ok) throw new Error(`argocd-try: ${what}${detail ? `\n${detail}` : ""}`);
}

async function main(): Promise<void> {
  const { bin } = findBinaries(process.env, ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-github"]);
  const tools = toolsBinDir();
  const buildHow = "build it with npm run e2e:tools";
  const argocdBin = located(path.join(tools, "argocd"), buildHow);
  located(path.join(tools, "kustomize"), buildHow);
  const share = path.join(tools, "..", "share", "argocd");
  const crdsDir = located(path.join(share, "manifests", "crds"), buildHow);
  const redisBin = onPath("redis-server");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deliberate-argocd-try-"));
  process.stdout.write(`argocd-try: run folder ${dir}\n`);
  let cluster: ControlPlane | undefined;
  let front: TlsFront | undefined;
  let github: GitHubDouble | undefined;
  let argocd: ArgoCd | undefined;
  try {
    cluster = await startControlPlane(bin, path.join(dir, "cluster"));
    const kubectl = kubectlOf(bin.kubectl, cluster.kubeconfig);
    const certificate = loopbackCertificate(dir);
    const doublePort = await freePort();
    front = await tlsFront(certificate, doublePort);
    const gitHost = `https://127.0.0.1:${front.port}`;
    github = await startGitHubDouble({ root: path.join(dir, "github"), owner: OWNER, token: TOKEN, port: doublePort, publicUrl: gitHost });

    // The stack's plan for one app, from config as `pulumi config set` stores it.
    await github.createRepository(APP, { initialFiles: { "main.go": "package main\n\nfunc main() {}\n" } });
    const initialRevision = await gitAsync(dir, "--git-dir", github.gitDir(APP), "rev-parse", "main");
    const key = (k: string) => `${PROJECT}:${k}`;
    const settings = settingsFromPulumiConfig(
      {
        [key("githubOwner")]: OWNER,
        [key("gitHost")]: gitHost,
        [key("githubToken")]: TOKEN,
        [key("webhookSecret")]: "fake-argocd-try-webhook-secret",
        [key("apps")]: JSON.stringify([{ name: APP, repo: APP, branch: "main", opsRepo: `${APP}-ops`, image: `registry.example.com/${OWNER}/${APP}`, initialRevision }]),
      },
      PROJECT,
    );
    const plan = planStack(settings, plainSecretValues({ githubToken: TOKEN, webhookSecret: "fake-argocd-try-webhook-secret" }));
    const [kpackApplication] = plan.apps[0].applications;
    const credentials = plan.credentials.argocd;
    if (!credentials) throw new Error("argocd-try: the plan has no repo-creds Secret (privateRepositories off?)");
    const destination = kpackApplication.spec.destination.namespace;

    // The ops repository: a kustomization with one ConfigMap where the kpack Application looks.
    const kpackDir = opsLayout(settings.apps[0].opsPath).kpack;
    check("the kpack Application applies the ops repository's kpack folder", kpackApplication.spec.source.path === kpackDir, kpackApplication.spec.source.path);
    await github.createRepository(`${APP}-ops`, {
      private: true,
      initialFiles: {
        [`${kpackDir}/kustomization.yaml`]: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - settings.yaml\n",
        [`${kpackDir}/settings.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${CONFIG_MAP}\ndata:\n  greeting: hello\n`,
      },
    });
    const opsHead = await gitAsync(dir, "--git-dir", github.gitDir(`${APP}-ops`), "rev-parse", "main");

    const t0 = Date.now();
    argocd = await startArgoCd({
      argocdBin,
      gitVerifyWrapper: gitVerifyWrapper(share),
      redisBin,
      kustomizeDir: tools,
      gitBin: bin.git,
      kubectl: bin.kubectl,
      kubeconfig: cluster.kubeconfig,
      caFile: certificate.certFile,
      gitHost,
      crdsDir,
      dir: path.join(dir, "argocd"),
    });
    const startMs = Date.now() - t0;
    process.stdout.write(`Argo CD ready in ${(startMs / 1000).toFixed(1)} s (logs under ${path.join(dir, "argocd")})\n`);

    // What pulumi up applies: the repo-creds Secret, then the Application.
    await kubectl(["apply", "--server-side", "-f", "-"], toYamlStream([credentials]));
    const t1 = Date.now();
    await kubectl(["apply", "--server-side", "-f", "-"], toYamlStream([kpackApplication]));
    const name = kpackApplication.metadata.name ?? "";
    const synced = await argocd.waitForApplication(name, syncedAndHealthy, 180_000);
    const syncMs = Date.now() - t1;
    process.stdout.write(`Application ${name} Synced/${synced.health?.status} in ${(syncMs / 1000).toFixed(1)} s\n`);
    check("Argo CD synced the ops branch's head", synced.sync?.revision === opsHead, `${synced.sync?.revision} vs ${opsHead}`);
    check("the automated sync operation succeeded", synced.operationState?.phase === "Succeeded", JSON.stringify(synced.operationState));
    const live = await kubectl(["get", "configmap", CONFIG_MAP, "-n", destination, "-o", "json"]);
    const liveCm = JSON.parse(live) as { data?: Record<string, string>; metadata: { annotations?: Record<string, string> } };
    check(`Argo CD applied the ConfigMap to ${destination}`, liveCm.data?.greeting === "hello", live);
    check("with Argo CD's tracking annotation", (liveCm.metadata.annotations?.["argocd.argoproj.io/tracking-id"] ?? "").startsWith(`${name}:`), live);
    const gitRequests = github.requests.filter((q) => q.path.startsWith(`/${OWNER}/${APP}-ops.git/`));
    check("the repo-server fetched over https with the repo-creds token", gitRequests.some((q) => q.status === 200), gitRequests.map((q) => `${q.method} ${q.path} ${q.status}`).join("\n"));

    const t2 = Date.now();
    await kubectl(["delete", "applications.argoproj.io", name, "-n", argocd.namespace, "--wait=false"]);
    await argocd.waitForApplicationGone(name, 120_000);
    const deleteMs = Date.now() - t2;
    process.stdout.write(`Application deleted (finalizer run by Argo CD) in ${(deleteMs / 1000).toFixed(1)} s\n`);
    const left = await kubectl(["get", "configmap", CONFIG_MAP, "-n", destination, "--ignore-not-found", "-o", "name"]);
    check("Argo CD deleted the ConfigMap before taking its finalizer off", left.trim() === "", left);
    process.stdout.write(`argocd-try: passed. start→ready ${(startMs / 1000).toFixed(1)} s, created→Synced ${(syncMs / 1000).toFixed(1)} s, delete→gone ${(deleteMs / 1000).toFixed(1)} s\n`);
  } finally {
    await argocd?.stop();
    await front?.close();
    await github?.close();
    await cluster?.stop();
  }
  if (!process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => (process.exitCode = 0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
