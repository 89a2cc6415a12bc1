import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseSettings } from "../../components/config/parse";
import { STACK_KEYS } from "../../components/config/keys";
import { readStackFile } from "../../components/config/stack-file";
import { stackProject } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");

describe("config: Pulumi.yaml and the stack files", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

  it("declares every scalar key with the program's type, description, default and secrecy", () => {
    for (const [key, spec] of Object.entries(STACK_KEYS)) {
      if (spec.type === "array" && !("items" in spec)) continue; // apps: a list of objects; see the comment there
      if ("optionalSecret" in spec) {
        assert.strictEqual(project.config[key], undefined, `${key}: an optional secret cannot be declared (see the comment there)`);
        continue;
      }
      const declared = project.config[key];
      assert.ok(declared, `Pulumi.yaml does not declare ${key}`);
      assert.strictEqual(declared.type, spec.type, key);
      assert.deepStrictEqual(declared.items, "items" in spec ? spec.items : undefined, key);
      assert.strictEqual(declared.description, spec.description, key);
      assert.deepStrictEqual(declared.default, "default" in spec ? spec.default : undefined, key);
      assert.strictEqual(declared.secret, "secret" in spec ? spec.secret : undefined, key);
    }
    assert.deepStrictEqual(
      Object.keys(project.config).sort(),
      Object.entries(STACK_KEYS)
        .filter(([k, spec]) => k !== "apps" && !("optionalSecret" in spec))
        .map(([k]) => k)
        .sort(),
    );
  });

  it("declares nothing the engine refuses before the program runs: no secret key with a default", () => {
    // pulumi/pulumi ValidateStackConfigAndApplyProjectConfig (validateStackConfigValue): a declared secret
    // key whose value would come from its default fails every preview with "configuration key 'k' must
    // be encrypted as it's secret", in every stack that leaves it unset.
    for (const [key, declared] of Object.entries(project.config as Record<string, { secret?: boolean; default?: unknown }>)) {
      assert.ok(!(declared.secret && "default" in declared), `${key} is declared secret with a default`);
    }
  });

  it("makes the dev stack the seed's go-sample-app and prod a second environment", () => {
    const dev = parseSettings(readStackFile(ROOT, "dev").raw);
    assert.deepStrictEqual(dev.apps.map((a) => [a.name, a.repo, a.opsRepository]), [["go-sample-app", "go-sample-app", "go-sample-app-ops"]]);
    const prod = parseSettings(readStackFile(ROOT, "prod").raw);
    assert.ok(prod.apps.length >= 2);
    assert.ok(prod.apps.every((a) => a.webhookUrl?.startsWith("https://")));
  });

  it("sees a secret only as set, and tells plaintext secrets apart", () => {
    const dir = stackProject(
      "t",
      "config:\n  deliberate-image-builds:githubToken: fake-plaintext-token\n  deliberate-image-builds:webhookSecret:\n    secure: v1:AAAAfakeciphertext\n",
    );
    const f = readStackFile(dir, "t");
    assert.deepStrictEqual(f.plaintextSecrets, ["githubToken"]);
    assert.ok(!JSON.stringify(f).includes("fake-plaintext-token"));
    assert.ok(!JSON.stringify(f).includes("fakeciphertext"));
  });

  it("starts the program the way Pulumi.yaml tells pulumi up to, types stripped, no ts-node", function () {
    this.timeout(20000);
    assert.strictEqual(project.runtime.options.typescript, false);
    const nodeArgs = String(project.runtime.options.nodeargs).split(/\s+/);
    const r = spawnSync(process.execPath, [...nodeArgs, "bench/evaluate.js"], { cwd: ROOT, encoding: "utf8" });
    assert.strictEqual(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    // 2 providers; the stack's reference to its own previous outputs; the namespace's component and
    // its 2 Secrets; the credentials' component, Argo CD's repository credentials, kpack's git Secret
    // and the Image's service account; the app's component, its 4 ops repository files, its webhook
    // Secret, its AppProject, 2 accounts, the listener's Role, ClusterRole and their 2 bindings, and 2
    // Argo CD Applications (the dev stack sets no webhook URL).
    assert.strictEqual(report.resources, 29, "every resource of the dev stack registered");
    assert.doesNotMatch(r.stderr, /ts-node/);
  });

  it("fails clearly for a stack without a file", () => {
    assert.throws(() => readStackFile(ROOT, "nope"), /Pulumi\.nope\.yaml not found/);
  });
});
