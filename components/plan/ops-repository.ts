import { StackSettings, AppSettings } from "../config/settings";
import { imageKustomization, ImageRevisionPatch, imageRevisionPatch, kpackImage, Kustomization } from "../kpack/image";
import { Ingress, listenerIngress } from "../kubernetes/ingress";
import { KubernetesObject } from "../kubernetes/types";
import { checkTask } from "../tekton/check-task";
import { gitCloneTask } from "../tekton/git-clone";
import { buildPipeline } from "../tekton/pipeline";
import { AppCheckSteps, customSteps, presetSteps } from "../tekton/presets";
import { buildTriggerTemplate, pushEventListener, pushTriggerBinding } from "../tekton/triggers";
import { updateImageRevisionTask } from "../tekton/update-image-revision";
import { GIT_CREDENTIALS_SECRET, GITHUB_TOKEN_SECRET, ObjectNames, WEBHOOK_SECRET_KEY } from "./names";
import { OWN_OPS_PATH } from "./ops-folders";
import { opsPath as opsPathProblem } from "../config/validators";

/** The app's folders of the ops repository, one per Argo CD Application, and the files in them. */
export function opsLayout(opsPath: string) {
  const kpack = `${opsPath}/kpack`;
  const tekton = `${opsPath}/tekton`;
  return {
    kpack,
    tekton,
    kustomization: `${kpack}/kustomization.yaml`,
    image: `${kpack}/image.yaml`,
    /** The tested revision: the only file the pipeline writes. */
    revision: `${kpack}/revision.yaml`,
    /** Everything build-pipeline needs but rights: Task, Pipeline, trigger objects, EventListener. */
    tektonFile: `${tekton}/build-pipeline.yaml`,
  };
}

/** The files of an app alone on its ops repository, in the folder installs before opsPath used. */
const OWN = opsLayout(OWN_OPS_PATH);
export const KPACK_FOLDER = OWN.kpack;
export const REVISION_FILE = OWN.revision;
export const TEKTON_FILE = OWN.tektonFile;

/** Whether a path of an ops repository is an app's revision.yaml, in whichever folder the app has. */
export function isRevisionFilePath(path: string): boolean {
  return path.endsWith("/kpack/revision.yaml") && !opsPathProblem(path.slice(0, -"/kpack/revision.yaml".length));
}

/** Where a file lives in an ops repository under githubOwner. */
export interface RepoFileLocation {
  repository: string;
  branch: string;
  path: string;
}

/** A document an ops file holds: a Kubernetes object Argo CD applies, or kustomize's own file. */
export type OpsDocument = KubernetesObject | Kustomization;

interface PlannedFile extends RepoFileLocation {
  owner: string;
}

/** Every `pulumi up` writes this file; its documents in order. */
export interface PulumiOwnedFile extends PlannedFile {
  ownedBy: "pulumi";
  documents: readonly OpsDocument[];
}

/**
 * revision.yaml, the tested revision: Pulumi creates it once, from `initialRevision` or from what the
 * repository holds, and never changes it again; the pipeline rewrites it.
 */
export interface RevisionFile extends PlannedFile {
  ownedBy: "pipeline";
  documents: readonly [ImageRevisionPatch];
}

/**
 * A file of the ops repository as typed objects; it becomes YAML only where it is written
 * (synth/ops-file.ts: the GitHub file's content, render).
 */
export type RepoFile = PulumiOwnedFile | RevisionFile;

export function locationOf(file: RepoFileLocation): RepoFileLocation {
  return { repository: file.repository, branch: file.branch, path: file.path };
}

export function sameLocation(a: RepoFileLocation, b: RepoFileLocation): boolean {
  return a.repository === b.repository && a.branch === b.branch && a.path === b.path;
}

/** The revision kpack builds, as revision.yaml records it. */
export function testedRevisionOf(file: RevisionFile): string {
  return file.documents[0].spec.source.git.revision;
}

/** The same revision.yaml, recording another revision. */
export function withTestedRevision(file: RevisionFile, testedRevision: string): RevisionFile {
  const { name, namespace } = file.documents[0].metadata;
  return { ...file, documents: [imageRevisionPatch({ name, namespace, testedRevision })] };
}

/** The Kubernetes objects among ops files' documents: all but kustomize's own file. */
export function kubernetesObjectsIn(files: readonly RepoFile[]): KubernetesObject[] {
  return files.flatMap((f) => f.documents).filter((d): d is KubernetesObject => d.kind !== "Kustomization");
}

/** The app's revision.yaml among its ops files. */
export function revisionFileOf(files: readonly RepoFile[]): RevisionFile {
  const found = files.find((f): f is RevisionFile => f.ownedBy === "pipeline");
  if (!found) throw new Error(`no revision.yaml among the planned files`);
  return found;
}

export function cloneUrl(stack: StackSettings, repository: string): string {
  return `${stack.gitHost}/${stack.githubOwner}/${repository}.git`;
}

/** Every file this app's ops repository holds, each as the objects it commits (text only in synth/ops-file.ts). */
export function opsRepositoryFiles(stack: StackSettings, app: AppSettings, names: ObjectNames): RepoFile[] {
  const ns = app.namespace;
  const paths = opsLayout(app.opsPath);
  const at = { owner: stack.githubOwner, repository: app.opsRepository, branch: app.opsBranch };
  const file = (path: string, documents: OpsDocument | OpsDocument[]): PulumiOwnedFile => ({
    ...at,
    path,
    ownedBy: "pulumi",
    documents: Array.isArray(documents) ? documents : [documents],
  });
  const image = kpackImage({
    name: names.kpackImage,
    namespace: ns,
    app: app.name,
    tag: app.imageTag,
    builder: app.builder,
    serviceAccountName: app.imageServiceAccount.name,
    gitUrl: cloneUrl(stack, app.repo),
  });
  const steps = appCheckSteps(app);
  const check = (which: "lint" | "test", name: string) => {
    const step = steps[which];
    return step ? [checkTask({ name, namespace: ns, app: app.name, check: which, step })] : [];
  };
  return [
    file(paths.kustomization, imageKustomization("image.yaml", "revision.yaml", names.kpackImage)),
    file(paths.image, image),
    {
      ...at,
      path: paths.revision,
      ownedBy: "pipeline",
      documents: [imageRevisionPatch({ name: names.kpackImage, namespace: ns, testedRevision: app.initialRevision })],
    },
    // One file, so one commit: Argo CD never applies a Pipeline without the Tasks it runs.
    file(paths.tektonFile, [
      updateImageRevisionTask({
        name: names.task,
        namespace: ns,
        app: app.name,
        image: stack.writeBack.image,
        opsRepositoryUrl: cloneUrl(stack, app.opsRepository),
        appRepositoryUrl: cloneUrl(stack, app.repo),
        revisionFile: paths.revision,
        opsBranch: app.opsBranch,
        maxAttempts: stack.writeBack.maxAttempts,
        authorName: stack.writeBack.authorName,
        authorEmail: stack.writeBack.authorEmail,
        tokenSecret: GITHUB_TOKEN_SECRET,
      }),
      // The clone pulls the write-back's image: one pinned image with git for the whole pipeline.
      gitCloneTask({ name: names.cloneTask, namespace: ns, app: app.name, image: stack.writeBack.image }),
      ...check("lint", names.lintTask),
      ...check("test", names.testTask),
      buildPipeline({
        name: names.pipeline,
        namespace: ns,
        app: app.name,
        tasks: { clone: names.cloneTask, ...(steps.lint ? { lint: names.lintTask } : {}), test: names.testTask, writeBack: names.task },
        opsBranch: app.opsBranch,
        submodules: app.submodules,
      }),
      pushTriggerBinding({ name: names.triggerBinding, namespace: ns, app: app.name }),
      buildTriggerTemplate({
        name: names.triggerTemplate,
        namespace: ns,
        app: app.name,
        pipeline: names.pipeline,
        runPrefix: names.pipelineRunPrefix,
        serviceAccount: names.pipelineServiceAccount,
        tokenSecret: GITHUB_TOKEN_SECRET,
        credentialsSecret: GIT_CREDENTIALS_SECRET.name,
        workspaceSize: "1Gi",
      }),
      pushEventListener({
        name: names.eventListener,
        namespace: ns,
        app: app.name,
        serviceAccount: names.triggersServiceAccount,
        binding: names.triggerBinding,
        template: names.triggerTemplate,
        webhookSecret: { name: names.webhookSecret, key: WEBHOOK_SECRET_KEY },
        repositoryFullName: `${stack.githubOwner}/${app.repo}`,
        branch: app.branch,
      }),
      ...(app.ingressHost ? [planListenerIngress(stack, app, names, app.ingressHost)] : []),
    ]),
  ];
}

/** The app's lint and test: its preset's, or its own. */
export function appCheckSteps(app: AppSettings): AppCheckSteps {
  return app.checks.kind === "preset"
    ? presetSteps({ language: app.checks.language, toolchains: app.toolchains, goPackage: app.goPackage })
    : customSteps(app.checks);
}

/** With the listener it routes to, so Argo CD applies and prunes the two together. */
function planListenerIngress(stack: StackSettings, app: AppSettings, names: ObjectNames, host: string): Ingress {
  const { className, tlsSecret, clusterIssuer } = stack.ingress;
  return listenerIngress({
    name: names.eventListener,
    namespace: app.namespace,
    app: app.name,
    host,
    listener: names.eventListener,
    className,
    // cert-manager fills a Secret of the Ingress's own; a stack's TLS Secret serves every host it covers.
    tlsSecret: tlsSecret ?? (clusterIssuer ? `${app.name}-listener-tls` : undefined),
    clusterIssuer,
  });
}
