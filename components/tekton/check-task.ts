/**
 * The lint and test Tasks: one step each, in the app's checkout, as the project's fixed user under
 * `restricted`, whatever runs in it (a preset's commands or the app's own script).
 */
import { appObjectMeta, AppObjectRef } from "../kubernetes/types";
import { CheckStep } from "./presets";
import { homeVolumes, restrictedStepTemplate } from "./steps";
import { Task } from "./types";

/** The workspace lint and test see: the app's checkout (the run's volume, at the clone's subdirectory). */
export const SOURCE_WORKSPACE = "source";

export interface CheckTaskArgs extends AppObjectRef {
  check: "lint" | "test";
  step: CheckStep;
}

export function checkTask(a: CheckTaskArgs): Task {
  return {
    apiVersion: "tekton.dev/v1",
    kind: "Task",
    metadata: appObjectMeta(a, a.check),
    spec: {
      description: `Runs the app's ${a.check} in its checkout. The code under test owns the checkout; this Task holds no credential.`,
      workspaces: [{ name: SOURCE_WORKSPACE, description: "The app's checkout, which the step may write." }],
      stepTemplate: restrictedStepTemplate(),
      volumes: homeVolumes(),
      steps: [
        {
          name: a.check,
          image: a.step.image,
          workingDir: `$(workspaces.${SOURCE_WORKSPACE}.path)`,
          ...(a.step.env && a.step.env.length > 0 ? { env: a.step.env } : {}),
          script: a.step.script,
        },
      ],
    },
  };
}
