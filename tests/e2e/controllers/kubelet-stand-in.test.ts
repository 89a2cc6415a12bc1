import * as assert from "assert";
import { gunzipSync } from "zlib";
import { BuildMetadata, terminationMessage } from "../../../e2e/controllers/kubelet-stand-in";

const metadata: BuildMetadata = {
  buildpackMetadata: [{ id: "example/go", version: "0.0.1" }],
  latestCacheImage: "",
  latestImage: "registry.example.com/example-org/loop-app@sha256:" + "a".repeat(64),
  stackID: "io.example.e2e.stack",
  stackRunImage: "127.0.0.1:5000/builders/default-run-image@sha256:" + "b".repeat(64),
  lifecycleVersion: "0.20.12",
};

describe("e2e: the kubelet stand-in's completion message", () => {
  it("is what kpack decodes: base64 of gzipped JSON with BuildMetadata's field names (pkg/cnb DecompressBuildMetadata)", () => {
    const message = terminationMessage(metadata);
    assert.match(message, /^[A-Za-z0-9+/]+=*$/);
    const decoded = JSON.parse(gunzipSync(Buffer.from(message, "base64")).toString("utf8")) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(decoded).sort(), ["buildpackMetadata", "latestCacheImage", "latestImage", "lifecycleVersion", "stackID", "stackRunImage"]);
    assert.deepStrictEqual(decoded, metadata);
  });

  it("refuses metadata over a termination message's 4096 bytes, as kpack's completion does", () => {
    // Incompressible: random-looking ids.
    const many = Array.from({ length: 400 }, (_, i) => ({ id: `bp-${(i * 2654435761).toString(36)}-${(i * 40503).toString(16)}`, version: `${i}.${i * 7}.${i * 13}` }));
    assert.throws(() => terminationMessage({ ...metadata, buildpackMetadata: many }), /over a termination message's 4096/);
  });
});
