// Runs the GitHub double as its own process:
//   node --require ./scripts/register-ts.js e2e/github-double/main.ts --root DIR --owner O --token-env VAR [--port N]
//     [--repository NAME[@BRANCH]]...
// creates each --repository not in DIR yet (empty, BRANCH its default branch, "main" if not given),
// prints the API base URL (the provider's baseUrl) on stdout and serves until SIGTERM or SIGINT.
// A root served before keeps its repositories and webhooks.
// The token is read from the named environment variable so it never shows in a process list.
import { parseArgs } from "node:util";
import { startGitHubDouble } from "./server";

const USAGE = "usage: main.ts --root DIR --owner O --token-env VAR [--port N] [--repository NAME[@BRANCH]]...";

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      root: { type: "string" },
      owner: { type: "string" },
      "token-env": { type: "string" },
      port: { type: "string" },
      repository: { type: "string", multiple: true },
    },
  });
  const required = (name: "root" | "owner" | "token-env"): string => {
    const value = values[name];
    if (!value) throw new Error(`--${name} is required (${USAGE})`);
    return value;
  };
  const root = required("root");
  const owner = required("owner");
  const tokenEnv = required("token-env");
  const token = process.env[tokenEnv];
  if (!token) throw new Error(`environment variable ${tokenEnv} (named by --token-env) is empty or unset`);
  const portText = values.port;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`--port must be a TCP port number, got ${JSON.stringify(portText)}`);

  const double = await startGitHubDouble({ root, owner, token, port });
  for (const repository of values.repository ?? []) {
    const [name, branch] = repository.split("@");
    if (!name) throw new Error("--repository needs a NAME[@BRANCH] after it");
    if (!double.repositoryNames().includes(name)) await double.createRepository(name, { defaultBranch: branch || "main" });
  }
  process.stdout.write(`${double.apiUrl}\n`);
  const stop = () => {
    double.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`closing the GitHub double failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`github-double: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
