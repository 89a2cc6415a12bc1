import * as assert from "assert";
import { DOCKER_CONFIG_JSON_KEY, secret, SecretArgs } from "../../components/kubernetes/secret";

const PART_OF = { "app.kubernetes.io/part-of": "deliberate-image-builds" };

describe("kubernetes: the one Secret builder", () => {
  it("builds each Secret type the program writes, labelled as part of deliberate-image-builds", () => {
    const at = { name: "s", namespace: "builds" };
    assert.deepStrictEqual(secret({ ...at, type: "Opaque", stringData: { GITHUB_TOKEN: "T" } }), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "builds", labels: PART_OF },
      type: "Opaque",
      stringData: { GITHUB_TOKEN: "T" },
    });
    const basicAuth = secret({ ...at, type: "kubernetes.io/basic-auth", stringData: { username: "x-access-token", password: "T" } });
    assert.deepStrictEqual([basicAuth.type, basicAuth.stringData], ["kubernetes.io/basic-auth", { username: "x-access-token", password: "T" }]);
    const dockerConfig = secret({ ...at, type: "kubernetes.io/dockerconfigjson", stringData: { [DOCKER_CONFIG_JSON_KEY]: "R" } });
    assert.deepStrictEqual([dockerConfig.type, dockerConfig.stringData], ["kubernetes.io/dockerconfigjson", { ".dockerconfigjson": "R" }]);
    for (const s of [basicAuth, dockerConfig]) assert.deepStrictEqual(s.metadata, { name: "s", namespace: "builds", labels: PART_OF });
  });

  it("adds labels and annotations beside the part-of label, which a given label cannot change", () => {
    const s = secret({
      name: "s",
      namespace: "argocd",
      labels: { "argocd.argoproj.io/secret-type": "repo-creds", "app.kubernetes.io/part-of": "other" },
      annotations: { "kpack.io/git": "https://github.com" },
      type: "Opaque",
      stringData: {},
    });
    assert.deepStrictEqual(s.metadata, {
      name: "s",
      namespace: "argocd",
      labels: { "argocd.argoproj.io/secret-type": "repo-creds", ...PART_OF },
      annotations: { "kpack.io/git": "https://github.com" },
    });
  });

  it("refuses, at compile time, a type without the keys Kubernetes requires of it", () => {
    const at = { name: "s", namespace: "builds" };
    // @ts-expect-error a basic-auth Secret needs a password
    const noPassword: SecretArgs<string> = { ...at, type: "kubernetes.io/basic-auth", stringData: { username: "u" } };
    // @ts-expect-error a docker config Secret holds its config.json under .dockerconfigjson
    const wrongKey: SecretArgs<string> = { ...at, type: "kubernetes.io/dockerconfigjson", stringData: { "config.json": "R" } };
    // @ts-expect-error only the types the program writes
    const tls: SecretArgs<string> = { ...at, type: "kubernetes.io/tls", stringData: {} };
    // The check is tsc's (npm test runs it first): each line above must fail to compile, or tsc fails on
    // an unused @ts-expect-error. Nothing here runs that could fail.
    void [noPassword, wrongKey, tls];
  });
});
