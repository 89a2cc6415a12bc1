import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { auditedCreates, ControlPlane } from "../../e2e/control-plane";

/** Audit events as kube-apiserver writes them (k8s.io/apiserver pkg/apis/audit Event, one JSON per line). */
function event(verb: string, resource: string, username: string, name: string, code: number): string {
  return JSON.stringify({
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    stage: "ResponseComplete",
    verb,
    user: { username, groups: ["system:serviceaccounts"] },
    objectRef: { resource, namespace: "default", apiGroup: "tekton.dev", apiVersion: "v1" },
    responseStatus: { metadata: {}, code },
    responseObject: { kind: "PipelineRun", metadata: { name, namespace: "default" } },
  });
}

describe("e2e: the control plane's audit log", () => {
  it("names who created each PipelineRun, with the name its generateName got, and nothing else", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
    const auditLog = path.join(dir, "audit.log");
    const cluster = { auditLog } as ControlPlane;
    assert.deepStrictEqual(auditedCreates(cluster, "pipelineruns"), [], "no log yet: no creations");
    fs.writeFileSync(
      auditLog,
      [
        event("create", "pipelineruns", "system:serviceaccount:default:app-listener", "app-build-x7k2p", 201),
        event("get", "pipelineruns", "admin", "app-build-x7k2p", 200),
        event("create", "taskruns", "system:serviceaccount:tekton-pipelines:controller", "app-build-x7k2p-clone", 201),
        event("create", "pipelineruns", "admin", "app-build-9zz9q", 403),
        "",
      ].join("\n"),
    );
    assert.deepStrictEqual(auditedCreates(cluster, "pipelineruns"), [
      { username: "system:serviceaccount:default:app-listener", namespace: "default", name: "app-build-x7k2p", code: 201 },
      { username: "admin", namespace: "default", name: "app-build-9zz9q", code: 403 },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
