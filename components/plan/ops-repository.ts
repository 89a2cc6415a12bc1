import { StackSettings, AppSettings } from "../config/settings";
import { imageKustomization, imageRevisionPatch, kpackImage } from "../kpack/image";
import { Ingress, listenerIngress } from "../kubernetes/ingress";
import { REVISION_KEY } from "../kpack/revision";
import { toYaml } from "../synth/yaml";
import { buildPipeline } from "../tekton/pipeline";
import { buildTriggerTemplate, listenerRbac, pipelineServiceAccount, pushEventListener, pushTriggerBinding } from "../tekton/triggers";
import { updateImageRevisionTask } from "../tekton/update-image-revision";
import { GIT_CREDENTIALS_SECRET, GITHUB_TOKEN_SECRET, ObjectNames, WEBHOOK_SECRET } from "./names";

/** Folders of the ops repository, one per Argo CD Application. */
export const KPACK_FOLDER = "cicd/kpack";
export const TEKTON_FOLDER = "cicd/tekton";
export const REVISION_FILE = `${KPACK_FOLDER}/revision.yaml`;
/** Everything build-pipeline needs: Task, Pipeline, service accounts, trigger objects, EventListener. */
export const TEKTON_FILE = `${TEKTON_FOLDER}/build-pipeline.yaml`;

/**
 * Who owns a file after the first deploy. `pulumi`: every `pulumi up` writes it. `pipeline`: Pulumi
 * creates it once, from `initialRevision` or from what the repository holds, and never changes it again.
 */
export type FileOwner = "pulumi" | "pipeline";

export interface RepoFile {
  owner: string;
  repository: string;
  branch: string;
  path: string;
  content: string;
  ownedBy: FileOwner;
}

export function cloneUrl(stack: StackSettings, repository: string): string {
  return `${stack.gitHost}/${stack.githubOwner}/${repository}.git`;
}

const PULUMI_HEADER = "Written by pulumi up (deliberate-image-builds). Change the stack config, not this file.";
const PIPELINE_HEADER =
  "The tested revision kpack builds. Written by the update-image-revision Task after lint and test pass;\n" +
  "pulumi up created this file once and never changes it.";

/** The revision patch exactly as Pulumi first writes it; the Task rewrites only its revision line. */
export function revisionFileContent(names: ObjectNames, app: AppSettings, testedRevision: string): string {
  return toYaml(imageRevisionPatch({ name: names.kpackImage, namespace: app.namespace, testedRevision }), PIPELINE_HEADER, {
    doubleQuoted: [REVISION_KEY],
  });
}

/** Every file this app's ops repository holds, rendered from the typed objects. */
export function opsRepositoryFiles(stack: StackSettings, app: AppSettings, names: ObjectNames): RepoFile[] {
  const ns = app.namespace;
  const repoFile = (path: string, content: string, ownedBy: FileOwner): RepoFile => ({
    owner: stack.githubOwner,
    repository: app.opsRepository,
    branch: app.opsBranch,
    path,
    content,
    ownedBy,
  });
  const file = (path: string, objects: object | object[]): RepoFile => repoFile(path, toYaml(objects, PULUMI_HEADER), "pulumi");
  const image = kpackImage({
    name: names.kpackImage,
    namespace: ns,
    app: app.name,
    tag: app.imageTag,
    builder: app.builder,
    serviceAccountName: app.imageServiceAccount.name,
    gitUrl: cloneUrl(stack, app.repo),
  });
  return [
    file(`${KPACK_FOLDER}/kustomization.yaml`, imageKustomization("image.yaml", "revision.yaml")),
    file(`${KPACK_FOLDER}/image.yaml`, image),
    repoFile(REVISION_FILE, revisionFileContent(names, app, app.initialRevision), "pipeline"),
    // One file, so one commit: Argo CD never applies a Pipeline without the Task it runs.
    file(TEKTON_FILE, [
      updateImageRevisionTask({
        name: names.task,
        namespace: ns,
        app: app.name,
        image: stack.writeBack.image,
        revisionFile: REVISION_FILE,
        opsBranch: app.opsBranch,
        maxAttempts: stack.writeBack.maxAttempts,
        authorName: stack.writeBack.authorName,
        authorEmail: stack.writeBack.authorEmail,
        tokenSecret: GITHUB_TOKEN_SECRET,
      }),
      buildPipeline({
        name: names.pipeline,
        namespace: ns,
        app: app.name,
        catalog: stack.catalog,
        updateTask: names.task,
        opsRepositoryUrl: cloneUrl(stack, app.opsRepository),
        opsBranch: app.opsBranch,
        goPackage: app.goPackage,
        goVersion: stack.catalog.goVersion,
        golangciLintVersion: stack.catalog.golangciLintVersion,
      }),
      pipelineServiceAccount({ name: names.pipelineServiceAccount, namespace: ns, app: app.name }),
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
      ...listenerRbac({
        namespace: ns,
        app: app.name,
        serviceAccount: names.triggersServiceAccount,
        roleBinding: names.triggersRoleBinding,
        clusterRoleBinding: names.triggersClusterRoleBinding,
      }),
      pushEventListener({
        name: names.eventListener,
        namespace: ns,
        app: app.name,
        serviceAccount: names.triggersServiceAccount,
        binding: names.triggerBinding,
        template: names.triggerTemplate,
        webhookSecret: WEBHOOK_SECRET,
        repositoryFullName: `${stack.githubOwner}/${app.repo}`,
        branch: app.branch,
      }),
      ...(app.ingressHost ? [planListenerIngress(stack, app, names, app.ingressHost)] : []),
    ]),
  ];
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
