import { appObjectMeta, AppObjectRef, KubernetesObject } from "./types";

/**
 * Tekton Triggers serves an EventListener through the Service `el-<listener>`, port 8080 (named
 * `http-listener`) unless the listener sets its own port or TLS (tektoncd/triggers
 * pkg/reconciler/eventlistener/resources/service.go; ours sets neither).
 */
export const EVENT_LISTENER_PORT = 8080;

export function eventListenerService(listener: string): string {
  return `el-${listener}`;
}

/** cert-manager's ingress-shim issues a certificate for an Ingress annotated with a ClusterIssuer. */
export const CERT_MANAGER_CLUSTER_ISSUER = "cert-manager.io/cluster-issuer";

/** `networking.k8s.io/v1` Ingress, the fields we set. */
export interface Ingress extends KubernetesObject<"networking.k8s.io/v1", "Ingress"> {
  spec: {
    ingressClassName?: string;
    tls?: { hosts: string[]; secretName: string }[];
    rules: {
      host: string;
      http: { paths: { path: string; pathType: "Prefix"; backend: { service: { name: string; port: { number: number } } } }[] };
    }[];
  };
}

export interface ListenerIngressArgs extends AppObjectRef {
  host: string;
  /** The EventListener whose Service receives the requests. */
  listener: string;
  className?: string;
  /** A TLS Secret in the namespace: one that exists, or the one cert-manager fills. */
  tlsSecret?: string;
  clusterIssuer?: string;
}

/** Routes `https://<host>/` to the listener's Service, so GitHub's webhook deliveries reach it. */
export function listenerIngress(a: ListenerIngressArgs): Ingress {
  const metadata = appObjectMeta(a, "listener");
  if (a.clusterIssuer) metadata.annotations = { [CERT_MANAGER_CLUSTER_ISSUER]: a.clusterIssuer };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata,
    spec: {
      ...(a.className ? { ingressClassName: a.className } : {}),
      ...(a.tlsSecret ? { tls: [{ hosts: [a.host], secretName: a.tlsSecret }] } : {}),
      rules: [
        {
          host: a.host,
          http: {
            paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: eventListenerService(a.listener), port: { number: EVENT_LISTENER_PORT } } } }],
          },
        },
      ],
    },
  };
}
