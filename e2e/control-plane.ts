// A Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager (for the
// namespace, garbage-collector and service-account controllers, so deletions finish and tokens can be
// issued). No kubelet: nothing runs pods; the controllers that need none run as processes beside it
// (e2e/controllers, e2e/argocd.ts), and the e2e runs the write-back's step itself (e2e/loop.ts).
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { stringify } from "yaml";
import { Binaries } from "./binaries";
import { Daemon, freePort, startDaemon, waitFor } from "./processes";

export interface ControlPlane {
  server: string;
  kubeconfig: string;
  /** The API server's audit log: who created each PipelineRun (JSON lines, see AUDIT_POLICY). */
  auditLog: string;
  stop(): Promise<void>;
}

/**
 * What the API server records: the creation of PipelineRuns, with the response (it carries the name a
 * generateName got), so the e2e can say which identity started each run. Nothing else.
 */
const AUDIT_POLICY = [
  "apiVersion: audit.k8s.io/v1",
  "kind: Policy",
  "omitStages: [RequestReceived]",
  "rules:",
  "  - level: RequestResponse",
  "    verbs: [create]",
  "    resources: [{ group: tekton.dev, resources: [pipelineruns] }]",
  "  - level: None",
  "",
].join("\n");

/** One PipelineRun creation as the audit log has it. */
export interface AuditedCreate {
  username: string;
  namespace: string;
  name: string;
  code: number;
}

/** The creations of a resource the audit log holds so far. */
export function auditedCreates(cluster: ControlPlane, resource: string): AuditedCreate[] {
  if (!fs.existsSync(cluster.auditLog)) return [];
  return fs
    .readFileSync(cluster.auditLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { verb: string; user: { username: string }; objectRef?: { resource?: string; namespace?: string }; responseStatus?: { code?: number }; responseObject?: { metadata?: { name?: string } } })
    .filter((e) => e.verb === "create" && e.objectRef?.resource === resource)
    .map((e) => ({ username: e.user.username, namespace: e.objectRef?.namespace ?? "", name: e.responseObject?.metadata?.name ?? "", code: e.responseStatus?.code ?? 0 }));
}

/** A fake bearer token, good for this run's API server only. */
const ADMIN_TOKEN = "e2e-fake-admin-token-not-a-credential";

/** A kubeconfig for one identity on this run's API server (its certificate is made for the run: not verified). */
export function kubeconfig(server: string, user = "admin", token = ADMIN_TOKEN, namespace = "default"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "e2e", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "e2e", context: { cluster: "e2e", user, namespace } }],
    "current-context": "e2e",
  });
}

function readyz(server: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${server}/readyz`, { rejectUnauthorized: false, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

export async function startControlPlane(bin: Binaries, dir: string): Promise<ControlPlane> {
  fs.mkdirSync(dir, { recursive: true });
  const daemons: Daemon[] = [];
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  daemons.push(
    startDaemon("etcd", bin.etcd, [
      "--data-dir", path.join(dir, "etcd"),
      "--listen-client-urls", etcdUrl, "--advertise-client-urls", etcdUrl,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync",
    ], dir),
  );

  // Service-account tokens need a signing key; made for this run and thrown away with it.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = path.join(dir, "sa.key");
  const saPub = path.join(dir, "sa.pub");
  fs.writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }));
  fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
  const tokens = path.join(dir, "tokens.csv");
  fs.writeFileSync(tokens, `${ADMIN_TOKEN},admin,admin,system:masters\n`);

  const server = `https://127.0.0.1:${apiPort}`;
  const auditPolicy = path.join(dir, "audit-policy.yaml");
  const auditLog = path.join(dir, "audit.log");
  fs.writeFileSync(auditPolicy, AUDIT_POLICY);
  daemons.push(
    startDaemon("kube-apiserver", bin["kube-apiserver"], [
      "--etcd-servers", etcdUrl,
      "--bind-address", "127.0.0.1",
      // Without a default route the API server cannot pick an address to advertise by itself.
      "--advertise-address", "127.0.0.1",
      "--secure-port", String(apiPort),
      "--cert-dir", path.join(dir, "certs"),
      "--token-auth-file", tokens,
      "--authorization-mode", "RBAC",
      "--service-account-issuer", "https://kubernetes.default.svc",
      "--service-account-key-file", saPub,
      "--service-account-signing-key-file", saKey,
      "--service-cluster-ip-range", "10.0.0.0/24",
      "--allow-privileged",
      "--disable-admission-plugins", "ServiceAccount",
      "--audit-policy-file", auditPolicy,
      "--audit-log-path", auditLog,
      "--audit-log-mode", "blocking",
    ], dir),
  );
  const apiLog = daemons[1].log;
  await waitFor("kube-apiserver", () => readyz(server), 90_000, apiLog);

  const config = path.join(dir, "kubeconfig");
  fs.writeFileSync(config, kubeconfig(server), { mode: 0o600 });
  daemons.push(
    startDaemon("kube-controller-manager", bin["kube-controller-manager"], [
      "--kubeconfig", config,
      "--authentication-kubeconfig", config,
      "--authorization-kubeconfig", config,
      "--leader-elect=false",
      "--controllers", "namespace,garbagecollector,serviceaccount",
      "--service-account-private-key-file", saKey,
      "--bind-address", "127.0.0.1",
      "--secure-port", String(await freePort()),
    ], dir),
  );

  return {
    server,
    kubeconfig: config,
    auditLog,
    stop: async () => {
      for (const d of daemons.reverse()) await d.stop();
    },
  };
}
