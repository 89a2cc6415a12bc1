import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploymentEnv, fillConfigMaps, forLoopback, ManifestObject, readRelease } from "../../../e2e/controllers/releases";

const SERVICE = { namespace: "tekton-pipelines", name: "tekton-pipelines-webhook", port: 40123 };

const webhookService: ManifestObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: SERVICE.name, namespace: SERVICE.namespace },
  spec: { ports: [{ name: "https-webhook", port: 443, targetPort: 8443 }], selector: { app: "webhook" } },
};
const otherService: ManifestObject = { ...webhookService, metadata: { name: "other", namespace: SERVICE.namespace } };
const validating: ManifestObject = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingWebhookConfiguration",
  metadata: { name: "validation.webhook.pipeline.tekton.dev" },
  webhooks: [
    { name: "validation.webhook.pipeline.tekton.dev", clientConfig: { service: { name: SERVICE.name, namespace: SERVICE.namespace } } },
    { name: "elsewhere", clientConfig: { service: { name: "other", namespace: SERVICE.namespace } } },
  ],
};
const crd: ManifestObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "tasks.tekton.dev" },
  spec: { group: "tekton.dev", conversion: { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"], clientConfig: { service: { name: SERVICE.name, namespace: SERVICE.namespace } } } } },
};
const interceptor: ManifestObject = {
  apiVersion: "triggers.tekton.dev/v1alpha1",
  kind: "ClusterInterceptor",
  metadata: { name: "github" },
  spec: { clientConfig: { service: { name: "core-interceptors", namespace: SERVICE.namespace, path: "github", port: 8443 } } },
};
const deployment: ManifestObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "tekton-pipelines-webhook", namespace: SERVICE.namespace },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: "webhook",
            env: [
              { name: "SYSTEM_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
              { name: "WEBHOOK_SERVICE_NAME", value: "tekton-pipelines-webhook" },
            ],
          },
        ],
      },
    },
  },
};

describe("e2e/controllers: the releases as this machine runs them", () => {
  const loopback = forLoopback([webhookService, otherService, validating, crd, deployment], [SERVICE]);

  it("leaves out the Deployments: the processes run here instead", () => {
    assert.deepStrictEqual(loopback.map((o) => o.kind), ["Service", "Service", "ValidatingWebhookConfiguration", "CustomResourceDefinition"]);
  });

  it("makes the webhook's Service an ExternalName to localhost, and only that Service", () => {
    assert.deepStrictEqual(loopback[0].spec, { type: "ExternalName", externalName: "localhost" });
    assert.deepStrictEqual(loopback[1].spec, otherService.spec);
  });

  it("gives every reference to the Service the port its process listens on, and no other reference", () => {
    const hooks = loopback[2].webhooks as { clientConfig: { service: { port?: number } } }[];
    assert.strictEqual(hooks[0].clientConfig.service.port, SERVICE.port);
    assert.strictEqual(hooks[1].clientConfig.service.port, undefined);
    const conversion = (loopback[3].spec as { conversion: { webhook: { clientConfig: { service: { port?: number; name: string } } } } }).conversion;
    assert.deepStrictEqual(conversion.webhook.clientConfig.service, { name: SERVICE.name, namespace: SERVICE.namespace, port: SERVICE.port });
  });

  it("points a ClusterInterceptor at its server by URL on localhost, keeping the path", () => {
    const [ci] = forLoopback([interceptor], [{ namespace: SERVICE.namespace, name: "core-interceptors", port: 8443 }]);
    assert.deepStrictEqual((ci.spec as { clientConfig: unknown }).clientConfig, { url: "https://localhost:8443/github" });
  });

  it("gives a process the Deployment's env, the namespace where the downward API would", () => {
    assert.deepStrictEqual(deploymentEnv([deployment], "tekton-pipelines-webhook"), { SYSTEM_NAMESPACE: "tekton-pipelines", WEBHOOK_SERVICE_NAME: "tekton-pipelines-webhook" });
  });

  it("refuses an env it cannot give, naming it", () => {
    const secretEnv = JSON.parse(JSON.stringify(deployment)) as ManifestObject;
    (secretEnv.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0].env.push({ name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } });
    assert.throws(() => deploymentEnv([secretEnv], "tekton-pipelines-webhook"), /env TOKEN comes from \{"secretKeyRef"/);
    assert.throws(() => deploymentEnv([], "nope"), /no Deployment nope/);
  });

  it("gives a ConfigMap's key the release fills in, and names a placeholder it left empty", () => {
    const withImage = JSON.parse(JSON.stringify(deployment)) as ManifestObject;
    (withImage.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0].env.push({ name: "REBASE_IMAGE", valueFrom: { configMapKeyRef: { name: "rebase-image", key: "image" } } });
    // As kpack's config/controller.yaml parses: the ytt data value is a comment, so the key is null.
    const placeholder: ManifestObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "rebase-image", namespace: SERVICE.namespace }, data: { image: null } };
    assert.throws(() => deploymentEnv([withImage, placeholder], "tekton-pipelines-webhook"), /env REBASE_IMAGE comes from ConfigMap tekton-pipelines\/rebase-image key image, which has no value/);
    const filled = fillConfigMaps([withImage, placeholder], [{ namespace: SERVICE.namespace, name: "rebase-image", key: "image", value: "example.invalid/rebase" }]);
    assert.strictEqual(deploymentEnv(filled, "tekton-pipelines-webhook").REBASE_IMAGE, "example.invalid/rebase");
    assert.deepStrictEqual(placeholder.data, { image: null }, "the release's objects are left as read");
    assert.throws(() => fillConfigMaps([withImage], [{ namespace: SERVICE.namespace, name: "completion-image", key: "image", value: "x" }]), /no ConfigMap tekton-pipelines\/completion-image/);
  });

  it("reads the objects of a release's files in order, skipping documents that are not objects (ytt schemas, comments)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
    fs.mkdirSync(path.join(root, "config", "crds"), { recursive: true });
    fs.writeFileSync(path.join(root, "config", "crds", "b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
    fs.writeFileSync(path.join(root, "config", "crds", "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n#@data/values-schema\n---\n");
    fs.writeFileSync(path.join(root, "config", "first.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n");
    const objects = readRelease({ root, files: ["config/first.yaml", "config/crds"] });
    assert.deepStrictEqual(objects.map((o) => o.metadata.name), ["ns", "a", "b"]);
    assert.throws(() => readRelease({ root, files: ["config/missing.yaml"] }), /no .*missing\.yaml: run npm run e2e:tools/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
