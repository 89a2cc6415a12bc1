// The real Argo CD, as a cluster runs it, against the e2e's API server: the release's multi-call
// binary (argo-cd v3.6.1) as argocd-application-controller and argocd-repo-server, each its own
// process, with a redis; the install's objects they read applied first. What pulumi up writes is
// then judged by the code that syncs it: the Applications, the repo-creds Secret, the ops files.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { STACK_KEYS } from "../components/config/keys";
import { argocdCm, argocdNamespace, defaultProject, reconciliationEnv, tlsCertsCm, tlsCertsKey, toYamlStream } from "./argocd-manifests";
import { getJson, Kube, kubectl as kubectlOn, waitForEstablished } from "./controllers/kube";
import { Daemon, freePort, httpOk, startDaemon, waitFor } from "./processes";

export interface ArgoCdOptions {
  /** The multi-call `argocd` binary. */
  argocdBin: string;
  redisBin: string;
  /**
   * The release's hack/git-verify-wrapper.sh, which the image puts on PATH (Dockerfile) and the
   * repo-server runs on every git source, GPG on or off (reposerver/repository/repository.go
   * runRepoOperation calls util/git/client.go VerifyCommitSignature; a missing script fails manifest
   * generation with "permission denied").
   */
  gitVerifyWrapper: string;
  /** The folder holding `kustomize`, first on the repo-server's PATH (it runs `kustomize build`). */
  kustomizeDir: string;
  /** git for the repo-server. @default the first `git` on PATH */
  gitBin?: string;
  kubectl: string;
  /** An admin kubeconfig of the API server Argo CD runs in and deploys to. */
  kubeconfig: string;
  /** The PEM CA the git server's certificate is signed with. */
  caFile: string;
  /** The git server, `https://HOST:PORT`. */
  gitHost: string;
  /** Argo CD's manifests/crds folder (its kustomization lists the CRDs). */
  crdsDir: string;
  /** The run folder: each process logs to `<dir>/<name>.log`; their data lives under it. */
  dir: string;
  /** Argo CD's namespace. @default the stack's argocdNamespace default, `argocd` */
  namespace?: string;
}

/** pkg/apis/application/v1alpha1 SyncStatusCode. */
export type SyncStatusCode = "Synced" | "OutOfSync" | "Unknown";
/** gitops-engine pkg/health HealthStatusCode. */
export type HealthStatusCode = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
/** gitops-engine pkg/sync/common OperationPhase. */
export type OperationPhase = "Running" | "Succeeded" | "Failed" | "Error" | "Terminating";

export interface ManagedResource {
  group?: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: SyncStatusCode;
  health?: { status: HealthStatusCode; message?: string };
}

/** The fields of an Application's status the e2e reads (pkg/apis/application/v1alpha1/types.go ApplicationStatus). */
export interface ApplicationStatus {
  /** When the controller last compared the Application with the cluster (RFC 3339, whole seconds). */
  reconciledAt?: string;
  /** `comparedTo`: the source (repository, path, branch) the status was compared with. */
  sync?: { status: SyncStatusCode; revision?: string; comparedTo?: { source?: { repoURL?: string; path?: string; targetRevision?: string } } };
  health?: { status: HealthStatusCode; message?: string };
  operationState?: {
    phase: OperationPhase;
    message?: string;
    syncResult?: { revision: string; resources?: (ManagedResource & { message?: string })[] };
  };
  conditions?: { type: string; message: string }[];
  resources?: ManagedResource[];
}

export interface LiveApplication {
  metadata: { name: string; uid: string; finalizers?: string[]; deletionTimestamp?: string };
  status?: ApplicationStatus;
}

export interface ArgoCd {
  namespace: string;
  /** Each process's log. */
  logs: { redis: string; repoServer: string; controller: string };
  /** Wall time from the first object applied to the controller answering healthy. */
  readyMs: number;
  /** The Application as the API server has it now; undefined when there is none. */
  application(name: string): Promise<LiveApplication | undefined>;
  /** Polls until `want` holds for the Application's status; fails with the last status and the controller's log. */
  waitForApplication(name: string, want: (status: ApplicationStatus) => boolean, timeoutMs: number): Promise<ApplicationStatus>;
  /** Polls until the Application is gone: Argo CD has run its finalizer. */
  waitForApplicationGone(name: string, timeoutMs: number): Promise<void>;
  /** Ends the controller, the repo-server and redis, in that order. */
  stop(): Promise<void>;
}

/**
 * Synced to git, Healthy or Progressing (a kind whose health waits for a controller this cluster does
 * not run), and no sync operation running. The last matters: right after a first sync the controller
 * may compare before its cache holds what it applied, see OutOfSync and start a self-heal sync, which
 * leaves `sync.status` Synced while that operation still runs.
 */
export function syncedAndHealthy(status: ApplicationStatus): boolean {
  const settled = status.operationState === undefined || (status.operationState.phase !== "Running" && status.operationState.phase !== "Terminating");
  return settled && status.sync?.status === "Synced" && (status.health?.status === "Healthy" || status.health?.status === "Progressing");
}

/** The reconciliation a test wants: the install's default is 120 s with up to 60 s of jitter. */
const TEST_RECONCILIATION = { timeout: "10s", jitter: "0s" };

/** `AUTH` then `PING` in redis's protocol; true when redis answers both. */
function redisPing(port: number, password: string): Promise<boolean> {
  const command = (...parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write(command("AUTH", password) + command("PING")));
    socket.on("data", (d: Buffer) => {
      answer += d.toString("utf8");
      if (answer.includes("+PONG\r\n")) done(answer.startsWith("+OK\r\n"));
      else if (answer.startsWith("-")) done(false);
    });
  });
}


function gitOnPath(): string {
  const found = (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "git")).find((f) => fs.existsSync(f));
  if (!found) throw new Error("e2e: startArgoCd: no gitBin given and no git on PATH; the repo-server runs git");
  return found;
}

/**
 * The install's objects the two components read, then redis, the repo-server and the controller,
 * each waited for. Credentials for the git server are not made here: the controller finds them in
 * the repo-creds Secret the stack applied, as it would in a cluster.
 */
export async function startArgoCd(opts: ArgoCdOptions): Promise<ArgoCd> {
  const started = Date.now();
  const k: Kube = { kubectl: opts.kubectl, kubeconfig: opts.kubeconfig };
  const kubectl = (args: string[], input?: string) => kubectlOn(k, args, input);
  const namespace = opts.namespace ?? STACK_KEYS.argocdNamespace.default;
  const dir = path.resolve(opts.dir);
  const sub = (...p: string[]) => {
    const d = path.join(dir, ...p);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };

  // The CRDs as the release lists them; server-side, as the ApplicationSet CRD is too large for the
  // last-applied annotation of a client-side apply.
  await kubectl(["apply", "--server-side", "-k", opts.crdsDir]);
  await waitForEstablished(k, ["applications.argoproj.io", "appprojects.argoproj.io"]);
  const pem = fs.readFileSync(opts.caFile, "utf8");
  const cm = argocdCm(namespace, TEST_RECONCILIATION);
  const objects = [argocdNamespace(namespace), cm, tlsCertsCm(namespace, { [tlsCertsKey(opts.gitHost)]: pem }), defaultProject(namespace)];
  await kubectl(["apply", "--server-side", "-f", "-"], toYamlStream(objects));

  // argocd-tls-certs-cm as the repo-server's volume holds it: one file per key, read back from the API server.
  const tlsDir = sub("repo-server", "tls");
  const mounted = await getJson<{ data?: Record<string, string> }>(k, "configmap", "argocd-tls-certs-cm", namespace);
  for (const [key, value] of Object.entries(mounted?.data ?? {})) fs.writeFileSync(path.join(tlsDir, key), value);

  // The image's layout (Dockerfile): one binary, a link per component; the component is argv[0]'s
  // base name (cmd/main.go). `argocd` itself is git's askpass helper (util/askpass/server.go Environ).
  const binDir = sub("bin");
  for (const name of ["argocd", "argocd-repo-server", "argocd-application-controller"]) {
    const link = path.join(binDir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.resolve(opts.argocdBin), link);
  }
  // Copied, not linked: the module cache keeps its files read-only and not executable.
  fs.copyFileSync(opts.gitVerifyWrapper, path.join(binDir, "git-verify-wrapper.sh"));
  fs.chmodSync(path.join(binDir, "git-verify-wrapper.sh"), 0o755);

  const daemons: Daemon[] = [];
  const stop = async () => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  try {
    // redis as the install's argocd-redis runs it (manifests/base/redis/argocd-redis-deployment.yaml:
    // no snapshots, no append-only file, a password), the password in a file rather than on the command line.
    const redisPort = await freePort();
    const redisPassword = randomBytes(16).toString("hex");
    const redisConf = path.join(sub("redis"), "redis.conf");
    fs.writeFileSync(
      redisConf,
      [`bind 127.0.0.1`, `port ${redisPort}`, `save ""`, `appendonly no`, `dir ${path.dirname(redisConf)}`, `requirepass ${redisPassword}`, ""].join("\n"),
      { mode: 0o600 },
    );
    const redis = startDaemon("redis", opts.redisBin, [redisConf], dir);
    daemons.push(redis);
    await waitFor("redis", () => redisPing(redisPort, redisPassword), 30_000, redis.log);
    const redisAddress = `127.0.0.1:${redisPort}`;
    const common = { REDIS_PASSWORD: redisPassword, ...reconciliationEnv(cm) };

    const [repoPort, repoMetrics, controllerMetrics] = [await freePort(), await freePort(), await freePort()];
    const appConfig = sub("repo-server", "app-config");
    const repoServer = startDaemon(
      "argocd-repo-server",
      path.join(binDir, "argocd-repo-server"),
      ["--address", "127.0.0.1", "--port", String(repoPort), "--metrics-address", "127.0.0.1", "--metrics-port", String(repoMetrics), "--redis", redisAddress, "--logformat", "text"],
      dir,
      {
        ...common,
        // The image's tools first: this kustomize, the argocd links and the wrapper, this git.
        PATH: [path.resolve(opts.kustomizeDir), binDir, path.dirname(opts.gitBin ?? gitOnPath()), process.env.PATH ?? ""].join(path.delimiter),
        HOME: sub("repo-server", "home"),
        // The checkouts (reposerver/repository: os.TempDir()/_argocd-repo), in the run folder.
        TMPDIR: sub("repo-server", "tmp"),
        // common/common.go EnvVarTLSDataPath, EnvVarSSHDataPath: the install mounts argocd-tls-certs-cm
        // and argocd-ssh-known-hosts-cm there; no ssh repository here, so no known hosts.
        ARGOCD_TLS_DATA_PATH: tlsDir,
        ARGOCD_SSH_DATA_PATH: sub("repo-server", "ssh"),
        // util/sourceintegrity/source_integrity.go IsGPGEnabled: no keyring to set up.
        ARGOCD_GPG_ENABLED: "false",
        // common/common.go EnvAppConfigPath: where reposerver/server.go NewServer looks for its TLS pair
        // (none: it makes a self-signed one, as in an install without argocd-repo-server-tls); the
        // client CA of --client-ca-path is absent too, so no mTLS.
        ARGOCD_APP_CONF_PATH: appConfig,
        ARGOCD_REPO_SERVER_CLIENT_CA_PATH: path.join(appConfig, "reposerver", "mtls", "client-ca.crt"),
        // util/askpass/common.go: the socket git's askpass helper asks for credentials on (default /tmp).
        ARGOCD_ASK_PASS_SOCK: path.join(sub("repo-server"), "askpass.sock"),
      },
    );
    daemons.push(repoServer);
    // ?full=true: the repo-server dials its own gRPC endpoint (cmd/argocd-repo-server/commands: the liveness probe's check).
    await waitFor("argocd-repo-server", () => httpOk(`http://127.0.0.1:${repoMetrics}/healthz?full=true`), 60_000, repoServer.log);

    const controller = startDaemon(
      "argocd-application-controller",
      path.join(binDir, "argocd-application-controller"),
      [
        "--namespace", namespace,
        "--repo-server", `127.0.0.1:${repoPort}`,
        "--redis", redisAddress,
        "--metrics-port", String(controllerMetrics),
        "--status-processors", "2",
        "--operation-processors", "2",
        "--logformat", "text",
      ],
      dir,
      {
        ...common,
        PATH: process.env.PATH ?? "",
        HOME: sub("application-controller", "home"),
        KUBECONFIG: opts.kubeconfig,
        // pkg/apis/application/v1alpha1/types.go rawRestConfig: the in-cluster destination
        // https://kubernetes.default.svc is KUBECONFIG's cluster instead of the pod's service account.
        ARGOCD_FAKE_IN_CLUSTER: "true",
        // The install's StatefulSet sets it: one shard, no shard inferred from a pod name (controller/sharding).
        ARGOCD_CONTROLLER_REPLICAS: "1",
      },
    );
    daemons.push(controller);
    // /healthz answers once the Application and AppProject informers have synced (controller/appcontroller.go Run).
    await waitFor("argocd-application-controller", () => httpOk(`http://127.0.0.1:${controllerMetrics}/healthz`), 90_000, controller.log);

    const application = (name: string) => getJson<LiveApplication>(k, "applications.argoproj.io", name, namespace);
    return {
      namespace,
      logs: { redis: redis.log, repoServer: repoServer.log, controller: controller.log },
      readyMs: Date.now() - started,
      application,
      waitForApplication: async (name, want, timeoutMs) => {
        let last: ApplicationStatus | undefined;
        try {
          await waitFor(`Application ${name}`, async () => {
            last = (await application(name))?.status;
            return last !== undefined && want(last);
          }, timeoutMs, controller.log);
        } catch (err) {
          throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- its last status:\n${JSON.stringify(last ?? null, null, 2)}`);
        }
        return last as ApplicationStatus;
      },
      waitForApplicationGone: (name, timeoutMs) => waitFor(`Application ${name} gone`, async () => (await application(name)) === undefined, timeoutMs, controller.log),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
