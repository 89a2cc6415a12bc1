// A loopback TLS front for the GitHub double: the stack's gitHost must be https (as GitHub and GitHub
// Enterprise are), so the providers and git talk TLS to it, trusting a CA made for this run only.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";

export interface LoopbackCertificate {
  certFile: string;
  keyFile: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
export function loopbackCertificate(dir: string): LoopbackCertificate {
  const certFile = path.join(dir, "loopback.crt");
  const keyFile = path.join(dir, "loopback.key");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { certFile, keyFile };
}

export interface TlsFront {
  port: number;
  close(): Promise<void>;
}

/** Terminates TLS on a free loopback port and passes each connection on to `targetPort`, unchanged. */
export function tlsFront(cert: LoopbackCertificate, targetPort: number): Promise<TlsFront> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) }, (client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
