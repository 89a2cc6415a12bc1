// What of a stock Argo CD install (argo-cd v3.6.1, manifests/) the application-controller and the
// repo-server read, as typed values rendered to YAML at the edge. Only those objects: the API server's
// (argocd-server) and Dex's settings, RBAC and the UI's are no part of syncing an Application.
import { stringify } from "yaml";
import { KubernetesObject } from "../components/kubernetes/types";

/** The label the settings manager selects ConfigMaps by (util/settings/settings.go initialize, partOfArgoCDSelector). */
const ARGOCD_PART_OF = { "app.kubernetes.io/part-of": "argocd" };

export interface Namespace extends KubernetesObject<"v1", "Namespace"> {}

export interface ConfigMap extends KubernetesObject<"v1", "ConfigMap"> {
  data: Record<string, string>;
}

/** A resource kind the controller neither watches nor shows (argocd-cm `resource.exclusions`). */
interface ResourceExclusion {
  apiGroups: string[];
  kinds: string[];
}

interface ClusterResourceRestriction {
  group: string;
  kind: string;
}

export interface AppProject extends KubernetesObject<"argoproj.io/v1alpha1", "AppProject"> {
  spec: {
    sourceRepos: string[];
    destinations: { server: string; namespace: string }[];
    clusterResourceWhitelist: ClusterResourceRestriction[];
  };
}

/** How often the controller compares every Application with git, and the repo-server forgets a branch's head. */
export interface Reconciliation {
  /** argocd-cm `timeout.reconciliation`, a Go duration. */
  timeout: string;
  /** argocd-cm `timeout.reconciliation.jitter`, a Go duration. */
  jitter: string;
}

/**
 * The stock exclusions (manifests/base/config/argocd-cm.yaml): high-churn kinds the control plane
 * writes on its own (Leases every few seconds, EndpointSlices), which the controller's cluster cache
 * would otherwise watch and process.
 */
const STOCK_EXCLUSIONS: ResourceExclusion[] = [
  { apiGroups: ["", "discovery.k8s.io"], kinds: ["Endpoints", "EndpointSlice"] },
  { apiGroups: ["coordination.k8s.io"], kinds: ["Lease"] },
  {
    apiGroups: ["authentication.k8s.io", "authorization.k8s.io"],
    kinds: ["SelfSubjectReview", "TokenReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"],
  },
  { apiGroups: ["certificates.k8s.io"], kinds: ["CertificateSigningRequest"] },
  { apiGroups: ["cert-manager.io"], kinds: ["CertificateRequest"] },
  { apiGroups: ["cilium.io"], kinds: ["CiliumIdentity", "CiliumEndpoint", "CiliumEndpointSlice"] },
  {
    apiGroups: ["kyverno.io", "reports.kyverno.io", "wgpolicyk8s.io"],
    kinds: ["PolicyReport", "ClusterPolicyReport", "EphemeralReport", "ClusterEphemeralReport", "AdmissionReport", "ClusterAdmissionReport", "BackgroundScanReport", "ClusterBackgroundScanReport", "UpdateRequest"],
  },
];

export function argocdNamespace(name: string): Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

/**
 * argocd-cm (manifests/base/config/argocd-cm.yaml). The controller cannot compare without it: every
 * comparison reads the tracking method, instance label key, installation ID and resource overrides
 * from it (controller/state.go CompareAppState; util/settings/settings.go getConfigMap, a NotFound
 * error when missing). Kept from the stock file: the exclusions and the `/status` updates ignored for
 * every kind; left out: the ignored annotations of kinds this cluster never runs (Rollouts, HPAs,
 * ReplicaSets, cluster-autoscaler's). The reconciliation keys are the ones the install's StatefulSet
 * and Deployment pass on as ARGOCD_RECONCILIATION_TIMEOUT and _JITTER (see reconciliationEnv).
 */
export function argocdCm(namespace: string, reconciliation: Reconciliation): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argocd-cm", namespace, labels: { "app.kubernetes.io/name": "argocd-cm", ...ARGOCD_PART_OF } },
    data: {
      "resource.customizations.ignoreResourceUpdates.all": stringify({ jsonPointers: ["/status"] }),
      "resource.exclusions": stringify(STOCK_EXCLUSIONS),
      "timeout.reconciliation": reconciliation.timeout,
      "timeout.reconciliation.jitter": reconciliation.jitter,
    },
  };
}

/**
 * The env the install maps argocd-cm's reconciliation keys to
 * (manifests/base/application-controller/argocd-application-controller-statefulset.yaml; the
 * repo-server Deployment passes the timeout alone): read by the controller's --app-resync and
 * --app-resync-jitter defaults (cmd/argocd-application-controller/commands/argocd_application_controller.go)
 * and the repo-server's --revision-cache-expiration default (reposerver/cache/cache.go).
 */
export function reconciliationEnv(cm: ConfigMap): { ARGOCD_RECONCILIATION_TIMEOUT: string; ARGOCD_RECONCILIATION_JITTER: string } {
  return { ARGOCD_RECONCILIATION_TIMEOUT: cm.data["timeout.reconciliation"], ARGOCD_RECONCILIATION_JITTER: cm.data["timeout.reconciliation.jitter"] };
}

/**
 * argocd-tls-certs-cm (manifests/base/config/argocd-tls-certs-cm.yaml, empty in the install): one key
 * per git server, its name the server's host without the port, its value the PEM certificates to
 * trust. The repo-server gets it mounted as files at ARGOCD_TLS_DATA_PATH and looks a server's file
 * up by that name (util/cert/cert.go GetCertificateForConnect, ServerNameWithoutPort), for go-git's
 * ls-remote (util/git/client.go GetRepoHTTPClient) and as git's GIT_SSL_CAINFO (runCmdOutput).
 */
export function tlsCertsCm(namespace: string, certificates: Record<string, string>): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "argocd-tls-certs-cm", namespace, labels: { "app.kubernetes.io/name": "argocd-tls-certs-cm", ...ARGOCD_PART_OF } },
    data: certificates,
  };
}

/** The key of a git server in argocd-tls-certs-cm: its host without the port, `127.0.0.1` for an IP. */
export function tlsCertsKey(gitHost: string): string {
  return new URL(gitHost).hostname;
}

/**
 * The `default` AppProject. No manifest holds it: argocd-server creates it on start
 * (server/server.go initializeDefaultProject), and without argocd-server here it is made as that
 * function makes it. The controller refuses an Application whose project does not exist
 * (controller/appcontroller.go: "Application referencing project ... which does not exist").
 */
export function defaultProject(namespace: string): AppProject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: "default", namespace },
    spec: {
      sourceRepos: ["*"],
      destinations: [{ server: "*", namespace: "*" }],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  };
}

/** One YAML stream, in order: what `kubectl apply -f -` reads. */
export function toYamlStream(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => stringify(o)).join("---\n");
}
