// Child processes of the e2e: each logs to its own file in the run folder and is ended with the run.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

const running = new Set<ChildProcess>();
function endAll(): void {
  for (const child of running) child.kill("SIGTERM");
}
process.on("exit", endAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    endAll();
    process.exit(130);
  });
}

export interface Daemon {
  name: string;
  log: string;
  stop(): Promise<void>;
}

/** Starts a long-running binary with its output in `<logDir>/<name>.log`. */
export function startDaemon(name: string, bin: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  const log = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(bin, args, { stdio: ["ignore", fd, fd], env });
  fs.closeSync(fd);
  running.add(child);
  let exited = false;
  child.on("exit", () => {
    exited = true;
    running.delete(child);
  });
  return {
    name,
    log,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.on("exit", () => {
          clearTimeout(force);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `ready` every 200 ms until it answers true, or fails naming what was awaited and its log. */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = log && fs.existsSync(log) ? `\n--- last lines of ${log}:\n${fs.readFileSync(log, "utf8").split("\n").slice(-15).join("\n")}` : "";
  throw new Error(`e2e: ${what} not ready after ${timeoutMs / 1000} s${tail}`);
}
