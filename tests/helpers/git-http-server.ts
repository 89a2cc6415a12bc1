// A git smart-HTTP server on loopback that demands a token, so the step's credential helper is
// exercised for real: git's own http-backend behind a Basic-auth check.
import * as http from "http";
import { AddressInfo } from "net";
import { serveGitRequest } from "../../e2e/github-double/git-smart-http";
import { basicAuthorization } from "./git-world";

interface GitHttpServer {
  url: string;
  /** Every Authorization header that arrived, to prove the token was sent only that way. */
  authorizations: string[];
  /** Every request, as `METHOD path Authorization`, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Fetches need no credentials (as a public GitHub repository); pushes still do. */
  publicRead?: boolean;
  /** Another token that may fetch but never push: the read-only one. */
  readToken?: string;
  /** Called once git's answer to a fetch of `<name>.git` has gone out: e.g. another run pushes then. */
  afterFetch?(repository: string): void;
  /** Requests this answers never: a host that accepts and then goes silent. */
  stall?(request: { method: string; url: string }): boolean;
  /** Each request waits this long before it is served: a round trip to GitHub rather than to loopback. */
  latencyMs?: number;
}

/** Serves the bare repositories under `root` at http://127.0.0.1:<port>/<name>.git for user/token. */
export function serveRepositories(root: string, user: string, token: string, options: ServeOptions = {}): Promise<GitHttpServer> {
  const writer = basicAuthorization(user, token);
  const reader = options.readToken === undefined ? undefined : basicAuthorization(user, options.readToken);
  const authorizations: string[] = [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) authorizations.push(auth);
    requests.push(`${req.method} ${req.url} ${auth ?? "-"}`);
    const url = req.url ?? "";
    if (options.stall?.({ method: req.method ?? "", url })) return;
    const isPush = url.includes("git-receive-pack");
    const allowed = auth === writer || (!isPush && (options.publicRead || (reader !== undefined && auth === reader)));
    if (!allowed) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("authentication required\n");
      return;
    }
    const fetched = /^\/([^/]+)\.git\/git-upload-pack$/.exec(url)?.[1];
    if (fetched && options.afterFetch) res.on("finish", () => options.afterFetch?.(fetched));
    if (options.latencyMs) setTimeout(() => void serveGitRequest(root, req, res, user), options.latencyMs);
    else void serveGitRequest(root, req, res, user);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        authorizations,
        requests,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
