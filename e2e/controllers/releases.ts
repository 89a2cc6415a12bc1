// The release manifests of Tekton, Triggers and kpack, read from the files `npm run e2e:tools` copies
// out of each Go module (`<tools>/share/<tool>/config`), and changed only where a cluster without a
// kubelet needs it: the controllers run as processes on loopback, so the Deployments that would run them
// are left out, and the Service in front of each webhook becomes `type: ExternalName` with
// `externalName: localhost`. The API server resolves such a Service to `https://localhost:<port>`
// (k8s.io/apiserver pkg/util/proxy ResolveCluster), and still verifies the webhook's certificate
// against `<service>.<namespace>.svc`, which knative's self-issued certificate names
// (knative.dev/pkg webhook/certificates/resources CreateCerts). The port the process listens on is set
// in every webhook configuration and CRD conversion webhook that names the Service: knative's
// reconcilers set only the CA bundle and path there (validation/reconcile_config.go, defaulting.go),
// so the port stays as applied. A ClusterInterceptor is called by the EventListener sink itself, which
// cannot resolve a Service name here: it gets the `clientConfig.url` form, `https://localhost:<port>/<path>`
// (pkg/interceptors ResolveToURL takes the url when there is one).
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface ServiceReference {
  name: string;
  namespace: string;
  port?: number;
  path?: string;
}

interface ClientConfig {
  service?: ServiceReference;
  url?: string;
  caBundle?: string;
}

/** A release's files to apply: folders are read whole, files as they are; in this order. */
export interface ReleaseFiles {
  /** `<tools>/share/<tool>`, holding the module's `config` folder. */
  root: string;
  files: string[];
}

function isManifestObject(doc: unknown): doc is ManifestObject {
  const o = doc as Partial<ManifestObject> | null;
  return !!o && typeof o.apiVersion === "string" && typeof o.kind === "string" && typeof o.metadata?.name === "string";
}

/** Every Kubernetes object of the listed files, in order; a file that is missing is an error naming it. */
export function readRelease(release: ReleaseFiles): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const entry of release.files) {
    const full = path.join(release.root, entry);
    if (!fs.existsSync(full)) throw new Error(`e2e: no ${full}: run npm run e2e:tools (it copies each controller's release manifests there)`);
    const files = fs.statSync(full).isDirectory() ? fs.readdirSync(full).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(full, f)) : [full];
    for (const file of files) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        if (doc.errors.length > 0) throw new Error(`e2e: ${file}: ${doc.errors[0].message}`);
        const value: unknown = doc.toJS();
        if (isManifestObject(value)) objects.push(value);
      }
    }
  }
  return objects;
}

/** Kinds a release ships that run pods or scale them: nothing runs pods here, so they are not applied. */
const PROCESS_KINDS = new Set(["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"]);

/** Where the release's webhook Service is served from on this machine. */
export interface LoopbackService {
  namespace: string;
  name: string;
  port: number;
}

function servedHere(ref: ServiceReference | undefined, services: LoopbackService[]): LoopbackService | undefined {
  return ref && services.find((s) => s.name === ref.name && s.namespace === ref.namespace);
}

function withPort(config: ClientConfig, services: LoopbackService[]): ClientConfig {
  const here = servedHere(config.service, services);
  return here && config.service ? { ...config, service: { ...config.service, port: here.port } } : config;
}

/**
 * The release's objects as this machine applies them: no Deployments, each listed Service an
 * ExternalName to localhost, and each reference to it carrying the port its process listens on.
 */
export function forLoopback(objects: ManifestObject[], services: LoopbackService[]): ManifestObject[] {
  return objects
    .filter((o) => !PROCESS_KINDS.has(o.kind))
    .map((o) => {
      if (o.kind === "Service" && servedHere({ name: o.metadata.name, namespace: o.metadata.namespace ?? "" }, services)) {
        return { ...o, spec: { type: "ExternalName", externalName: "localhost" } };
      }
      if (o.kind === "ValidatingWebhookConfiguration" || o.kind === "MutatingWebhookConfiguration") {
        const webhooks = (o.webhooks as { clientConfig: ClientConfig }[] | undefined) ?? [];
        return { ...o, webhooks: webhooks.map((w) => ({ ...w, clientConfig: withPort(w.clientConfig, services) })) };
      }
      const interceptor = (o.spec as { clientConfig?: ClientConfig } | undefined)?.clientConfig;
      const here = o.kind === "ClusterInterceptor" ? servedHere(interceptor?.service, services) : undefined;
      if (here) {
        const spec = o.spec as Record<string, unknown>;
        return { ...o, spec: { ...spec, clientConfig: { url: `https://localhost:${here.port}/${interceptor?.service?.path ?? ""}` } } };
      }
      const conversion = (o.spec as { conversion?: { webhook?: { clientConfig?: ClientConfig } } } | undefined)?.conversion;
      if (o.kind === "CustomResourceDefinition" && conversion?.webhook?.clientConfig) {
        const spec = o.spec as Record<string, unknown>;
        return { ...o, spec: { ...spec, conversion: { ...conversion, webhook: { ...conversion.webhook, clientConfig: withPort(conversion.webhook.clientConfig, services) } } } };
      }
      return o;
    });
}

interface Container {
  name: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string }; configMapKeyRef?: { name: string; key: string } };
  }[];
}

/** A ConfigMap's value under one key, from the release's objects; undefined when it has none. */
function configMapValue(objects: ManifestObject[], namespace: string, name: string, key: string): string | undefined {
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name && (o.metadata.namespace ?? "") === namespace);
  const value = (cm?.data as Record<string, unknown> | undefined)?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function deploymentContainer(objects: ManifestObject[], deployment: string): { container: Container; namespace: string } {
  const d = objects.find((o) => o.kind === "Deployment" && o.metadata.name === deployment);
  if (!d) throw new Error(`e2e: the release has no Deployment ${deployment}`);
  const containers = (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
  return { container: containers[0], namespace: d.metadata.namespace ?? "" };
}

/** The args the release's Deployment gives its container, as written (placeholders included). */
export function deploymentArgs(objects: ManifestObject[], deployment: string): string[] {
  return deploymentContainer(objects, deployment).container.args ?? [];
}

/**
 * The environment the release's Deployment gives its container: plain values, the namespace where the
 * downward API would fill it in, and a ConfigMap's key from the release's own ConfigMaps (as applied,
 * so a placeholder the release leaves empty must have been filled first: see fillConfigMaps). Any other
 * `valueFrom`, or a ConfigMap key with no value, is an error naming it: the e2e would not know what the
 * process lacks.
 */
export function deploymentEnv(objects: ManifestObject[], deployment: string): Record<string, string> {
  const { container, namespace } = deploymentContainer(objects, deployment);
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = namespace;
    else if (ref) {
      const value = configMapValue(objects, namespace, ref.name, ref.key);
      if (value === undefined) throw new Error(`e2e: Deployment ${deployment}: env ${e.name} comes from ConfigMap ${namespace}/${ref.name} key ${ref.key}, which has no value`);
      env[e.name] = value;
    } else throw new Error(`e2e: Deployment ${deployment}: env ${e.name} comes from ${JSON.stringify(e.valueFrom)}, which the e2e cannot give a process`);
  }
  return env;
}

/**
 * The release's objects with ConfigMap keys set: a release template leaves some values to its install
 * (ytt's data values), and a ConfigMap named here that the release does not ship is an error naming it.
 */
export function fillConfigMaps(objects: ManifestObject[], values: { namespace: string; name: string; key: string; value: string }[]): ManifestObject[] {
  for (const v of values) {
    if (!objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === v.name && o.metadata.namespace === v.namespace)) {
      throw new Error(`e2e: the release has no ConfigMap ${v.namespace}/${v.name} to set ${v.key} in`);
    }
  }
  return objects.map((o) => {
    const mine = values.filter((v) => o.kind === "ConfigMap" && o.metadata.name === v.name && o.metadata.namespace === v.namespace);
    if (mine.length === 0) return o;
    const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
    for (const v of mine) data[v.key] = v.value;
    return { ...o, data };
  });
}
