/**
 * The clone Task the project owns: it clones the pushed commit into the run's volume, with the read
 * token from its `basic-auth` workspace (the contract of tektoncd-catalog/git-clone v1.7.0's workspace
 * of that name: a `.gitconfig` and a `.git-credentials`, copied into the user's home), as the
 * project's fixed user under `restricted`. The catalog's Task sets only runAsNonRoot and runAsUser
 * (task/git-clone/git-clone.yaml, step "clone"): its pods fail `restricted` (no allowPrivilegeEscalation:
 * false, no capabilities drop), so it is not used.
 */
import * as fs from "fs";
import * as path from "path";
import { appObjectMeta, AppObjectRef } from "../kubernetes/types";
import { envVars, homeVolumes, paramRef, restrictedStepTemplate } from "./steps";
import { Task } from "./types";

/** The step's script, kept as a real file so tests run exactly what the cluster runs. */
export const GIT_CLONE_SCRIPT = fs.readFileSync(path.join(__dirname, "git-clone.sh"), "utf8");

/**
 * The user name sent with a GitHub token over HTTPS. GitHub checks only the token; this is the name its
 * docs give for app installation tokens, and update-image-revision.sh sends the same.
 */
export const GIT_TOKEN_USERNAME = "x-access-token";

/** Where the app's clone goes inside the run volume (the clone Task's `subdirectory` param). */
export const APP_CLONE_DIR = "app";

/** The two files the clone copies from its `basic-auth` workspace into the user's home before cloning. */
export interface BasicAuthFiles<S> {
  ".gitconfig": string;
  ".git-credentials": S;
}

/**
 * git's `store` credential helper, for `gitHost` only: `.gitconfig` turns it on for that host,
 * `.git-credentials` holds one line `https://x-access-token:<token>@<host>` (git-credential-store's
 * format, the token percent-encoded). git sends it only when the host asks, so public repositories
 * clone as before.
 */
export function basicAuthFiles<S>(gitHost: string, token: S, derive: (token: S, line: (plain: string) => string) => S): BasicAuthFiles<S> {
  const { origin, protocol, host } = new URL(gitHost);
  return {
    ".gitconfig": `[credential "${origin}"]\n\thelper = store\n`,
    ".git-credentials": derive(token, (plain) => `${protocol}//${GIT_TOKEN_USERNAME}:${encodeURIComponent(plain)}@${host}\n`),
  };
}

export interface GitCloneTaskArgs extends AppObjectRef {
  /** sh, git and busybox, pinned: the write-back's image, so the pipeline pulls one git image. */
  image: string;
}

/** The clone Task's workspaces: where the checkout goes, and the read credential's files (a Secret). */
export const CLONE_OUTPUT_WORKSPACE = "output";
export const CLONE_AUTH_WORKSPACE = "basic-auth";

export function gitCloneTask(a: GitCloneTaskArgs): Task {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, "clone"),
    spec: {
      description: "Clones the pushed commit of the app repository into the output workspace for lint and test, with the read token of the basic-auth workspace, which no later Task sees.",
      params: [
        { name: "url", type: "string", description: "Clone URL of the app repository." },
        { name: "revision", type: "string", description: "Full commit SHA to check out." },
        { name: "subdirectory", type: "string", default: APP_CLONE_DIR, description: "Folder of the output workspace the checkout goes into." },
        { name: "submodules", type: "string", default: "false", description: "true: also fetch the submodules, with the same credential." },
      ],
      workspaces: [
        { name: CLONE_OUTPUT_WORKSPACE, description: "The run's volume: the checkout goes into its subdirectory." },
        { name: CLONE_AUTH_WORKSPACE, optional: true, description: "A .gitconfig and a .git-credentials (git's store helper) for the git host: the read token." },
      ],
      stepTemplate: restrictedStepTemplate(),
      volumes: homeVolumes(),
      steps: [
        {
          name: "clone",
          image: a.image,
          env: envVars({
            URL: paramRef("url"),
            REVISION: paramRef("revision"),
            SUBDIRECTORY: paramRef("subdirectory"),
            SUBMODULES: paramRef("submodules"),
            OUTPUT_PATH: `$(workspaces.${CLONE_OUTPUT_WORKSPACE}.path)`,
            BASIC_AUTH_BOUND: `$(workspaces.${CLONE_AUTH_WORKSPACE}.bound)`,
            BASIC_AUTH_PATH: `$(workspaces.${CLONE_AUTH_WORKSPACE}.path)`,
          }),
          script: GIT_CLONE_SCRIPT,
        },
      ],
    },
  };
}
