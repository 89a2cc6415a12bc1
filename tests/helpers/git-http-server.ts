// A git smart-HTTP server on loopback that demands a token, so the step's credential helper is
// exercised for real: git's own http-backend behind a Basic-auth check.
import { execFileSync, spawn } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

function httpBackend(): string {
  return path.join(execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim(), "git-http-backend");
}

export interface GitHttpServer {
  url: string;
  /** Every Authorization header that arrived, to prove the token was sent only that way. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `root` at http://127.0.0.1:<port>/<name>.git for user/token; with
 * `publicRead`, fetches need no credentials (as a public GitHub repository), pushes still do.
 */
export function serveRepositories(root: string, user: string, token: string, publicRead = false): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${user}:${token}`).toString("base64")}`;
  const authorizations: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth) authorizations.push(auth);
    const isPush = (req.url ?? "").includes("git-receive-pack");
    if (auth !== expected && !(publicRead && !isPush)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("authentication required\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const cgi = spawn(httpBackend(), [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.replace(/^\?/, ""),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        REMOTE_USER: user,
        REMOTE_ADDR: "127.0.0.1",
        GIT_HTTP_RECEIVE_PACK: "true",
        HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (d: Buffer) => chunks.push(d));
    cgi.on("close", () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf("\r\n\r\n");
      const headerText = out.subarray(0, split).toString("latin1");
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split("\r\n")) {
        const i = line.indexOf(":");
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
        else if (name) headers[name] = value;
      }
      res.writeHead(status, headers);
      res.end(out.subarray(split + 4));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        authorizations,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
