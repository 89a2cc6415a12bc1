// Pulumi's unit-test mocks for a program that uses the components. Each DeliberateImageBuilds reads its ops
// branch and revision file through the GitHub provider before it writes anything (pulumi/recorded-revision.ts,
// lookUp); the usual mocks (`call: (args) => args.inputs`, or `({})`) answer those reads with no branch head,
// and every app stops with "has no branch ... that the token can read".
import * as pulumi from "@pulumi/pulumi";

export const GET_BRANCH = "github:index/getBranch:getBranch";
export const GET_REPOSITORY_FILE = "github:index/getRepositoryFile:getRepositoryFile";

/** The GitHub the reads see. */
export interface MockGitHub {
  /**
   * The head commit of `branch` in `repository`, or undefined where GitHub answers 404 (no branch, no
   * repository, or a token without access).
   * @default every branch exists, at a fake commit
   */
  branchHead?: (repository: string, branch: string) => string | undefined;
  /**
   * The content of `path` on `branch`, or undefined where there is none yet.
   * @default no file: each app's revision.yaml is created from its initialRevision
   */
  file?: (repository: string, branch: string, path: string) => string | undefined;
}

const FAKE_HEAD = "0".repeat(40);

/**
 * What the GitHub provider answers to the components' reads: getBranch and getRepositoryFile, with the
 * provider's empty answer for a 404 (it returns no error for one); undefined for any other invoke.
 */
export function gitHubReadAnswer(args: pulumi.runtime.MockCallArgs, github: MockGitHub = {}): Record<string, unknown> | undefined {
  const { repository, branch } = args.inputs as { repository: string; branch: string };
  if (args.token === GET_BRANCH) {
    const sha = (github.branchHead ?? (() => FAKE_HEAD))(repository, branch);
    return sha === undefined
      ? { ...args.inputs, id: "", etag: "", ref: "", sha: "" }
      : { ...args.inputs, id: `${repository}:${branch}`, etag: 'W/"mock"', ref: `refs/heads/${branch}`, sha };
  }
  if (args.token === GET_REPOSITORY_FILE) {
    const path = String(args.inputs.file);
    const content = github.file?.(repository, branch, path);
    return content === undefined ? { id: "", file: path, repository } : { ...args.inputs, id: `${repository}/${path}`, content };
  }
  return undefined;
}

/**
 * Your mocks with the components' GitHub reads answered: every ops branch exists and holds no
 * revision.yaml yet, unless `github` says otherwise; every other invoke and every resource go to `mocks`.
 *
 * ```ts
 * pulumi.runtime.setMocks(withGitHubReads({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }), "project", "test", false);
 * ```
 */
export function withGitHubReads(mocks: pulumi.runtime.Mocks, github: MockGitHub = {}): pulumi.runtime.Mocks {
  return {
    newResource: (args) => mocks.newResource(args),
    call: (args) => gitHubReadAnswer(args, github) ?? mocks.call(args),
  };
}
