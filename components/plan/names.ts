import { AppSettings } from "../config/settings";

/** The names one app's objects get. Derived once, so every builder agrees on them. */
export interface ObjectNames {
  task: string;
  pipeline: string;
  triggerBinding: string;
  triggerTemplate: string;
  eventListener: string;
  triggersServiceAccount: string;
  /** Cluster-scoped, so it carries the namespace too. */
  triggersClusterRoleBinding: string;
  triggersRoleBinding: string;
  pipelineServiceAccount: string;
  kpackImage: string;
  imageApplication: string;
  tektonApplication: string;
}

/** Secrets live once per namespace; every app there shares them. */
export const GITHUB_TOKEN_SECRET = { name: "github-token", key: "GITHUB_TOKEN" } as const;
export const WEBHOOK_SECRET = { name: "github-webhook-secret", key: "secretToken" } as const;

/**
 * The seed's names (`build-pipeline`, `update-image-revision`, ...) while an app has its namespace to
 * itself; `<app>-` in front of each when apps share a namespace, so none overwrites another's.
 */
export function objectNames(app: AppSettings, sharesNamespace: boolean): ObjectNames {
  const p = sharesNamespace ? `${app.name}-` : "";
  return {
    task: `${p}update-image-revision`,
    pipeline: `${p}build-pipeline`,
    triggerBinding: `${p}build-pipeline-binding`,
    triggerTemplate: `${p}build-pipeline-template`,
    eventListener: `${p}build-pipeline-listener`,
    triggersServiceAccount: `${p}tekton-triggers-sa`,
    triggersRoleBinding: `${p}tekton-triggers-sa-binding`,
    triggersClusterRoleBinding: `${app.namespace}-${p}tekton-triggers-sa-clusterbinding`,
    pipelineServiceAccount: `${p}build-bot`,
    kpackImage: `${app.name}-image`,
    imageApplication: `${app.name}-image`,
    tektonApplication: `${app.name}-tekton`,
  };
}
