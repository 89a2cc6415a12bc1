import * as fs from "fs";
import * as path from "path";
import { appObjectMeta } from "../kubernetes/types";
import { GIT_CLONE_USER } from "./git-clone";
import { Task } from "./types";

/** The step's shell script, kept as a real file so tests run exactly what the cluster runs. */
export const UPDATE_IMAGE_REVISION_SCRIPT = fs.readFileSync(path.join(__dirname, "update-image-revision.sh"), "utf8");

export interface UpdateImageRevisionTaskArgs {
  name: string;
  namespace: string;
  app: string;
  /** sh, git and busybox applets (setsid, sleep, kill, od), pinned. */
  image: string;
  /** Path of the pipeline-owned revision patch inside the ops repository. */
  revisionFile: string;
  opsBranch: string;
  maxAttempts: number;
  authorName: string;
  authorEmail: string;
  tokenSecret: { name: string; key: string };
}


/**
 * The Task that records a tested commit as the kpack Image's revision. Every param reaches the script
 * through `env`, never through `$(params.*)` inside the script, so no value can rewrite the script.
 */
export function updateImageRevisionTask(a: UpdateImageRevisionTaskArgs): Task {
  const param = (name: string) => `$(params.${name})`;
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, "write-back"),
    spec: {
      description:
        "Records REVISION, a commit the pipeline linted and tested, as the kpack Image's spec.source.git.revision " +
        "in the ops repository and pushes it; never moves the revision backwards and retries lost races.",
      params: [
        { name: "REVISION", type: "string", description: "Full commit SHA of the app repository that passed lint and test." },
        { name: "GITHUB_TOKEN_SECRET", type: "string", default: a.tokenSecret.name, description: "Secret holding the token to push with." },
        { name: "GITHUB_TOKEN_SECRET_KEY", type: "string", default: a.tokenSecret.key, description: "Key of the token in that Secret." },
        { name: "OPS_BRANCH", type: "string", default: a.opsBranch, description: "Branch of the ops repository to push to." },
        { name: "REVISION_FILE", type: "string", default: a.revisionFile, description: "The revision patch, relative to the ops repository root." },
        { name: "MAX_ATTEMPTS", type: "string", default: String(a.maxAttempts), description: "Push attempts before giving up." },
        { name: "GIT_USER_NAME", type: "string", default: a.authorName, description: "Author and committer name of the revision commit." },
        { name: "GIT_USER_EMAIL", type: "string", default: a.authorEmail, description: "Author and committer email of the revision commit." },
      ],
      workspaces: [
        { name: "source", description: "The ops repository, as git-clone left it." },
        { name: "app-source", description: "The app repository, as git-clone left it (shallow)." },
      ],
      steps: [
        {
          name: "update-image-revision",
          image: a.image,
          workingDir: "$(workspaces.source.path)",
          env: [
            { name: "REVISION", value: param("REVISION") },
            { name: "OPS_BRANCH", value: param("OPS_BRANCH") },
            { name: "REVISION_FILE", value: param("REVISION_FILE") },
            { name: "MAX_ATTEMPTS", value: param("MAX_ATTEMPTS") },
            { name: "APP_SOURCE", value: "$(workspaces.app-source.path)" },
            { name: "GIT_AUTHOR_NAME", value: param("GIT_USER_NAME") },
            { name: "GIT_AUTHOR_EMAIL", value: param("GIT_USER_EMAIL") },
            { name: "GIT_COMMITTER_NAME", value: param("GIT_USER_NAME") },
            { name: "GIT_COMMITTER_EMAIL", value: param("GIT_USER_EMAIL") },
            { name: "HOME", value: "/tmp" },
            {
              name: "GITHUB_TOKEN",
              valueFrom: { secretKeyRef: { name: param("GITHUB_TOKEN_SECRET"), key: param("GITHUB_TOKEN_SECRET_KEY") } },
            },
          ],
          // git-clone's user, so this step can write the clone git-clone left.
          securityContext: {
            runAsNonRoot: true,
            runAsUser: GIT_CLONE_USER,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
          script: UPDATE_IMAGE_REVISION_SCRIPT,
        },
      ],
    },
  };
}
