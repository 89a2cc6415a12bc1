import * as fs from "fs";
import * as path from "path";
import { appObjectMeta } from "../kubernetes/types";
import { envVars, paramEnv, paramRef, restrictedStepTemplate } from "./steps";
import { Task } from "./types";

/** The step's shell script, kept as a real file so tests run exactly what the cluster runs. */
export const UPDATE_IMAGE_REVISION_SCRIPT = fs.readFileSync(path.join(__dirname, "update-image-revision.sh"), "utf8");

/** The write-back's result, which the run's last status step reads. */
export const WRITE_BACK_OUTCOME = "outcome";

export interface UpdateImageRevisionTaskArgs {
  name: string;
  namespace: string;
  app: string;
  /** sh, git and busybox applets (setsid, sleep, kill, od, mktemp), pinned. */
  image: string;
  /** The ops repository's clone URL: the only URL the write token is given for. */
  opsRepositoryUrl: string;
  /** The app repository's clone URL, as the stack names it; a run passes the URL its push carried. */
  appRepositoryUrl: string;
  /** Path of the pipeline-owned revision patch inside the ops repository. */
  revisionFile: string;
  opsBranch: string;
  maxAttempts: number;
  authorName: string;
  authorEmail: string;
  /** The Secret and its keys: the token that writes the ops repository, and the one that reads the app repository. */
  tokenSecret: { name: string; key: string; readKey: string };
}

/**
 * The Task that records a tested commit as the kpack Image's revision. Every param reaches the script
 * through `env`, never through `$(params.*)` inside the script, so no value can rewrite the script. It
 * mounts no workspace: the lint and test Tasks can write the run's volume, so nothing on it may meet
 * a credential; the step fetches what it needs into a folder of its own container.
 */
export function updateImageRevisionTask(a: UpdateImageRevisionTaskArgs): Task {
  const secretParam = (key: string) => ({ secretKeyRef: { name: paramRef("GITHUB_TOKEN_SECRET"), key: paramRef(key) } });
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, "write-back"),
    spec: {
      description:
        "Records REVISION, a commit the pipeline linted and tested, as the kpack Image's spec.source.git.revision " +
        "in the ops repository and pushes it; never moves the revision backwards and retries lost races. " +
        "Reads nothing the run's other Tasks wrote.",
      params: [
        { name: "REVISION", type: "string", description: "Full commit SHA of the app repository that passed lint and test." },
        { name: "APP_URL", type: "string", default: a.appRepositoryUrl, description: "Clone URL of the app repository (the push's)." },
        { name: "OPS_URL", type: "string", default: a.opsRepositoryUrl, description: "Clone URL of the ops repository." },
        { name: "GITHUB_TOKEN_SECRET", type: "string", default: a.tokenSecret.name, description: "Secret holding the tokens." },
        { name: "GITHUB_TOKEN_SECRET_KEY", type: "string", default: a.tokenSecret.key, description: "Key of the token that writes the ops repository." },
        { name: "READ_TOKEN_SECRET_KEY", type: "string", default: a.tokenSecret.readKey, description: "Key of the token that reads the app repository (may be empty)." },
        { name: "OPS_BRANCH", type: "string", default: a.opsBranch, description: "Branch of the ops repository to push to." },
        { name: "REVISION_FILE", type: "string", default: a.revisionFile, description: "The revision patch, relative to the ops repository root." },
        { name: "MAX_ATTEMPTS", type: "string", default: String(a.maxAttempts), description: "Push attempts before giving up." },
        { name: "GIT_USER_NAME", type: "string", default: a.authorName, description: "Author and committer name of the revision commit." },
        { name: "GIT_USER_EMAIL", type: "string", default: a.authorEmail, description: "Author and committer email of the revision commit." },
      ],
      results: [
        {
          name: WRITE_BACK_OUTCOME,
          description: "What became of REVISION: recorded, already-recorded, newer-recorded or other-history; not written when the step fails.",
        },
      ],
      // No HOME volume: the script makes its own folder with mktemp, and sets HOME there itself.
      stepTemplate: { securityContext: restrictedStepTemplate().securityContext },
      steps: [
        {
          name: "update-image-revision",
          image: a.image,
          env: [
            ...paramEnv(["REVISION", "APP_URL", "OPS_URL", "OPS_BRANCH", "REVISION_FILE", "MAX_ATTEMPTS"]),
            ...envVars({
              GIT_AUTHOR_NAME: paramRef("GIT_USER_NAME"),
              GIT_AUTHOR_EMAIL: paramRef("GIT_USER_EMAIL"),
              GIT_COMMITTER_NAME: paramRef("GIT_USER_NAME"),
              GIT_COMMITTER_EMAIL: paramRef("GIT_USER_EMAIL"),
            }),
            { name: "WRITE_TOKEN", valueFrom: secretParam("GITHUB_TOKEN_SECRET_KEY") },
            { name: "READ_TOKEN", valueFrom: secretParam("READ_TOKEN_SECRET_KEY") },
            { name: "OUTCOME_FILE", value: `$(results.${WRITE_BACK_OUTCOME}.path)` },
          ],
          script: UPDATE_IMAGE_REVISION_SCRIPT,
        },
      ],
    },
  };
}
