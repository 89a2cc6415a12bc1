/**
 * What every step of every Task the project owns runs with: the `restricted` security context as the
 * project's fixed user, and a home of the pod's own. No step finds a writable folder that belongs to
 * root in its image, and none needs one: HOME and every cache below it live in an emptyDir.
 */
import { EnvVar, restrictedSecurityContext, Volume } from "../kubernetes/types";
import { StepTemplate } from "./types";

/** The pod's own emptyDir, the steps' HOME: gone with the pod, so no run leaves anything to the next. */
export const HOME_VOLUME = "home";
export const HOME_PATH = "/home/pipeline";

/** Tekton's reference to a param of the Task or Pipeline it appears in. */
export const paramRef = (name: string): string => `$(params.${name})`;

/**
 * One env entry per param, named as the param: how a step reads its params, never through
 * `$(params.*)` inside its script, so no value can rewrite the script.
 */
export function paramEnv(names: string[]): EnvVar[] {
  return envVars(Object.fromEntries(names.map((name) => [name, paramRef(name)])));
}

/** Plain env entries, one per value, in order. */
export function envVars(values: Record<string, string>): EnvVar[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** The volume the home is on, for a Task's `volumes`. */
export function homeVolumes(): Volume[] {
  return [{ name: HOME_VOLUME, emptyDir: {} }];
}

/**
 * Each step's securityContext and HOME, set once on the Task (Tekton merges every step over its
 * stepTemplate: pkg/apis/pipeline/v1/merge.go, MergeStepsWithStepTemplate). `env` adds what a Task's
 * steps share (caches under HOME).
 */
export function restrictedStepTemplate(env: EnvVar[] = []): StepTemplate {
  return {
    securityContext: restrictedSecurityContext(),
    env: [
      { name: "HOME", value: HOME_PATH },
      { name: "XDG_CACHE_HOME", value: `${HOME_PATH}/.cache` },
      ...env,
    ],
    volumeMounts: [{ name: HOME_VOLUME, mountPath: HOME_PATH }],
  };
}
