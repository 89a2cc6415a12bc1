// The e2e's registry for kpack's controller (`kpack-registry`, built by `npm run e2e:tools` from the
// project's own module e2e/tools/kpack-registry): go-containerregistry's in-process registry on loopback,
// holding synthetic stack, lifecycle and buildpackage images made to kpack's readers. kpack reads them
// and writes its builder images there; the kubelet stand-in reads a builder image's labels back, as the
// lifecycle in a real build pod would find them.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { Daemon, startDaemon, waitFor } from "../processes";

/** What the registry wrote to its -images file once every image was pushed (see its main.go). */
export interface RegistryImages {
  registry: string;
  stackId: string;
  buildImage: string;
  /** Two run images of the stack: the ClusterStack starts on the first and moves to the second. */
  runImages: [string, string];
  lifecycleImage: string;
  lifecycleVersion: string;
  buildpackId: string;
  /** Buildpackages by the buildpack version each carries ("0.0.1", "0.0.2"). */
  buildpackages: Record<string, string>;
}

export interface KpackRegistry {
  images: RegistryImages;
  daemon: Daemon;
  stop(): Promise<void>;
}

export async function startKpackRegistry(bin: string, logDir: string): Promise<KpackRegistry> {
  const imagesFile = path.join(logDir, "kpack-registry-images.json");
  fs.rmSync(imagesFile, { force: true });
  const daemon = startDaemon("kpack-registry", bin, ["-listen", "127.0.0.1:0", "-images", imagesFile], logDir, { PATH: process.env.PATH, HOME: process.env.HOME });
  try {
    await waitFor("the e2e's registry with its images", async () => fs.existsSync(imagesFile), 60_000, daemon.log);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  const images = JSON.parse(fs.readFileSync(imagesFile, "utf8")) as RegistryImages;
  return { images, daemon, stop: () => daemon.stop() };
}

function get(url: string, accept: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: accept }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (err) => reject(new Error(`GET ${url}: ${err.message}`)));
    req.on("timeout", () => req.destroy(new Error("timed out")));
  });
}

const MANIFEST_TYPES = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"].join(", ");

/**
 * An image ref of this registry split up: `host:port/repo:tag`, `host:port/repo@sha256:...`, or both a
 * tag and a digest (`host:port/repo:tag@sha256:...`, as kpack records its builder images), where the
 * digest is what names the image.
 */
export function parseRef(ref: string): { host: string; repo: string; reference: string } {
  const m = /^([^/]+)\/([^:@]+)(?::([^:@/]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(ref);
  const reference = m?.[4] ?? m?.[3];
  if (!m || !reference) throw new Error(`e2e: not an image ref of the e2e's registry (host/repo, then a tag or digest): ${ref}`);
  return { host: m[1], repo: m[2], reference };
}

/** An image's labels, read over the registry API (manifest, then config blob) from a ref of this registry. */
export async function imageLabels(ref: string): Promise<Record<string, string>> {
  const { host, repo, reference } = parseRef(ref);
  const manifest = await get(`http://${host}/v2/${repo}/manifests/${reference}`, MANIFEST_TYPES);
  if (manifest.status !== 200) throw new Error(`e2e: the registry has no manifest for ${ref} (${manifest.status}: ${manifest.body.slice(0, 200)})`);
  const configDigest = (JSON.parse(manifest.body) as { config?: { digest?: string } }).config?.digest;
  if (!configDigest) throw new Error(`e2e: the manifest of ${ref} names no config`);
  const config = await get(`http://${host}/v2/${repo}/blobs/${configDigest}`, "*/*");
  if (config.status !== 200) throw new Error(`e2e: the registry has no config blob ${configDigest} for ${ref} (${config.status})`);
  return (JSON.parse(config.body) as { config?: { Labels?: Record<string, string> } }).config?.Labels ?? {};
}
