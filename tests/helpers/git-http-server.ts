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
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `root` at http://127.0.0.1:<port>/<name>.git for user/token; with
 * `publicRead`, fetches need no credentials (as a public GitHub repository), pushes still do.
 */
export function serveRepositories(root: string, user: string, token: string, publicRead = false): Promise<GitHttpServer> {
  const expected = basicAuthorization(user, token);
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
    void serveGitRequest(root, req, res, user);
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
