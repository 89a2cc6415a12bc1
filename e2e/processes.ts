// Child processes of the e2e and the tests: daemons, each logging to its own file in the run folder and
// ended with the run, and the one way a process is run to its end for its output.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";

export interface ProcessResult {
  /** The exit status; -1 when a signal ended it. */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time from start to exit. */
  ms: number;
}

/**
 * Runs `command` to its end and collects its output, without blocking the event loop: the server it
 * talks to (the GitHub double, a loopback git server) may run in this same process, which a synchronous
 * child would starve. `input` is its stdin when given; otherwise it reads none. Rejects only when the
 * command cannot start, naming it; what a non-zero exit means is the caller's to say.
 */
export function runProcess(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (d: Buffer) => stdout.push(d));
    child.stderr?.on("data", (d: Buffer) => stderr.push(d));
    child.on("error", (err) => reject(new Error(`${command} could not start: ${err.message}`)));
    child.on("close", (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), ms: Date.now() - started }),
    );
    if (child.stdin) {
      // A process may exit before reading all its input: its exit status says why, not a write error.
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

const running = new Set<ChildProcess>();
let endsWithRun = false;
/**
 * Daemons end with the run, however it ends. Set up with the first daemon, so that a test process
 * importing this module for runProcess keeps its own exit and signal handling.
 */
function endDaemonsWithRun(): void {
  if (endsWithRun) return;
  endsWithRun = true;
  // SIGKILL: nothing waits for a graceful stop once the run ends, and a daemon still shutting down
  // would outlive it (a kube-apiserver whose etcd got the same signal was seen running 40 minutes on).
  const endAll = () => {
    for (const child of running) child.kill("SIGKILL");
  };
  process.on("exit", endAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      endAll();
      process.exit(130);
    });
  }
}

export interface Daemon {
  name: string;
  log: string;
  stop(): Promise<void>;
}

/** Starts a long-running binary with its output in `<logDir>/<name>.log`. */
export function startDaemon(name: string, bin: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  endDaemonsWithRun();
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

/** A readiness probe over plain http: true when the URL answers 200 within 2 s. */
export function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}
