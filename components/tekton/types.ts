/** Tekton Pipelines `tekton.dev/v1` and Triggers `triggers.tekton.dev/v1beta1`, as far as we use them. */
import { EnvVar, KubernetesObject, ObjectMeta, PodSecurityContext, SecurityContext, Volume, VolumeMount } from "../kubernetes/types";

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
}

/** What every step of a Task starts from (Tekton merges each step over it, the step's fields winning). */
export interface StepTemplate {
  env?: EnvVar[];
  securityContext: SecurityContext;
  volumeMounts?: VolumeMount[];
}

export interface Task extends KubernetesObject<"tekton.dev/v1", "Task"> {
  spec: {
    description?: string;
    /** Absent rather than empty, as workspaces. */
    params?: ParamSpec[];
    /** Absent rather than empty: the API server drops an empty list, and Argo CD would then see drift. */
    workspaces?: WorkspaceDeclaration[];
    /** Every step's security context and environment: set once, so no step can be left out. */
    stepTemplate: StepTemplate;
    /** Absent rather than empty, as workspaces. */
    volumes?: Volume[];
    steps: Step[];
  };
}

/**
 * A reference to a Task by name in the namespace: every Task a pipeline runs is the project's own,
 * committed beside the Pipeline, so no resolver fetches one from elsewhere.
 */
export type TaskRef = { kind: "Task"; name: string };

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
  /** Absent rather than empty, as workspaces. */
  params?: Param[];
  /** Absent rather than empty: the API server drops an empty list, and Argo CD would then see drift. */
  workspaces?: WorkspacePipelineTaskBinding[];
}

export interface Pipeline extends KubernetesObject<"tekton.dev/v1", "Pipeline"> {
  spec: {
    description?: string;
    params: ParamSpec[];
    workspaces: { name: string; description?: string }[];
    tasks: PipelineTask[];
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
    taskRunTemplate: { serviceAccountName: string; podTemplate: { securityContext: PodSecurityContext } };
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
