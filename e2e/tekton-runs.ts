// What Tekton's real controller makes of a PipelineRun, as far as a cluster without a kubelet shows it:
// the TaskRuns, each TaskRun's Pod, admitted or refused by the API server's own PodSecurity admission
// (built into kube-apiserver and on by default) in the build namespace labelled `enforce: restricted`,
// and the affinity assistant's StatefulSet. No kubelet runs here: every admitted Pod stays Pending, and
// no TaskRun finishes, so a run never gets past its first Tasks; the e2e runs the write-back itself
// (pipeline-run.ts). See docs/e2e.md.
import { restrictedSecurityContext, SecurityContext } from "../components/kubernetes/types";
import { Pipeline, Task } from "../components/tekton/types";
import { Checks } from "./checks";
import { apply, getJson, Kube, kubectl, list } from "./controllers/kube";
import { RESTRICTED_FEATURE_FLAGS, TEKTON_NAMESPACE } from "./controllers/tekton-controller";
import { waitFor } from "./processes";

/** The label PodSecurity admission enforces a namespace's level by (k8s.io/pod-security-admission api). */
export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TaskRunObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: { taskRef?: { name?: string } };
  status?: { podName?: string; conditions?: Condition[] };
}

interface PodContainer {
  name: string;
  image: string;
  securityContext?: SecurityContext;
}

export interface TektonPod {
  metadata: { name: string };
  spec: { initContainers?: PodContainer[]; containers: PodContainer[]; securityContext?: Record<string, unknown>; serviceAccountName?: string };
  status?: { phase?: string };
}

interface StatefulSetObject {
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  spec: { template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> } };
}

const succeeded = (o: { status?: { conditions?: Condition[] } } | undefined) => o?.status?.conditions?.find((c) => c.type === "Succeeded");

/** The TaskRuns Tekton made for a PipelineRun (its `tekton.dev/pipelineRun` label). */
export async function taskRunsOf(k: Kube, namespace: string, pipelineRun: string): Promise<TaskRunObject[]> {
  return (await list<TaskRunObject>(k, "taskruns.tekton.dev", namespace)).filter((t) => t.metadata.labels?.["tekton.dev/pipelineRun"] === pipelineRun);
}

/** The Pod of a TaskRun, once Tekton has made it and written its name into the TaskRun's status. */
export async function podOf(k: Kube, namespace: string, taskRun: string, timeoutMs = 60_000, log?: string): Promise<{ taskRun?: TaskRunObject; pod?: TektonPod }> {
  let tr: TaskRunObject | undefined;
  let pod: TektonPod | undefined;
  await waitFor(`the Pod of TaskRun ${taskRun}`, async () => {
    tr = await getJson<TaskRunObject>(k, "taskruns.tekton.dev", taskRun, namespace);
    // A refused Pod ends the TaskRun: no Pod will come.
    if (succeeded(tr)?.status === "False") return true;
    pod = tr?.status?.podName ? await getJson<TektonPod>(k, "pods", tr.status.podName, namespace) : undefined;
    return !!pod;
  }, timeoutMs, log).catch(() => undefined);
  return { taskRun: tr, pod };
}

/**
 * What `set-security-context` gives every container Tekton adds (pkg/pod/security_context_config.go
 * LinuxSecurityContext): with the Pod's `runAsNonRoot`, what `restricted` asks of a container.
 */
export const TEKTON_INIT_SECURITY_CONTEXT: SecurityContext = (({ allowPrivilegeEscalation, capabilities, runAsNonRoot, seccompProfile }) => ({ allowPrivilegeEscalation, capabilities, runAsNonRoot, seccompProfile }))(restrictedSecurityContext());

/**
 * Each of the Pod's containers with what the e2e expects of it: Tekton's init containers carry the images
 * the controller was given and the security context of `set-security-context`; each step container
 * (`step-<name>`) the image and security context of the Task's step (stepTemplate merged, as Tekton does).
 */
export function podDifferences(pod: TektonPod, task: Task, images: Record<string, string>): string[] {
  const out: string[] = [];
  const expectedInit: Record<string, string> = { prepare: images["-entrypoint-image"], "place-scripts": images["-shell-image"], "working-dir-initializer": images["-workingdirinit-image"] };
  const init = pod.spec.initContainers ?? [];
  if (!init.some((c) => c.name === "prepare")) out.push(`no init container "prepare" (Tekton's entrypoint) among ${init.map((c) => c.name).join(", ") || "none"}`);
  for (const c of init) {
    if (!(c.name in expectedInit)) out.push(`init container ${c.name}: not one Tekton adds`);
    else if (c.image !== expectedInit[c.name]) out.push(`init container ${c.name}: image ${c.image}, expected ${expectedInit[c.name]}`);
    if (JSON.stringify(c.securityContext) !== JSON.stringify(TEKTON_INIT_SECURITY_CONTEXT)) out.push(`init container ${c.name}: securityContext ${JSON.stringify(c.securityContext)}, expected ${JSON.stringify(TEKTON_INIT_SECURITY_CONTEXT)}`);
  }
  for (const step of task.spec.steps) {
    const c = pod.spec.containers.find((x) => x.name === `step-${step.name}`);
    if (!c) {
      out.push(`no container step-${step.name}`);
      continue;
    }
    if (c.image !== step.image) out.push(`step-${step.name}: image ${c.image}, expected ${step.image}`);
    const expected = { ...task.spec.stepTemplate.securityContext, ...(step.securityContext ?? {}) };
    if (JSON.stringify(sorted(c.securityContext ?? {})) !== JSON.stringify(sorted(expected))) out.push(`step-${step.name}: securityContext ${JSON.stringify(c.securityContext)}, expected ${JSON.stringify(expected)}`);
  }
  return out;
}

function sorted(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The feature flags as the controller reads them (the ConfigMap it watches), for the ones the e2e sets. */
export async function featureFlagsSet(k: Kube): Promise<string[]> {
  const cm = await getJson<{ data?: Record<string, string> }>(k, "configmaps", "feature-flags", TEKTON_NAMESPACE);
  return Object.entries(RESTRICTED_FEATURE_FLAGS).filter(([key, value]) => cm?.data?.[key] !== value).map(([key, value]) => `${key} is ${JSON.stringify(cm?.data?.[key])}, expected ${JSON.stringify(value)}`);
}

/**
 * The affinity assistant Tekton made for a PipelineRun's volumeClaimTemplate workspace (coschedule:
 * workspaces), and whether its Pod would be admitted: no StatefulSet controller runs here, so its Pod
 * template is sent to the API server as a Pod (server-side dry run: every admission plugin, PodSecurity
 * too, judges it; nothing is stored).
 */
export async function affinityAssistantAdmission(k: Kube, namespace: string, pipelineRun: string): Promise<{ name?: string; refusal?: string }> {
  const sets = (await list<StatefulSetObject>(k, "statefulsets.apps", namespace)).filter((s) => s.metadata.ownerReferences?.some((o) => o.kind === "PipelineRun" && o.name === pipelineRun));
  if (sets.length === 0) return {};
  const s = sets[0];
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `${s.metadata.name}-0`, namespace, labels: s.spec.template.metadata?.labels }, spec: s.spec.template.spec };
  const refusal = await kubectl(k, ["create", "--dry-run=server", "-f", "-"], JSON.stringify(pod)).then(() => undefined, (err: Error) => err.message);
  return { name: s.metadata.name, refusal };
}

/**
 * A planted Task: a copy of `task` whose first step runs as root, and a TaskRun of it as the pipeline's
 * service account. Tekton's webhook admits both (a root step is valid Tekton); the API server must refuse
 * the Pod, and Tekton records that refusal in the TaskRun's Succeeded condition (taskrun.go
 * handlePodCreationError: isPodAdmissionFailed → reason PodAdmissionFailed, the API server's message).
 */
export async function plantRootStep(k: Kube, c: Checks, task: Task, serviceAccount: string, podTemplate: Record<string, unknown>, log: string): Promise<{ message: string; pod?: TektonPod }> {
  const name = `${task.metadata.name}-as-root`;
  const namespace = task.metadata.namespace ?? "default";
  const [first, ...rest] = task.spec.steps;
  const planted: Task = {
    ...task,
    metadata: { name, namespace },
    spec: { ...task.spec, steps: [{ ...first, securityContext: { ...(first.securityContext ?? {}), runAsUser: 0, runAsNonRoot: false } }, ...rest] },
  };
  await apply(k, [{ apiVersion: planted.apiVersion, kind: planted.kind, metadata: { name, namespace }, spec: planted.spec }]);
  const { taskRun: tr, pod } = await taskRunOf(k, name, planted, serviceAccount, podTemplate, log);
  const condition = succeeded(tr);
  c.expect(`tekton: a planted Task step running as root: Tekton's webhook admits the Task and TaskRun, the API server refuses the Pod (TaskRun ${name}: reason PodAdmissionFailed)`, !pod && condition?.status === "False" && condition.reason === "PodAdmissionFailed", JSON.stringify(condition ?? tr?.status ?? "no TaskRun"));
  return { message: condition?.message ?? "", pod };
}

/** The Task a Pipeline runs first (no runAfter, a Task of the namespace by name), from the API server. */
export async function firstTask(k: Kube, pipeline: Pipeline): Promise<Task> {
  const pt = pipeline.spec.tasks.find((t) => !t.runAfter?.length && "name" in t.taskRef);
  const name = pt && "name" in pt.taskRef ? pt.taskRef.name : undefined;
  if (!name) throw new Error(`e2e: Pipeline ${pipeline.metadata.name} runs no Task of its namespace first: ${JSON.stringify(pipeline.spec.tasks.map((t) => t.taskRef))}`);
  const task = await getJson<Task>(k, "tasks.tekton.dev", name, pipeline.metadata.namespace);
  if (!task) throw new Error(`e2e: no Task ${name} in ${pipeline.metadata.namespace}, which Pipeline ${pipeline.metadata.name} runs first`);
  return task;
}

/** A TaskRun of `task` as the pipeline's runs make one (its service account and pod template), and what came of it. */
async function taskRunOf(k: Kube, name: string, task: Task, serviceAccount: string, podTemplate: Record<string, unknown>, log: string): Promise<{ taskRun?: TaskRunObject; pod?: TektonPod }> {
  const namespace = task.metadata.namespace ?? "default";
  const params = (task.spec.params ?? []).filter((p) => p.default === undefined).map((p) => ({ name: p.name, value: "control" }));
  const workspaces = (task.spec.workspaces ?? []).map((w) => ({ name: w.name, emptyDir: {} }));
  await apply(k, [{ apiVersion: "tekton.dev/v1", kind: "TaskRun", metadata: { name, namespace }, spec: { taskRef: { name: task.metadata.name }, serviceAccountName: serviceAccount, podTemplate, params, workspaces } }]);
  return podOf(k, namespace, name, 60_000, log);
}

async function setFeatureFlag(k: Kube, key: string, value: string): Promise<void> {
  await kubectl(k, ["patch", "configmap", "feature-flags", "-n", TEKTON_NAMESPACE, "--type=merge", "-p", JSON.stringify({ data: { [key]: value } })]);
}

/**
 * The same Task run with the release's own `set-security-context` ("false") and then with the e2e's
 * ("true"): the first Pod must be refused for Tekton's init containers, the second admitted. The
 * controller reads the ConfigMap through a watch, so each is tried until the controller acts on the
 * value just set (a few attempts, a second apart).
 */
export async function securityContextFlagMatters(k: Kube, task: Task, serviceAccount: string, podTemplate: Record<string, unknown>, log: string): Promise<{ refusal?: string; admitted?: TektonPod }> {
  const names: string[] = [];
  const attempt = async (value: string, done: (r: { taskRun?: TaskRunObject; pod?: TektonPod }) => boolean) => {
    await setFeatureFlag(k, "set-security-context", value);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const name = `${task.metadata.name}-flag-${value}-${i}`.slice(0, 63);
      names.push(name);
      const r = await taskRunOf(k, name, task, serviceAccount, podTemplate, log);
      if (done(r)) return r;
    }
    return undefined;
  };
  const refused = await attempt("false", (r) => succeeded(r.taskRun)?.reason === "PodAdmissionFailed");
  const admitted = await attempt(RESTRICTED_FEATURE_FLAGS["set-security-context"], (r) => !!r.pod);
  // Pending TaskRuns would be reconciled for an hour: the controls go once they have said what they say.
  await kubectl(k, ["delete", "taskruns.tekton.dev", "-n", task.metadata.namespace ?? "default", "--wait=false", ...names]);
  return { refusal: refused ? succeeded(refused.taskRun)?.message : undefined, admitted: admitted?.pod };
}

/**
 * What Tekton made of a PipelineRun: every TaskRun it started has a Pod the API server admitted in the
 * restricted namespace, Pending (no kubelet), whose containers are Tekton's init containers with the
 * controller's images and `set-security-context`, and the Task's steps as the API server holds the Task;
 * the affinity assistant's Pod passes admission too. Returns the TaskRuns' Pods.
 */
export async function expectRunAdmitted(k: Kube, c: Checks, o: { namespace: string; pipelineRun: string; serviceAccount: string; images: Record<string, string>; log: string }): Promise<TektonPod[]> {
  let runs: TaskRunObject[] = [];
  await waitFor(`TaskRuns of ${o.pipelineRun}`, async () => (runs = await taskRunsOf(k, o.namespace, o.pipelineRun)).length > 0, 120_000, o.log).catch(() => undefined);
  const pr = await getJson<{ spec?: { taskRunSpecs?: { pipelineTaskName: string; serviceAccountName: string }[] }; status?: { conditions?: Condition[] } }>(k, "pipelineruns.tekton.dev", o.pipelineRun, o.namespace);
  if (!c.expect(`tekton: the controller starts TaskRuns for PipelineRun ${o.pipelineRun}`, runs.length > 0, JSON.stringify(succeeded(pr) ?? pr?.status ?? "no PipelineRun"))) return [];
  const pods: TektonPod[] = [];
  for (const run of runs) {
    const label = `${o.pipelineRun}'s TaskRun ${run.metadata.labels?.["tekton.dev/pipelineTask"] ?? run.metadata.name}`;
    const { taskRun, pod } = await podOf(k, o.namespace, run.metadata.name, 60_000, o.log);
    if (!c.expect(`tekton: ${label}: its Pod exists, admitted by the API server's PodSecurity under restricted`, !!pod, JSON.stringify(succeeded(taskRun) ?? taskRun?.status ?? "no TaskRun"))) continue;
    const p = pod as TektonPod;
    pods.push(p);
    c.equal(`tekton: ${label}: its Pod is Pending (no kubelet runs it)`, p.status?.phase, "Pending");
    // The run janitor alone runs as an account of its own (the PipelineRun's taskRunSpecs).
    const own = pr?.spec?.taskRunSpecs?.find((t) => t.pipelineTaskName === run.metadata.labels?.["tekton.dev/pipelineTask"])?.serviceAccountName;
    c.equal(`tekton: ${label}: its Pod runs as the pipeline's service account${own ? " (the janitor: its own)" : ""}`, p.spec.serviceAccountName, own ?? o.serviceAccount);
    const taskName = run.spec.taskRef?.name;
    const task = taskName ? await getJson<Task>(k, "tasks.tekton.dev", taskName, o.namespace) : undefined;
    c.equal(`tekton: ${label}: Tekton's init containers carry the controller's images and set-security-context, the steps the Task's images and security context`, task ? podDifferences(p, task, o.images) : [`no Task ${taskName ?? "by name"} in ${o.namespace}`], []);
  }
  const aa = await affinityAssistantAdmission(k, o.namespace, o.pipelineRun);
  c.expect(`tekton: ${o.pipelineRun}'s affinity assistant's Pod (StatefulSet ${aa.name ?? "none"}; no StatefulSet controller runs here, so its template is sent as a Pod, server-side dry run) is admitted under restricted`, !!aa.name && aa.refusal === undefined, aa.refusal ?? "no affinity assistant StatefulSet for the run");
  return pods;
}
