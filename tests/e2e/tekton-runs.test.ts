import * as assert from "assert";
import { restrictedSecurityContext } from "../../components/kubernetes/types";
import { Task } from "../../components/tekton/types";
import { podDifferences, TEKTON_INIT_SECURITY_CONTEXT, TektonPod } from "../../e2e/tekton-runs";

const IMAGES = { "-entrypoint-image": "tekton.e2e.invalid/entrypoint", "-shell-image": "example.invalid/busybox", "-workingdirinit-image": "tekton.e2e.invalid/workingdirinit" };

const task = {
  apiVersion: "tekton.dev/v1",
  kind: "Task",
  metadata: { name: "clone", namespace: "default" },
  spec: { params: [], stepTemplate: { securityContext: restrictedSecurityContext() }, steps: [{ name: "clone", image: "example.invalid/git", script: "true" }] },
} as unknown as Task;

function pod(): TektonPod {
  return {
    metadata: { name: "clone-pod" },
    spec: {
      initContainers: [
        { name: "prepare", image: IMAGES["-entrypoint-image"], securityContext: { ...TEKTON_INIT_SECURITY_CONTEXT } },
        { name: "place-scripts", image: IMAGES["-shell-image"], securityContext: { ...TEKTON_INIT_SECURITY_CONTEXT } },
      ],
      containers: [{ name: "step-clone", image: "example.invalid/git", securityContext: restrictedSecurityContext() }],
    },
  };
}

describe("e2e/tekton-runs: a TaskRun's Pod as Tekton makes it", () => {
  it("finds nothing to say of a Pod with Tekton's init containers and the Task's step as rendered", () => {
    assert.deepStrictEqual(podDifferences(pod(), task, IMAGES), []);
  });

  it("says which container lacks the security context of set-security-context", () => {
    const p = pod();
    delete p.spec.initContainers?.[0].securityContext;
    assert.deepStrictEqual(podDifferences(p, task, IMAGES), [`init container prepare: securityContext undefined, expected ${JSON.stringify(TEKTON_INIT_SECURITY_CONTEXT)}`]);
  });

  it("says when a step runs another image or security context than the Task's, or is missing", () => {
    const p = pod();
    p.spec.containers[0] = { name: "step-clone", image: "example.invalid/other", securityContext: { ...restrictedSecurityContext(), runAsUser: 0 } };
    const said = podDifferences(p, task, IMAGES);
    assert.strictEqual(said.length, 2);
    assert.match(said[0], /^step-clone: image example\.invalid\/other, expected example\.invalid\/git$/);
    assert.match(said[1], /^step-clone: securityContext .*"runAsUser":0.*, expected .*"runAsUser":65532/);
    p.spec.containers = [];
    assert.deepStrictEqual(podDifferences(p, task, IMAGES), ["no container step-clone"]);
  });

  it("says when Tekton's entrypoint init container is missing or carries another image", () => {
    const p = pod();
    p.spec.initContainers = [{ name: "place-scripts", image: "example.invalid/sh", securityContext: { ...TEKTON_INIT_SECURITY_CONTEXT } }];
    assert.deepStrictEqual(podDifferences(p, task, IMAGES), ['no init container "prepare" (Tekton\'s entrypoint) among place-scripts', "init container place-scripts: image example.invalid/sh, expected example.invalid/busybox"]);
  });
});
