// Planted mistakes: the rendered objects of one stack with one known mistake each, which upstream's code
// must refuse with its own words. A validator that passes everything is a defect; these prove it does not.
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";
import { Image } from "../../components/kpack/image";
import { KubernetesObject } from "../../components/kubernetes/types";
import { EventListener, Pipeline, PipelineRun, PipelineTask, Task, TriggerBinding, TriggerTemplate } from "../../components/tekton/types";

type Doc = KubernetesObject;

export interface PlantedMistake {
  name: string;
  /** Which rendered file the mistake goes into: the Tekton file, or the kustomized kpack Image. */
  file: "tekton" | "kpack";
  plant: (docs: Doc[]) => void;
  /** Upstream's words for it, as the validator prints them. */
  refusedWith: string;
}

/** The one object of `kind` in the rendered file, as the rendered object's type. */
function of<T extends Doc>(docs: Doc[], kind: T["kind"]): T {
  const found = docs.find((d) => d.kind === kind);
  if (!found) throw new Error(`planted mistakes: the rendered file has no ${kind}`);
  return found as T;
}
function pipelineTask(docs: Doc[], name: string): PipelineTask {
  const found = of<Pipeline>(docs, "Pipeline").spec.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`planted mistakes: the Pipeline has no task ${name}`);
  return found;
}
/** The Task of one part of the pipeline (its component label): clone, lint, test, write-back. */
function taskOf(docs: Doc[], component: string): Task {
  const found = docs.find((d): d is Task => d.kind === "Task" && d.metadata.labels?.["app.kubernetes.io/component"] === component);
  if (!found) throw new Error(`planted mistakes: the rendered file has no ${component} Task`);
  return found;
}
const templatedRun = (docs: Doc[]): PipelineRun => of<TriggerTemplate>(docs, "TriggerTemplate").spec.resourcetemplates[0];

export const PLANTED_MISTAKES: PlantedMistake[] = [
  {
    name: "a Task step reads an undeclared $(params.x)",
    file: "tekton",
    plant: (docs) => (of<Task>(docs, "Task").spec.steps[0].env![0].value = "$(params.REVISON)"),
    refusedWith: 'non-existent variable in "$(params.REVISON)"',
  },
  {
    // Go's decoder matches field names case-insensitively, so `workingdir` would pass here: the CRD schema
    // test (tests/synth/schemas.test.ts) is what refuses a misspelt case.
    name: "a Task field that does not exist (unknown fields are refused)",
    file: "tekton",
    plant: (docs) => Object.assign(of<Task>(docs, "Task").spec.steps[0], { workDir: "/workspace" }),
    refusedWith: 'unknown field "workDir"',
  },
  {
    name: "a pipeline task binds a workspace the Pipeline lacks",
    file: "tekton",
    plant: (docs) => (pipelineTask(docs, "lint").workspaces![0].workspace = "source-workspace"),
    refusedWith: 'pipeline task "lint" expects workspace with name "source-workspace" but none exists in pipeline spec',
  },
  {
    name: "a runAfter to no task",
    file: "tekton",
    plant: (docs) => (pipelineTask(docs, "update-image-revision").runAfter = ["lint", "tests"]),
    refusedWith: "invalid value: couldn't add link between update-image-revision and tests: task update-image-revision depends on tests but tests wasn't present in Pipeline",
  },
  {
    name: "a pipeline task passes an undeclared $(params.x)",
    file: "tekton",
    plant: (docs) => (pipelineTask(docs, "update-image-revision").params![0].value = "$(params.commit)"),
    refusedWith: 'non-existent variable in "$(params.commit)"',
  },
  {
    name: "update-image-revision binds a workspace its Task lacks",
    file: "tekton",
    plant: (docs) => (pipelineTask(docs, "update-image-revision").workspaces = [{ name: "cache", workspace: "shared-workspace" }]),
    refusedWith: 'workspace binding "cache" does not match any declared workspace',
  },
  {
    name: "update-image-revision omits the Task's required REVISION",
    file: "tekton",
    plant: (docs) => {
      const task = pipelineTask(docs, "update-image-revision");
      task.params = task.params!.filter((p) => p.name !== "REVISION");
    },
    refusedWith: "missing values for these params which have no default values: [REVISION]",
  },
  // One per kind of Task the project owns and the run's pod template: Pod Security's own words for a pod
  // Tekton would build from it (tools/upstream-validate/psa.go).
  {
    name: "the clone Task's stepTemplate lets its step escalate privileges",
    file: "tekton",
    plant: (docs) => (taskOf(docs, "clone").spec.stepTemplate.securityContext.allowPrivilegeEscalation = true),
    refusedWith: 'allowPrivilegeEscalation != false (container "step-clone" must set securityContext.allowPrivilegeEscalation=false)',
  },
  {
    name: "the lint Task's step runs as root",
    file: "tekton",
    plant: (docs) => Object.assign(taskOf(docs, "lint").spec.steps[0], { securityContext: { runAsUser: 0 } }),
    refusedWith: 'runAsUser=0 (container "step-lint" must not set runAsUser=0)',
  },
  {
    name: "the test Task keeps its caches on a hostPath volume",
    file: "tekton",
    plant: (docs) => {
      const test = taskOf(docs, "test");
      Object.assign(test.spec, { volumes: [...(test.spec.volumes ?? []), { name: "node-cache", hostPath: { path: "/var/cache/builds" } }] });
    },
    refusedWith: 'restricted volume types (volume "node-cache" uses restricted volume type "hostPath")',
  },
  {
    name: "the PipelineRun's pod template runs every TaskRun's pod as root",
    file: "tekton",
    plant: (docs) => (templatedRun(docs).spec.taskRunTemplate.podTemplate.securityContext.runAsUser = 0),
    refusedWith: "runAsUser=0 (pod must not set runAsUser=0)",
  },
  {
    name: "the EventListener binds a binding of the wrong kind",
    file: "tekton",
    plant: (docs) => Object.assign(of<EventListener>(docs, "EventListener").spec.triggers[0].bindings[0], { kind: "TriggerTemplate" }),
    refusedWith: "invalid value: invalid kind: spec.triggers[0].bindings[0].kind",
  },
  {
    name: "the TriggerTemplate's run uses an undeclared $(tt.params.x)",
    file: "tekton",
    plant: (docs) => (templatedRun(docs).spec.params[1].value = "$(tt.params.SHA)"),
    refusedWith: "undeclared param '$(tt.params.SHA)'",
  },
  {
    name: "the TriggerTemplate's run leaves a Pipeline workspace unbound",
    file: "tekton",
    plant: (docs) => templatedRun(docs).spec.workspaces.pop(),
    refusedWith: 'pipeline requires workspace with name "git-credentials" be provided by pipelinerun',
  },
  {
    name: "the TriggerTemplate's run omits a Pipeline param",
    file: "tekton",
    plant: (docs) => templatedRun(docs).spec.params.splice(3, 1),
    refusedWith: "pipelineRun missing parameters: [github-token-secret-key]",
  },
  {
    name: "the TriggerTemplate's run gives a TaskRun two claims",
    file: "tekton",
    plant: (docs) => {
      const run = templatedRun(docs);
      const [volume] = run.spec.workspaces;
      if (!("volumeClaimTemplate" in volume)) throw new Error("planted mistakes: the run's first workspace is no volumeClaimTemplate");
      run.spec.workspaces[1] = { name: "git-credentials", volumeClaimTemplate: volume.volumeClaimTemplate };
    },
    refusedWith: "more than one PersistentVolumeClaim is bound",
  },
  {
    name: "the TriggerBinding reads a field the push does not have",
    file: "tekton",
    plant: (docs) => (of<TriggerBinding>(docs, "TriggerBinding").spec.params[1].value = "$(body.head_commit.sha)"),
    refusedWith: "failed to replace JSONPath value for param REVISION: $(body.head_commit.sha)",
  },
  {
    name: "the EventListener's filter names a field the push does not have",
    file: "tekton",
    plant: (docs) => {
      const cel = of<EventListener>(docs, "EventListener").spec.triggers[0].interceptors[1].params[0];
      cel.value = String(cel.value).replace("body.ref ", "body.branch ");
    },
    refusedWith: "no such key: branch",
  },
  {
    name: "an Image without a revision",
    file: "kpack",
    plant: (docs) => delete of<Image>(docs, "Image").spec.source.git.revision,
    refusedWith: "missing field(s): spec.source.git.revision",
  },
  {
    name: "an Image whose tag is no image reference",
    file: "kpack",
    plant: (docs) => (of<Image>(docs, "Image").spec.tag = "registry.example.com/Example-Org/app"),
    refusedWith: "invalid value: registry.example.com/Example-Org/app: spec.tag",
  },
];

/** Writes `file` with the mistake planted into `out`, and returns the path. */
export function plantInto(file: string, mistake: PlantedMistake, out: string): string {
  const docs = parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Doc);
  mistake.plant(docs);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, docs.map((d) => stringify(d)).join("---\n"));
  return out;
}
