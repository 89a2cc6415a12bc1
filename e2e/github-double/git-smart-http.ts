// git's smart HTTP protocol served by git's own `git http-backend` (a CGI program), so clients talk
// to the real thing: the same code GitHub Enterprise's git front end speaks for.
import { execFileSync, spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { PostReceiveHook, RefUpdate } from "./post-receive";

let backendPath: string | undefined;

/** Where this machine's git keeps `git-http-backend`. */
function httpBackend(): string {
  backendPath ??= path.join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");
  return backendPath;
}

/** The git operation a smart-HTTP request belongs to: fetches read, only receive-pack writes. */
type GitService = "git-upload-pack" | "git-receive-pack";

/** `/<anything>.git/info/refs?service=S` and `/<anything>.git/S`, else undefined: not a git request. */
export function gitRequestOf(pathname: string, search: URLSearchParams): { repository: string; service: GitService; advertisement: boolean } | undefined {
  const advert = /^\/(.+\.git)\/info\/refs$/.exec(pathname);
  if (advert) {
    const service = search.get("service");
    if (service !== "git-upload-pack" && service !== "git-receive-pack") return undefined;
    return { repository: advert[1], service, advertisement: true };
  }
  const rpc = /^\/(.+\.git)\/(git-upload-pack|git-receive-pack)$/.exec(pathname);
  return rpc ? { repository: rpc[1], service: rpc[2] as GitService, advertisement: false } : undefined;
}

/** Who is told of a push's ref updates, and the hook that reports them. */
export interface PushListener {
  hook: PostReceiveHook;
  /** Called with the refs a push moved (never with an empty list). */
  onRefsUpdated(updates: RefUpdate[]): void;
}

/**
 * Answers one smart-HTTP request from the bare repositories under `root` (the URL path below the
 * server root names the repository, e.g. `/owner/name.git/info/refs`). The caller has authenticated
 * the request; `remoteUser` is what http-backend sees, and a non-empty one enables receive-pack
 * (pushes), as git-http-backend(1) documents. Resolves with the status sent.
 * `pushes`, when given, is told of the refs a push moved before its answer goes out, so whatever it
 * starts is under way by the time the client's `git push` returns.
 */
export function serveGitRequest(
  root: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  remoteUser: string,
  pushes?: PushListener,
): Promise<number> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const rpc = gitRequestOf(url.pathname, url.searchParams);
  // Only a push's RPC request runs hooks.
  const watch = pushes && rpc?.service === "git-receive-pack" && !rpc.advertisement ? pushes.hook.watch() : undefined;
  return new Promise((resolve) => {
    const cgi = spawn(httpBackend(), [], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.replace(/^\?/, ""),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        // Clients gzip large fetch negotiations; http-backend inflates them itself when told.
        HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
        REMOTE_USER: remoteUser,
        REMOTE_ADDR: "127.0.0.1",
        HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        ...watch?.env,
      },
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    cgi.stdout.on("data", (d: Buffer) => chunks.push(d));
    cgi.stderr.on("data", (d: Buffer) => errors.push(d));
    // A client that hangs up early makes the CGI's stdin close under us: not our failure to report.
    cgi.stdin.on("error", () => undefined);
    cgi.on("error", (err) => {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`git http-backend could not start: ${err.message}\n`);
      resolve(500);
    });
    req.pipe(cgi.stdin);
    cgi.on("close", () => {
      if (res.headersSent) return;
      try {
        const updates = watch?.takeUpdates() ?? [];
        if (updates.length > 0) pushes?.onRefsUpdated(updates);
      } catch (err) {
        // The push landed but what it did cannot be told: say so rather than let it pass unseen.
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`the push was received but its ref updates could not be read: ${err instanceof Error ? err.message : String(err)}\n`);
        resolve(500);
        return;
      }
      const out = Buffer.concat(chunks);
      // CGI headers end at the first blank line; http-backend writes CRLF, a CGI may write LF alone.
      const crlf = out.indexOf("\r\n\r\n");
      const lf = out.indexOf("\n\n");
      const [split, gap] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
      if (split < 0) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend answered without CGI headers: ${Buffer.concat(errors).toString("utf8")}\n`);
        resolve(500);
        return;
      }
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of out.subarray(0, split).toString("latin1").split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.end(out.subarray(split + gap));
      resolve(status);
    });
  });
}
