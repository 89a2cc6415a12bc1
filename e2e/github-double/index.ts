// The GitHub double for the end-to-end test: see server.ts for what it serves and why.
export { startGitHubDouble } from "./server";
export type { GitHubDouble } from "./server";
