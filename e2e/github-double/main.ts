// Runs the GitHub double as its own process:
//   node --require ./scripts/register-ts.js e2e/github-double/main.ts --root DIR --owner O --token-env VAR [--port N]
//     [--repository NAME[@BRANCH]]...
// creates each --repository not in DIR yet (empty, BRANCH its default branch, "main" if not given),
// prints the API base URL (the provider's baseUrl) on stdout and serves until SIGTERM or SIGINT.
// A root served before keeps its repositories and webhooks.
// The token is read from the named environment variable so it never shows in a process list.
import { argValue } from "../../scripts/args";
import { startGitHubDouble } from "./server";

function required(args: string[], name: string): string {
  const value = argValue(args, name);
  if (!value || value.startsWith("--")) throw new Error(`${name} is required (usage: main.ts --root DIR --owner O --token-env VAR [--port N] [--repository NAME[@BRANCH]]...)`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const root = required(args, "--root");
  const owner = required(args, "--owner");
  const tokenEnv = required(args, "--token-env");
  const token = process.env[tokenEnv];
  if (!token) throw new Error(`environment variable ${tokenEnv} (named by --token-env) is empty or unset`);
  const portText = argValue(args, "--port");
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`--port must be a TCP port number, got ${JSON.stringify(portText)}`);

  const double = await startGitHubDouble({ root, owner, token, port });
  for (let i = args.indexOf("--repository"); i >= 0; i = args.indexOf("--repository", i + 1)) {
    const [name, branch] = (args[i + 1] ?? "").split("@");
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
