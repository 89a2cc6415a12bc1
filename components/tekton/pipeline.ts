import { appObjectMeta } from "../kubernetes/types";
import { Param, Pipeline, TaskRef } from "./types";

/** Where the catalog Tasks come from: resolvers, since the public Tekton Hub is gone. */
export interface CatalogRefs {
  /** OCI bundle holding git-clone (bundles resolver). */
  gitCloneBundle: string;
  /** tektoncd/catalog and a commit of its default branch: golangci-lint 0.2 (git resolver). */
  gitUrl: string;
  revision: string;
  /**
   * tektoncd-catalog/golang and a release commit: golang-test, which tektoncd/catalog deprecated in
   * favour of that repository (one Task per folder there, no version folder).
   */
  golangGitUrl: string;
  golangRevision: string;
}

export function gitCloneRef(c: CatalogRefs): TaskRef {
  return {
    resolver: "bundles",
    params: [
      { name: "bundle", value: c.gitCloneBundle },
      { name: "name", value: "git-clone" },
      { name: "kind", value: "task" },
    ],
  };
}

function gitResolverRef(url: string, revision: string, pathInRepo: string): TaskRef {
  return {
    resolver: "git",
    params: [
      { name: "url", value: url },
      { name: "revision", value: revision },
      { name: "pathInRepo", value: pathInRepo },
    ],
  };
}

export const golangciLintRef = (c: CatalogRefs): TaskRef => gitResolverRef(c.gitUrl, c.revision, "task/golangci-lint/0.2/golangci-lint.yaml");
export const golangTestRef = (c: CatalogRefs): TaskRef => gitResolverRef(c.golangGitUrl, c.golangRevision, "task/golang-test/golang-test.yaml");

export interface BuildPipelineArgs {
  name: string;
  namespace: string;
  app: string;
  catalog: CatalogRefs;
  /** Name of the update-image-revision Task in the namespace. */
  updateTask: string;
  opsRepositoryUrl: string;
  opsBranch: string;
  goPackage: string;
  goVersion: string;
  golangciLintVersion: string;
}

/** Workspace names, shared with the TriggerTemplate that binds them. */
export const APP_WORKSPACE = "shared-workspace";
export const OPS_WORKSPACE = "shared-ops-workspace";

const p = (name: string): string => `$(params.${name})`;
const params = (values: Record<string, string>): Param[] => Object.entries(values).map(([name, value]) => ({ name, value }));

/**
 * clone → lint ∥ test → clone ops → update-image-revision. The pipeline builds no image: kpack does,
 * once the tested commit lands in the ops repository.
 */
export function buildPipeline(a: BuildPipelineArgs): Pipeline {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Pipeline",
    metadata: appObjectMeta(a, "pipeline"),
    spec: {
      description: "Lints and tests a pushed commit and records it as the revision kpack builds.",
      params: [
        { name: "repo-url", type: "string", description: "Clone URL of the app repository." },
        { name: "revision", type: "string", description: "Full commit SHA that was pushed." },
        { name: "github-token-secret", type: "string", description: "Secret holding the token to push the ops repository with." },
        { name: "github-token-secret-key", type: "string", description: "Key of the token in that Secret." },
      ],
      workspaces: [
        { name: APP_WORKSPACE, description: "The app repository's clone." },
        { name: OPS_WORKSPACE, description: "The ops repository's clone." },
      ],
      tasks: [
        {
          name: "fetch-repository",
          taskRef: gitCloneRef(a.catalog),
          params: params({ url: p("repo-url"), revision: p("revision"), deleteExisting: "true" }),
          workspaces: [{ name: "output", workspace: APP_WORKSPACE }],
        },
        {
          name: "lint",
          runAfter: ["fetch-repository"],
          taskRef: golangciLintRef(a.catalog),
          params: params({ package: a.goPackage, version: a.golangciLintVersion }),
          workspaces: [{ name: "source", workspace: APP_WORKSPACE }],
        },
        {
          name: "test",
          runAfter: ["fetch-repository"],
          taskRef: golangTestRef(a.catalog),
          params: params({ package: a.goPackage, version: a.goVersion }),
          workspaces: [{ name: "source", workspace: APP_WORKSPACE }],
        },
        {
          name: "fetch-ops-repository",
          runAfter: ["lint", "test"],
          taskRef: gitCloneRef(a.catalog),
          params: params({ url: a.opsRepositoryUrl, revision: a.opsBranch, deleteExisting: "true" }),
          workspaces: [{ name: "output", workspace: OPS_WORKSPACE }],
        },
        {
          name: "update-image-revision",
          runAfter: ["fetch-ops-repository"],
          taskRef: { kind: "Task", name: a.updateTask },
          params: params({
            REVISION: p("revision"),
            GITHUB_TOKEN_SECRET: p("github-token-secret"),
            GITHUB_TOKEN_SECRET_KEY: p("github-token-secret-key"),
            OPS_BRANCH: a.opsBranch,
          }),
          workspaces: [
            { name: "source", workspace: OPS_WORKSPACE },
            { name: "app-source", workspace: APP_WORKSPACE },
          ],
        },
      ],
    },
  };
}
