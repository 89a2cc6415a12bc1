// What Tekton's real controller makes of a PipelineRun, as far as a cluster without a kubelet shows it:
// the TaskRuns, each TaskRun's Pod, admitted or refused by the API server's own PodSecurity admission
// (built into kube-apiserver and on by default) in the build namespace labelled `enforce: restricted`,
// and the affinity assistant's StatefulSet. No kubelet runs here: every admitted Pod stays Pending, and
// no TaskRun finishes, so a run never gets past its first Tasks; the e2e runs the write-back itself
// (pipeline-run.ts). See docs/e2e.md.
import { restrictedSecurityContext, SecurityContext } from "../components/kubernetes/types";
import { Task } from "../components/tekton/types";
import { Checks } from "./checks";
import { apply, getJson, Kube, kubectl, list } from "./controllers/kube";
import { RESTRICTED_FEATURE_FLAGS } from "./controllers/tekton-controller";
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
  const template = (task.spec as { stepTemplate?: { securityContext?: SecurityContext; image?: string } }).stepTemplate;
  for (const step of task.spec.steps) {
    const c = pod.spec.containers.find((x) => x.name === `step-${step.name}`);
    if (!c) {
      out.push(`no container step-${step.name}`);
      continue;
    }
    const image = step.image || template?.image;
    if (c.image !== image) out.push(`step-${step.name}: image ${c.image}, expected ${image}`);
    const expected = { ...(template?.securityContext ?? {}), ...(step.securityContext ?? {}) };
    if (JSON.stringify(sorted(c.securityContext ?? {})) !== JSON.stringify(sorted(expected))) out.push(`step-${step.name}: securityContext ${JSON.stringify(c.securityContext)}, expected ${JSON.stringify(expected)}`);
  }
  return out;
}

function sorted(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The feature flags as the controller reads them (the ConfigMap it watches), for the ones the e2e sets. */
export async function featureFlagsSet(k: Kube, namespace: string): Promise<string[]> {
  const cm = await getJson<{ data?: Record<string, string> }>(k, "configmaps", "feature-flags", namespace);
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
  const params = task.spec.params.filter((p) => p.default === undefined).map((p) => ({ name: p.name, value: "planted" }));
  const workspaces = (task.spec.workspaces ?? []).map((w) => ({ name: w.name, emptyDir: {} }));
  const taskRun = { apiVersion: "tekton.dev/v1", kind: "TaskRun", metadata: { name, namespace }, spec: { taskRef: { name }, serviceAccountName: serviceAccount, podTemplate, params, workspaces } };
  await apply(k, [planted as never, taskRun as never]);
  const { taskRun: tr, pod } = await podOf(k, namespace, name, 60_000, log);
  const condition = succeeded(tr);
  c.expect(`tekton: a planted Task step running as root: Tekton's webhook admits the Task and TaskRun, the API server refuses the Pod (TaskRun ${name}: reason PodAdmissionFailed)`, !pod && condition?.status === "False" && condition.reason === "PodAdmissionFailed", JSON.stringify(condition ?? tr?.status ?? "no TaskRun"));
  return { message: condition?.message ?? "", pod };
}
