/** Tekton Pipelines `tekton.dev/v1` and Triggers `triggers.tekton.dev/v1beta1`, as far as we use them. */
import { EnvVar, KubernetesObject, ObjectMeta, SecurityContext } from "../kubernetes/types";

/** JSON as interceptor params carry it: typed, not `any`. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ParamSpec {
  name: string;
  type?: "string" | "array" | "object";
  description?: string;
  default?: string;
}

export interface Param {
  name: string;
  value: string;
}

export interface WorkspaceDeclaration {
  name: string;
  description?: string;
  optional?: boolean;
}

export interface Step {
  name: string;
  image: string;
  script: string;
  env?: EnvVar[];
  workingDir?: string;
  securityContext?: SecurityContext;
  /** `continue`: the step's failure is logged and the TaskRun still succeeds. */
  onError?: "continue";
}

export interface TaskResultSpec {
  name: string;
  description?: string;
}

export interface Task extends KubernetesObject<"tekton.dev/v1", "Task"> {
  spec: {
    description?: string;
    params: ParamSpec[];
    /** Absent rather than empty: the API server drops an empty list, and Argo CD would then see drift. */
    workspaces?: WorkspaceDeclaration[];
    results?: TaskResultSpec[];
    steps: Step[];
  };
}

/** A reference to a Task by a resolver (bundles, git) or by name in the namespace. */
export type TaskRef =
  | { kind: "Task"; name: string }
  | { resolver: "bundles" | "git"; params: Param[] };

export interface WorkspacePipelineTaskBinding {
  name: string;
  workspace: string;
  /** A folder inside the Pipeline's workspace: what the Task sees as the workspace's root. */
  subPath?: string;
}

export interface PipelineTask {
  name: string;
  taskRef: TaskRef;
  runAfter?: string[];
  params: Param[];
  /** Absent rather than empty: the API server drops an empty list, and Argo CD would then see drift. */
  workspaces?: WorkspacePipelineTaskBinding[];
}

export interface Pipeline extends KubernetesObject<"tekton.dev/v1", "Pipeline"> {
  spec: {
    description?: string;
    params: ParamSpec[];
    workspaces: { name: string; description?: string }[];
    tasks: PipelineTask[];
    /** Run once the tasks are done, whatever became of them, and when the run is cancelled (CancelledRunFinally). */
    finally?: PipelineTask[];
  };
}

export interface VolumeClaimTemplate {
  spec: {
    accessModes: ("ReadWriteOnce" | "ReadWriteMany")[];
    resources: { requests: { storage: string } };
  };
}

/** A PipelineRun's workspace: a fresh claim, or a Secret's keys as files. */
export type WorkspaceBinding = { name: string; volumeClaimTemplate: VolumeClaimTemplate } | { name: string; secret: { secretName: string } };

export interface PipelineRun extends KubernetesObject<"tekton.dev/v1", "PipelineRun"> {
  metadata: ObjectMeta & { generateName: string };
  spec: {
    pipelineRef: { name: string };
    params: Param[];
    taskRunTemplate: { serviceAccountName: string; podTemplate: { securityContext: { fsGroup: number } } };
    /** Per pipeline task: another account than the run's (the run janitor's). */
    taskRunSpecs?: { pipelineTaskName: string; serviceAccountName: string }[];
    workspaces: WorkspaceBinding[];
  };
}

export interface TriggerBinding extends KubernetesObject<"triggers.tekton.dev/v1beta1", "TriggerBinding"> {
  spec: { params: Param[] };
}

export interface TriggerTemplate extends KubernetesObject<"triggers.tekton.dev/v1beta1", "TriggerTemplate"> {
  spec: {
    params: { name: string; description?: string }[];
    resourcetemplates: PipelineRun[];
  };
}

export interface InterceptorRef {
  ref: { name: "github" | "cel"; kind: "ClusterInterceptor" };
  params: { name: string; value: Json }[];
}

export interface EventListener extends KubernetesObject<"triggers.tekton.dev/v1beta1", "EventListener"> {
  spec: {
    serviceAccountName: string;
    triggers: {
      name: string;
      interceptors: InterceptorRef[];
      bindings: { ref: string; kind: "TriggerBinding" }[];
      template: { ref: string };
    }[];
  };
}
