import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { controllerArgs, KO_IMAGES, RESTRICTED_FEATURE_FLAGS, tektonControllerRelease } from "../../../e2e/controllers/tekton-controller";
import { ManifestObject } from "../../../e2e/controllers/releases";

const SHELL = "cgr.dev/chainguard/busybox@sha256:19f02276bf8dbdd62f069b922f10c65262cc34b710eea26ff928129a736be791";

function controllerDeployment(args: string[]): ManifestObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "tekton-pipelines-controller", namespace: "tekton-pipelines" },
    spec: { template: { spec: { containers: [{ name: "tekton-pipelines-controller", args, env: [{ name: "SYSTEM_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }] }] } } },
  };
}

describe("e2e/controllers: Tekton's controller as its release runs it", () => {
  it("gives each ko:// image of the Deployment's args its e2e name and keeps the images the release pins", () => {
    const args = ["-entrypoint-image", "ko://github.com/tektoncd/pipeline/cmd/entrypoint", "-nop-image", "ko://github.com/tektoncd/pipeline/cmd/nop", "-shell-image", SHELL];
    assert.deepStrictEqual(controllerArgs([controllerDeployment(args)]), ["-entrypoint-image", "tekton.e2e.invalid/entrypoint", "-nop-image", "tekton.e2e.invalid/nop", "-shell-image", SHELL]);
    for (const name of Object.values(KO_IMAGES)) assert.match(name, /^tekton\.e2e\.invalid\//);
  });

  it("refuses a ko:// image it has no name for, naming it", () => {
    assert.throws(() => controllerArgs([controllerDeployment(["-new-image", "ko://github.com/tektoncd/pipeline/cmd/new"])]), /no image name for ko:\/\/github\.com\/tektoncd\/pipeline\/cmd\/new \(known: ko:\/\/.*entrypoint/);
    assert.throws(() => controllerArgs([]), /the release has no Deployment tekton-pipelines-controller/);
  });

  it("reads the controller's files from the release and sets set-security-context in its feature-flags ConfigMap", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tekton-release-"));
    const config = path.join(root, "config");
    fs.mkdirSync(config);
    const names = ["200-serviceaccount.yaml", "200-clusterrole.yaml", "200-role.yaml", "201-clusterrolebinding.yaml", "201-rolebinding.yaml", "config-leader-election-controller.yaml", "controller.yaml"];
    for (const f of names) fs.writeFileSync(path.join(config, f), `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${f.replace(/\W/g, "-")}, namespace: tekton-pipelines}\n`);
    fs.writeFileSync(path.join(config, "config-feature-flags.yaml"), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: feature-flags, namespace: tekton-pipelines}\ndata:\n  set-security-context: "false"\n  coschedule: "workspaces"\n');
    const flags = tektonControllerRelease(root).find((o) => o.kind === "ConfigMap");
    assert.deepStrictEqual(flags?.data, { ...RESTRICTED_FEATURE_FLAGS, coschedule: "workspaces" });
    assert.strictEqual(RESTRICTED_FEATURE_FLAGS["set-security-context"], "true");
    fs.rmSync(path.join(config, "controller.yaml"));
    assert.throws(() => tektonControllerRelease(root), /no .*controller\.yaml: run npm run e2e:tools/);
  });
});
