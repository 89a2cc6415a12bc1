// The library entry: the components a platform team adds to its own Pulumi program, and their args.
// `index.ts` at the root is this project's stack program, one user of them.
export { DeliberateImageBuilds, APPLICATION_DELETE_TIMEOUT } from "./pulumi/app";
export type { DeliberateImageBuildsArgs } from "./pulumi/app";
export { BuildNamespace } from "./pulumi/build-namespace";
export type { BuildNamespaceArgs } from "./pulumi/build-namespace";
// The label a program that makes its own build namespace gives it: Pod Security enforces `restricted`.
export { POD_SECURITY_ENFORCE } from "./kubernetes/namespace";
export { BuildCredentials } from "./pulumi/credentials";
export type { BuildCredentialsArgs } from "./pulumi/credentials";
export { ComponentArgsError } from "./config/component-args";
export type { AppPlanArgs, PipelineArgs } from "./config/component-args";
export type { RevisionFileLocation } from "./pulumi/recorded-revision";
export { withGitHubReads } from "./testing/github-reads";
export { catchComponentErrors, nextComponentError } from "./pulumi/failures";
export type { ComponentErrors } from "./pulumi/failures";
export type { MockGitHub } from "./testing/github-reads";
