// The loop this project exists for, on upstream code: a push to the app repository reaches the real
// EventListener sink through the GitHub double's webhook delivery; Triggers' github and cel
// interceptors pass it; the sink creates the PipelineRun as the listener's service account; the run's
// write-back (no kubelet runs its pods: the e2e runs the step's script with the run's params and the Task
// as the API server holds them) records the commit; Argo CD syncs the ops repository, so the kpack
// Image (admitted by kpack's webhook) moves to the tested commit, and only then; kpack's own controller
// makes a Build for exactly that commit, and rebuilds it when the stack's run image or a buildpack
// changes. No kubelet runs kpack's build pods either: the kubelet stand-in marks each one finished, as
// kpack reads a finished pod (e2e/controllers/kubelet-stand-in.ts). See docs/e2e.md.
import * as fs from "fs";
import * as path from "path";
import { GITHUB_TOKEN_SECRET, objectNames } from "../components/plan/names";
import { opsLayout, REVISION_FILE } from "../components/plan/ops-repository";
import { OWN_OPS_PATH } from "../components/plan/ops-folders";
import { Pipeline, Task, TriggerTemplate } from "../components/tekton/types";
import { gitAsync } from "../tests/helpers/git-world";
import { ArgoCd, syncedAndHealthy } from "./argocd";
import { auditedCreates } from "./control-plane";
import { getJson, Kube, kubectl, list } from "./controllers/kube";
import { startSink } from "./controllers/listener";
import { startTektonController } from "./controllers/tekton-controller";
import { KpackBuilds, KpackOptions, revisionOf } from "./kpack-builds";
import { PipelineRunObjects, runPipelineWriteBack, RunEnvironment } from "./pipeline-run";
import { movesNeverGoBack } from "./moves";
import { statusesAndPullRequests } from "./pull-requests";
import { canI, FORBIDDEN, plantIntoOpsFolder } from "./security";
import { ENFORCE_LABEL, expectRunAdmitted, featureFlagsSet, firstTask, plantRootStep, securityContextFlagMatters } from "./tekton-runs";
import { freePort, waitFor } from "./processes";
import { LoopbackCertificate, tlsFront } from "./tls";
import { appWithRepositories, developerPush, developerPushRef, editApps, fileInRepo, measured, newStack, NODE_SAMPLE_APP, secretValue, World } from "./world";

const APP = "loop-app";
/** The loop's second app, of another language: the GitHub double's Node.js sample (world.ts NODE_SAMPLE_APP). */
const NODE_APP = "loop-node-app";
/**
 * The loop's build namespace: one of its own, made before the first `up` as an operator makes it (the
 * stack labels a namespace it is given, never `default`: `pod-security.kubernetes.io/enforce: restricted`).
 */
const NAMESPACE = "loop-builds";

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string;
}

interface PipelineRunObject {
  metadata: Metadata;
  spec: { pipelineRef: { name: string }; params: { name: string; value: string }[] };
}

interface ImageObject {
  metadata: Metadata & { generation?: number };
  spec: { builder: { kind: string; name: string }; source: { git: { url: string; revision: string } } };
  status?: { observedGeneration?: number };
}

const ofApp = (app: string) => (o: { metadata: Metadata }) => o.metadata.labels?.["app.kubernetes.io/name"] === app;
const byApp = ofApp(APP);

async function pipelineRuns(k: Kube, app = APP): Promise<PipelineRunObject[]> {
  return (await list<PipelineRunObject>(k, "pipelineruns.tekton.dev", NAMESPACE)).filter(ofApp(app));
}

async function image(k: Kube, app = APP): Promise<ImageObject | undefined> {
  return (await list<ImageObject>(k, "images.kpack.io", NAMESPACE)).filter(ofApp(app))[0];
}

function param(run: PipelineRunObject, name: string): string | undefined {
  return run.spec.params.find((p) => p.name === name)?.value;
}

/** The sink answers GitHub at once and runs its triggers after; this long is "no run came of it". */
const NO_RUN_WINDOW_MS = 8_000;
/**
 * After Argo CD's comparison that left the Image alone: this long for kpack to act on anything it saw.
 * kpack re-resolves only a branch or tag (SourceResolver polling, pkg/reconciler/sourceresolver); a
 * revision that is a commit is resolved once, so nothing but a changed Image would make a Build.
 */
const NO_BUILD_WINDOW_MS = 10_000;

export interface LoopFigures {
  pushToPipelineRunMs: number[];
  writeBackToImageMs: number[];
  /** kpack's controller started to its ClusterBuilder Ready (the builder image written to the registry). */
  kpackBuilderReadyMs: number[];
  /** The Image at a newly tested commit to kpack's Build for it. */
  imageToBuildMs: number[];
  /** Tekton's controller installed and started to leading its PipelineRun reconciler. */
  tektonReadyMs: number[];
  /** A PipelineRun seen in the API server to its first TaskRun's Pod admitted. */
  runToPodMs: number[];
}

/** Lines of a process's log that match, so far. */
function logLines(log: string, pattern: RegExp): number {
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => pattern.test(l)).length : 0;
}

/** What Triggers' interceptors log when they stop an event (pkg/interceptors/server Interceptor response). */
const REFUSED_BY_CEL = /Continue:false Status:\{Code:FailedPrecondition Message:expression body\.ref == 'refs\/heads\/main'/;
const REFUSED_SIGNATURE = /Continue:false Status:\{Code:FailedPrecondition Message:payload signature check failed/;

export interface LoopOptions {
  startArgoCd: () => Promise<ArgoCd>;
  sinkBin: string;
  certificate: LoopbackCertificate;
  /** The interceptors' log, where their refusals show (the sink answers 202 before they run). */
  interceptorsLog: string;
  /** kpack's controller and the e2e's registry. */
  kpack: KpackOptions;
  /** Tekton Pipelines' controller: its binary and `<tools>/share/tekton-pipeline-webhook` (the release's config/). */
  tekton: { controllerBin: string; shareDir: string };
}

export async function controllerLoop(w: World, o: LoopOptions): Promise<LoopFigures> {
  const c = w.checks;
  const k: Kube = { kubectl: w.bin.kubectl, kubeconfig: w.cluster.kubeconfig };
  const figures: LoopFigures = { pushToPipelineRunMs: [], writeBackToImageMs: [], kpackBuilderReadyMs: [], imageToBuildMs: [], tektonReadyMs: [], runToPodMs: [] };
  // The listener's public URL: TLS in front of the sink, as an ingress would put it; known before up.
  const sinkPort = await freePort();
  const front = await tlsFront(o.certificate, sinkPort);
  const cli = await newStack(w, 1, "index.ts", () => APP);
  editApps(cli, (apps) => apps.map((a) => ({ ...a, namespace: NAMESPACE, webhookUrl: `https://127.0.0.1:${front.port}/` })));
  await kubectl(k, ["create", "namespace", NAMESPACE]);
  let argocd: ArgoCd | undefined;
  const stops: (() => Promise<void>)[] = [() => front.close()];
  try {
    process.stdout.write("L1. pulumi up, then the real Argo CD syncs the ops repository\n");
    const up = await measured(w, 1, "loop: up", () => cli.run(["up", "--yes", "--skip-preview"]));
    if (!c.expect("loop: up succeeds", up.code === 0, up.stderr.slice(-3000))) return figures;
    argocd = await o.startArgoCd();
    c.ranForReal.push("Argo CD (application-controller, repo-server)");
    stops.unshift(argocd.stop);
    process.stdout.write(`  Argo CD ready in ${(argocd.readyMs / 1000).toFixed(1)} s\n`);
    const names = objectNames({ name: APP, namespace: NAMESPACE, imageTag: "" });
    const applications = [names.imageApplication, names.tektonApplication];
    for (const name of applications) {
      const status = await argocd.waitForApplication(name, syncedAndHealthy, 180_000).catch((err: Error) => err);
      c.expect(`loop: Argo CD syncs ${name}: Synced, Healthy or Progressing`, !(status instanceof Error), status instanceof Error ? status.message : "");
    }
    const listeners = (await list<{ metadata: Metadata }>(k, "eventlisteners.triggers.tekton.dev", NAMESPACE)).filter(byApp);
    const tasks = (await list<Task>(k, "tasks.tekton.dev", NAMESPACE)).map((t) => t.metadata.name);
    c.expect("loop: the EventListener and the Tasks of cicd/tekton are in the cluster, admitted by Tekton's and Triggers' webhooks", listeners.length === 1 && tasks.includes(names.task), `${listeners.length} listener(s); tasks ${tasks.join(", ")}`);
    const initial = await image(k);
    const firstRevision = (await gitAsync(w.dir, "--git-dir", w.github.gitDir(APP), "rev-list", "--max-parents=0", "main")).trim();
    c.equal("loop: the kpack Image (admitted by kpack's webhook) is at the initial revision", initial?.spec.source.git.revision, firstRevision);
    if (listeners.length !== 1 || !initial) return figures;

    process.stdout.write("L1, kpack: its own controller builds the Image's initial revision\n");
    const kpackStarted = Date.now();
    const kpack = await KpackBuilds.start(k, c, NAMESPACE, o.kpack);
    c.ranForReal.push("kpack's controller");
    stops.unshift(() => kpack.stop());
    c.equal("loop: the Image names a ClusterBuilder", initial.spec.builder.kind, "ClusterBuilder");
    const builder = await kpack.installBuilder(initial.spec.builder.name).catch((err: Error) => err);
    if (!(builder instanceof Error)) figures.kpackBuilderReadyMs.push(Date.now() - kpackStarted);
    c.expect(`loop: the ClusterBuilder ${initial.spec.builder.name} (ClusterStack, ClusterStore, ClusterLifecycle admitted by kpack's webhook) is Ready: kpack wrote its builder image to the e2e's registry`, !(builder instanceof Error), builder instanceof Error ? builder.message : "");
    if (builder instanceof Error) return figures;
    const imageName = initial.metadata.name;
    const firstBuild = await kpack.next(imageName, "the initial revision");
    /** kpack's next Build once the Image is at a tested commit, timed from then. */
    const buildOfTested = async (what: string) => {
      const started = Date.now();
      const build = await kpack.next(imageName, what);
      if (build) figures.imageToBuildMs.push(Date.now() - started);
      return build;
    };
    const resolved = (await kpack.sourceResolver(imageName))?.status?.source?.git;
    // kpack reports a repository it could not list as `Unknown` and builds anyway: that must not pass.
    c.equal("loop: kpack's SourceResolver read the app repository (over the GitHub double's TLS, with the Image's git Secret): the revision is a Commit", resolved?.type, "Commit");
    await kpack.expectBuild("for the initial revision", firstBuild, { reason: "CONFIG", revision: firstRevision });

    process.stdout.write("L1s. the project's accounts, asked of the API server's authorizer\n");
    const accounts = [names.pipelineServiceAccount, names.triggersServiceAccount, `${APP}-image-builder`].map((name) => ({ namespace: NAMESPACE, name }));
    for (const account of accounts) {
      for (const { verb, resource, namespaces } of FORBIDDEN) {
        for (const ns of namespaces) {
          c.equal(`loop: ${account.name} may not ${verb} ${resource} ${ns === undefined ? "in any namespace" : `in ${ns}`}`, await canI(k, account, verb, resource, ns), false);
        }
      }
    }
    const listenerAccount = { namespace: NAMESPACE, name: names.triggersServiceAccount };
    c.equal("loop: the listener may create PipelineRuns in its namespace (the authorizer says yes where it should)", await canI(k, listenerAccount, "create", "pipelineruns.tekton.dev", NAMESPACE), true);
    c.equal("loop: the listener may not create PipelineRuns in another namespace", await canI(k, listenerAccount, "create", "pipelineruns.tekton.dev", "kube-system"), false);
    const project = await getJson<{ spec: { namespaceResourceWhitelist: unknown[]; clusterResourceWhitelist?: unknown[] } }>(k, "appprojects.argoproj.io", names.appProject, "argocd");
    c.expect("loop: the Applications' AppProject exists, allowing no cluster-scoped kind", !!project && (project.spec.clusterResourceWhitelist ?? []).length === 0, JSON.stringify(project?.spec));

    process.stdout.write("L1t. Tekton's own controller starts; the build namespace enforces the restricted Pod Security Standard\n");
    const tektonStarted = Date.now();
    const tekton = await startTektonController(k, { bin: o.tekton.controllerBin, shareDir: o.tekton.shareDir, server: w.cluster.server, logDir: w.dir });
    figures.tektonReadyMs.push(Date.now() - tektonStarted);
    stops.unshift(tekton.stop);
    c.ranForReal.push("Tekton Pipelines' controller (PipelineRun to TaskRuns to Pods, each Pod admitted or refused by the API server's PodSecurity)");
    c.standIns.push("the kubelet (no Pod runs: Tekton's TaskRun Pods stay Pending; kpack's build Pods are finished by the kubelet stand-in)", "the run's clone and write-back step, run by the e2e itself from the API server's objects");
    const namespace = await getJson<{ metadata: { labels?: Record<string, string> } }>(k, "namespaces", NAMESPACE);
    c.equal(`tekton: the build namespace ${NAMESPACE} carries ${ENFORCE_LABEL}: restricted (set by the stack)`, namespace?.metadata.labels?.[ENFORCE_LABEL], "restricted");
    c.equal("tekton: the controller's feature flags are what restricted needs (set-security-context)", await featureFlagsSet(k), []);
    const pipeline = await getJson<Pipeline>(k, "pipelines.tekton.dev", names.pipeline, NAMESPACE);
    const template = await getJson<TriggerTemplate>(k, "triggertemplates.triggers.tekton.dev", names.triggerTemplate, NAMESPACE);
    if (!pipeline || !template) throw new Error(`e2e: no Pipeline ${names.pipeline} or TriggerTemplate ${names.triggerTemplate} in ${NAMESPACE}`);
    // What the listener's runs give every TaskRun's Pod: the run's pod template, as the API server holds it.
    const podTemplate: Record<string, unknown> = template.spec.resourcetemplates[0].spec.taskRunTemplate.podTemplate;
    const task = await firstTask(k, pipeline);
    const flag = await securityContextFlagMatters(k, task, names.pipelineServiceAccount, podTemplate, tekton.daemon.log);
    c.expect(`tekton: with the release's own set-security-context ("false"), the API server refuses the Pod of the pipeline's first Task (${task.metadata.name}) for Tekton's init container prepare`, /violates PodSecurity "restricted:latest": .*containers? [^)]*"prepare"/.test(flag.refusal ?? ""), flag.refusal ?? "no refusal");
    c.expect("tekton: with set-security-context: true, the same Pod is admitted", !!flag.admitted);
    process.stdout.write(`  API server, Tekton's init containers under the release's feature flags: ${flag.refusal ?? "(no refusal)"}\n`);
    const rootStep = await plantRootStep(k, c, task, names.pipelineServiceAccount, podTemplate, tekton.daemon.log);
    c.expect("tekton: the refusal Tekton records is the API server's PodSecurity admission, naming the root step", /violates PodSecurity "restricted:latest": .*runAsUser=0 \(container "step-[^"]+" must not set runAsUser=0\)/.test(rootStep.message), rootStep.message);
    process.stdout.write(`  API server, on the planted root step (as the TaskRun's condition records it): ${rootStep.message}\n`);

    process.stdout.write("L2. a push reaches the real EventListener\n");
    const sink = await startSink(k, { bin: o.sinkBin, server: w.cluster.server, namespace: NAMESPACE, name: listeners[0].metadata.name, port: sinkPort, logDir: w.dir });
    c.ranForReal.push("Triggers' EventListener sink");
    stops.unshift(sink.stop);
    /** A developer's push to `main` of the app (a change to one file), and the PipelineRun its listener started. */
    const pushAndRun = async (label: string, app = { name: APP, file: "main.go", content: `package main\n\n// ${label}\nfunc main() {}\n`, sinkLog: sink.daemon.log }): Promise<{ sha: string; run?: PipelineRunObject }> => {
      const before = new Set((await pipelineRuns(k, app.name)).map((r) => r.metadata.name));
      const sha = await developerPush(w, app.name, app.file, app.content);
      let run: PipelineRunObject | undefined;
      await waitFor(`a PipelineRun for ${label}`, async () => {
        run = (await pipelineRuns(k, app.name)).find((r) => !before.has(r.metadata.name));
        return !!run;
      }, 60_000, app.sinkLog).catch(() => undefined);
      const found = Date.now();
      const delivered = await w.github.awaitDeliveries(1, 15_000, { repo: app.name, after: sha }).catch((err: Error) => err);
      const ok = !(delivered instanceof Error) && delivered[0].statusCode === 202;
      c.expect(`loop: ${label}: the double delivered the push and the listener accepted it (202)`, ok, delivered instanceof Error ? delivered.message : `${delivered[0].statusCode} ${delivered[0].error ?? ""}`);
      // From the moment the push moved main (the delivery's trigger) to the PipelineRun seen in the API server.
      if (run && !(delivered instanceof Error)) figures.pushToPipelineRunMs.push(found - delivered[0].triggeredAt);
      return { sha, run };
    };
    const first = await pushAndRun("a first tested change");
    c.expect("loop: the push created a PipelineRun", !!first.run, fs.readFileSync(sink.daemon.log, "utf8").slice(-2000));
    if (!first.run) return figures;
    c.equal("loop: the PipelineRun carries the pushed commit", param(first.run, "revision"), first.sha);
    c.equal("loop: the PipelineRun clones the app's repository", param(first.run, "repo-url"), w.github.gitUrl(APP));
    const creator = auditedCreates(w.cluster, "pipelineruns").find((a) => a.name === first.run?.metadata.name);
    c.equal("loop: the listener's own service account created it", creator?.username, sink.serviceAccount);

    process.stdout.write("L2t. Tekton's controller runs the PipelineRun: its TaskRuns' Pods, admitted under restricted\n");
    const runSeen = Date.now();
    const admitted = await expectRunAdmitted(k, c, { namespace: NAMESPACE, pipelineRun: first.run.metadata.name, serviceAccount: names.pipelineServiceAccount, images: tekton.images, log: tekton.daemon.log });
    if (admitted.length > 0) figures.runToPodMs.push(Date.now() - runSeen);
    process.stdout.write(
      `  no kubelet runs here: ${admitted.map((p) => `Pod ${p.metadata.name} (${(p.spec.initContainers ?? []).map((x) => x.name).join(", ")}; ${p.spec.containers.map((x) => x.name).join(", ")})`).join(", ") || "no Pod"} stays Pending,\n` +
        "  so its TaskRun never finishes and the run goes no further; the e2e runs the clone and the write-back itself (L3)\n",
    );

    for (const [label, ref] of [["a push to another branch", "refs/heads/feature"], ["a tag", "refs/tags/v0.1.0"]] as const) {
      const before = (await pipelineRuns(k)).length;
      const refusals = logLines(o.interceptorsLog, REFUSED_BY_CEL);
      await developerPushRef(w, APP, ref);
      const delivered = await w.github.awaitDeliveries(1, 15_000, { repo: APP, ref }).catch((err: Error) => err);
      await new Promise((r) => setTimeout(r, NO_RUN_WINDOW_MS));
      c.expect(`loop: ${label} is delivered to the listener`, !(delivered instanceof Error) && delivered[0].statusCode === 202, delivered instanceof Error ? delivered.message : `${delivered[0].statusCode} ${delivered[0].error ?? ""}`);
      c.equal(`loop: ${label}: the cel interceptor stops it`, logLines(o.interceptorsLog, REFUSED_BY_CEL) - refusals, 1);
      c.equal(`loop: ${label} starts no PipelineRun`, (await pipelineRuns(k)).length, before);
    }
    {
      const before = (await pipelineRuns(k)).length;
      const refusals = logLines(o.interceptorsLog, REFUSED_SIGNATURE);
      const original = w.github.deliveries().find((d) => d.ref === "refs/heads/main" && d.after === first.sha);
      const forged = original ? await w.github.testOnlyRedeliver(original.id, { signatureSecret: "not-the-webhook-secret" }) : undefined;
      await new Promise((r) => setTimeout(r, NO_RUN_WINDOW_MS));
      c.expect("loop: a delivery with a bad signature reaches the listener", forged?.statusCode === 202, JSON.stringify(forged?.error ?? forged?.statusCode));
      c.equal("loop: a delivery with a bad signature: the github interceptor refuses it", logLines(o.interceptorsLog, REFUSED_SIGNATURE) - refusals, 1);
      c.equal("loop: a delivery with a bad signature starts no PipelineRun", (await pipelineRuns(k)).length, before);
    }

    process.stdout.write("L3. the run's write-back, from the PipelineRun and Task in the API server\n");
    /** A run's params, its Pipeline and its Tasks as the API server holds them now. */
    const runObjects = async (run: PipelineRunObject): Promise<PipelineRunObjects> => {
      const pipeline = await getJson<Pipeline>(k, "pipelines.tekton.dev", run.spec.pipelineRef.name, NAMESPACE);
      if (!pipeline) throw new Error(`e2e: no Pipeline ${run.spec.pipelineRef.name}`);
      const taskNames = pipeline.spec.tasks.flatMap((t) => (t.taskRef && "name" in t.taskRef ? [(t.taskRef as { name: string }).name] : []));
      const tasks = (await list<Task>(k, "tasks.tekton.dev", NAMESPACE)).filter((t) => taskNames.includes(t.metadata.name ?? ""));
      return { params: Object.fromEntries(run.spec.params.map((p) => [p.name, p.value])), pipeline, tasks };
    };
    /** What the run's pods would have: the write-back's Secret key by key; git-clone reads with the read token. */
    const runEnvironment = (dir: string): RunEnvironment => {
      const secrets = Object.fromEntries([GITHUB_TOKEN_SECRET.key, GITHUB_TOKEN_SECRET.readKey].map((key) => [key, secretValue(w, NAMESPACE, GITHUB_TOKEN_SECRET.name, key)]));
      return { token: secrets[GITHUB_TOKEN_SECRET.readKey], secrets, gitEnv: w.gitEnv, dir: path.join(w.dir, dir) };
    };
    const writeBack = async (run: PipelineRunObject, dir: string) => runPipelineWriteBack(await runObjects(run), runEnvironment(dir));
    const step = await writeBack(first.run, "loop-run-1");
    c.expect("loop: update-image-revision succeeds", step.code === 0, `${step.stdout}\n${step.stderr}`);
    const ops = `${APP}-ops`;
    c.expect("loop: revision.yaml records the tested commit", (fileInRepo(w, ops, "main", REVISION_FILE) ?? "").includes(first.sha));
    // The controller and the e2e's runner share no object: the run's status is the controller's alone.
    const runStatus = (await getJson<{ status?: { conditions?: { type: string; status: string; reason?: string }[] } }>(k, "pipelineruns.tekton.dev", first.run.metadata.name, NAMESPACE))?.status?.conditions?.find((x) => x.type === "Succeeded");
    c.equal("tekton: the PipelineRun stays as its controller reports it, Running (its Pods never run; the e2e's write-back reads and writes none of its status)", [runStatus?.status, runStatus?.reason], ["Unknown", "Running"]);

    process.stdout.write("L4. Argo CD moves the Image to the tested commit\n");
    const imageAt = async (sha: string, timeoutMs: number, app = APP) => {
      const started = Date.now();
      const ok = await waitFor(`the Image at ${sha}`, async () => (await image(k, app))?.spec.source.git.revision === sha, timeoutMs).then(() => true, () => false);
      return { ok, ms: Date.now() - started };
    };
    const moved = await imageAt(first.sha, 240_000);
    if (moved.ok) figures.writeBackToImageMs.push(moved.ms);
    c.expect("loop: the Image's revision is the tested commit", moved.ok, JSON.stringify((await image(k))?.spec.source.git));
    await kpack.expectBuild("for the tested commit", await buildOfTested("the tested commit"), { reason: "COMMIT", revision: first.sha });

    process.stdout.write("L4s. the ops repository grants no rights: Argo CD refuses what the AppProject does not allow\n");
    const planted = await plantIntoOpsFolder(w, k, argocd, { opsRepo: ops, folder: opsLayout(OWN_OPS_PATH).tekton, application: names.tektonApplication, namespace: NAMESPACE, names });
    c.expect("loop: Argo CD refuses a committed ClusterRoleBinding (\"not permitted in project\")", /resource rbac\.authorization\.k8s\.io:ClusterRoleBinding is not permitted in project/.test(planted.message), planted.message);
    c.expect("loop: Argo CD refuses a committed Secret", /resource :Secret is not permitted in project/.test(planted.message), planted.message);
    c.expect("loop: Argo CD refuses an object in another namespace", /namespace kube-system is not permitted in project/.test(planted.message), planted.message);
    c.equal("loop: no planted object reaches the API server", planted.reached, []);
    c.expect("loop: once the planted file is gone, the folder syncs clean at the next retry", planted.cleanSynced);
    process.stdout.write(`  Argo CD: ${planted.message}\n`);

    process.stdout.write("L5. a run that fails before the write-back leaves the Image where it was\n");
    const second = await pushAndRun("a change whose lint fails");
    c.expect("loop: the push created a PipelineRun", !!second.run);
    // No write-back: the run failed at lint. Argo CD's next comparison must leave the Image alone.
    const runFailedAt = Date.now();
    const opsHead = (await gitAsync(w.dir, "--git-dir", w.github.gitDir(ops), "rev-parse", "main")).trim();
    const resynced = await argocd
      .waitForApplication(names.imageApplication, (s) => Date.parse(s.reconciledAt ?? "") > runFailedAt + 1000 && s.sync?.revision === opsHead && s.sync?.status === "Synced", 240_000)
      .then(() => true, () => false);
    c.expect("loop: Argo CD has compared the ops repository's head with the cluster again since", resynced);
    c.equal("loop: the Image stays at the last tested commit", (await image(k))?.spec.source.git.revision, first.sha);
    await new Promise((r) => setTimeout(r, NO_BUILD_WINDOW_MS));
    const still = await image(k);
    c.expect("loop: kpack has reconciled the Image as it is (observed generation is the Image's generation)", !!still && still.status?.observedGeneration === still.metadata.generation, JSON.stringify({ generation: still?.metadata.generation, observed: still?.status?.observedGeneration }));
    c.equal("loop: kpack's SourceResolver stays at the last tested commit", (await kpack.sourceResolver(imageName))?.status?.source?.git?.revision, first.sha);
    c.equal("loop: kpack never makes a Build for the commit whose run failed", (await kpack.builds(imageName)).filter((b) => revisionOf(b) === second.sha).map((b) => b.metadata.name), []);
    c.equal("loop: kpack makes no other Build either", (await kpack.builds(imageName)).length, kpack.made.length);

    process.stdout.write("L6s. commit statuses on push runs, and pull requests (e2e/pull-requests.ts)\n");
    const passed = { "fetch-repository": "Succeeded", lint: "Succeeded", test: "Succeeded", "update-image-revision": "Succeeded" };
    await statusesAndPullRequests({ w, k, app: APP, namespace: NAMESPACE }, c, [
      { label: "a first tested change", run: first.run, sha: first.sha, ends: passed, outcome: step.results.outcome },
      ...(second.run ? [{ label: "a change whose lint fails", run: second.run, sha: second.sha, ends: { ...passed, lint: "Failed", test: "None", "update-image-revision": "None" } }] : []),
    ]);

    process.stdout.write("L6. the next tested push moves the Image again\n");
    const third = await pushAndRun("a second tested change");
    if (third.run) {
      const r3 = await writeBack(third.run, "loop-run-3");
      c.expect("loop: update-image-revision succeeds again", r3.code === 0, `${r3.stdout}\n${r3.stderr}`);
      const again = await imageAt(third.sha, 240_000);
      if (again.ok) figures.writeBackToImageMs.push(again.ms);
      c.expect("loop: the Image moves to the newly tested commit", again.ok);
      await kpack.expectBuild("for the newly tested commit", await buildOfTested("the newly tested commit"), { reason: "COMMIT", revision: third.sha });

      process.stdout.write("L7. kpack rebuilds the tested commit when the stack's run image, then a buildpack, changes\n");
      const setup = kpack.setup;
      const images = kpack.registry.images;
      // Each change as an operator makes it, through kpack's webhook; a refusal is a failed check, not a crash.
      const change = async (what: string, resource: string, name: string, spec: Record<string, unknown>) => {
        const done = await kubectl(k, ["patch", resource, name, "--type=merge", "-p", JSON.stringify({ spec })]).then(() => true, (err: Error) => err);
        return c.expect(`loop: kpack's webhook admits ${what}`, done === true, done instanceof Error ? done.message : "");
      };
      if (setup && (await change("a new run image on the ClusterStack", "clusterstacks.kpack.io", setup.stack, { runImage: { image: images.runImages[1] } }))) {
        await kpack.expectBuild("for a new run image on the ClusterStack", await kpack.next(imageName, "the new run image"), { reason: "STACK", revision: third.sha, rebase: true });
        const sources = Object.keys(images.buildpackages).sort().map((version) => ({ image: images.buildpackages[version] }));
        if (await change("a newer buildpack in the ClusterStore", "clusterstores.kpack.io", setup.store, { sources })) {
          await kpack.expectBuild("for a newer buildpack in the ClusterStore", await kpack.next(imageName, "the newer buildpack"), { reason: "BUILDPACK", revision: third.sha });
        }
      }
      // Had the stand-in reported another run image, lifecycle or buildpacks than the builder's, kpack would rebuild at once.
      await new Promise((r) => setTimeout(r, NO_BUILD_WINDOW_MS));
      c.equal("loop: kpack makes no further Build once the last one succeeded", (await kpack.builds(imageName)).length, kpack.made.length);
    }
    process.stdout.write(`  kpack's Builds of ${imageName}:\n${kpack.summary().map((l) => `    ${l}\n`).join("")}`);

    if (third.run) {
      process.stdout.write("L7m. moves never take the Image back: another ops branch, then a folder of a shared ops repository\n");
      await movesNeverGoBack(w, c, {
        cli,
        argocd,
        app: APP,
        namespace: NAMESPACE,
        ops,
        tested: [firstRevision, first.sha, third.sha],
        imageRevision: async () => (await image(k))?.spec.source.git.revision,
        imageApplication: names.imageApplication,
        runBefore: await runObjects(third.run),
        runEnvironment,
      });
    }

    process.stdout.write("L7n. a second app of another language, Node.js, next to the Go one: push, its listener, its run's Pods under restricted, the write-back, Argo CD, the Image\n");
    {
      const nodeSinkPort = await freePort();
      const nodeFront = await tlsFront(o.certificate, nodeSinkPort);
      stops.push(() => nodeFront.close());
      const entry = await appWithRepositories(w, NODE_APP, NODE_SAMPLE_APP);
      let apps = 0;
      editApps(cli, (before) => {
        const after = [...before, { ...entry, namespace: NAMESPACE, language: "node", webhookUrl: `https://127.0.0.1:${nodeFront.port}/` }];
        apps = after.length;
        return after;
      });
      const upNode = await measured(w, apps, "loop: up (a Node.js app joins)", () => cli.run(["up", "--yes", "--skip-preview"]));
      c.expect("loop: up adds the Node.js app", upNode.code === 0, upNode.stderr.slice(-2000));
      const nodeNames = objectNames({ name: NODE_APP, namespace: NAMESPACE, imageTag: "" });
      for (const name of [nodeNames.imageApplication, nodeNames.tektonApplication]) {
        const status = await argocd.waitForApplication(name, syncedAndHealthy, 180_000).catch((err: Error) => err);
        c.expect(`loop: Argo CD syncs ${name}: Synced, Healthy or Progressing`, !(status instanceof Error), status instanceof Error ? status.message : "");
      }
      const nodePipeline = await getJson<Pipeline>(k, "pipelines.tekton.dev", nodeNames.pipeline, NAMESPACE);
      const nodeTasks = (await list<Task>(k, "tasks.tekton.dev", NAMESPACE)).filter((t) => nodePipeline?.spec.tasks.some((pt) => "name" in pt.taskRef && pt.taskRef.name === t.metadata.name));
      const nodeImages = [...new Set(nodeTasks.flatMap((t) => t.spec.steps.map((st) => st.image)))];
      c.expect("loop: the Node.js app's Pipeline lints and tests on the node image (its language's preset)", nodeImages.some((i) => /^docker\.io\/library\/node:/.test(i)) && !nodeImages.some((i) => /golang/.test(i)), nodeImages.join(", "));
      const nodeInitial = await image(k, NODE_APP);
      c.equal("loop: the Node.js app's Image is at its initial revision", nodeInitial?.spec.source.git.revision, entry.initialRevision);
      const nodeListener = (await list<{ metadata: Metadata }>(k, "eventlisteners.triggers.tekton.dev", NAMESPACE)).find(ofApp(NODE_APP));
      if (nodeListener && nodeInitial) {
        const nodeSink = await startSink(k, { bin: o.sinkBin, server: w.cluster.server, namespace: NAMESPACE, name: nodeListener.metadata.name, port: nodeSinkPort, logDir: w.dir });
        stops.unshift(nodeSink.stop);
        const pushed = await pushAndRun("a tested change to the Node.js app", { name: NODE_APP, file: "index.js", content: "exports.greet = (name) => `hello, ${name}`;\n// tested\n", sinkLog: nodeSink.daemon.log });
        c.expect("loop: the Node.js app's push created a PipelineRun", !!pushed.run);
        if (pushed.run) {
          c.equal("loop: the Node.js app's PipelineRun carries the pushed commit", param(pushed.run, "revision"), pushed.sha);
          await expectRunAdmitted(k, c, { namespace: NAMESPACE, pipelineRun: pushed.run.metadata.name, serviceAccount: nodeNames.pipelineServiceAccount, images: tekton.images, log: tekton.daemon.log });
          const r = await runPipelineWriteBack(await runObjects(pushed.run), runEnvironment("loop-node-run"));
          c.expect("loop: the Node.js app's update-image-revision succeeds", r.code === 0, `${r.stdout}\n${r.stderr}`);
          const at = await imageAt(pushed.sha, 240_000, NODE_APP);
          if (at.ok) figures.writeBackToImageMs.push(at.ms);
          c.expect("loop: Argo CD moves the Node.js app's Image to its tested commit", at.ok, JSON.stringify((await image(k, NODE_APP))?.spec.source.git));
        }
      }
    }

    process.stdout.write("L8. pulumi destroy, with the real Argo CD deleting what it applied\n");
    const d = await measured(w, 1, "loop: destroy", () => cli.run(["destroy", "--yes", "--skip-preview"]));
    c.expect("loop: destroy succeeds (Argo CD itself removes the Applications' finalizer)", d.code === 0, d.stderr.slice(-2000));
    const left = [
      ...(await list<{ metadata: Metadata }>(k, "eventlisteners.triggers.tekton.dev", NAMESPACE)).filter((o) => byApp(o) || ofApp(NODE_APP)(o)),
      ...(await list<{ metadata: Metadata }>(k, "images.kpack.io", NAMESPACE)).filter((o) => byApp(o) || ofApp(NODE_APP)(o)),
    ];
    c.equal("loop: what Argo CD applied is gone with the Applications", left.map((o) => o.metadata.name), []);
  } finally {
    for (const stop of stops) await stop();
  }
  return figures;
}
