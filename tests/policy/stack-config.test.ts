import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../../components/config/stack-file";
import { checkSecretConfigEncrypted, secretConfigEncrypted } from "../../policy/rules";
import { PROJECT_DIR } from "../../policy/stack";
import { stackProject } from "../helpers/fixtures";
import { fakeStack, validateStack, violations } from "./harness";

const ENCRYPTED = "    secure: v1:AAAAfakeciphertext\n";
const owner = "  deliberate-image-builds:githubOwner: example-org\n";

function project(stack: string, config: string): string {
  return stackProject(stack, `config:\n${owner}${config}`);
}

describe("policy secret-config-encrypted", () => {
  it("looks in this repository's root by default, where the stack files are", () => {
    assert.ok(fs.existsSync(path.join(PROJECT_DIR, "Pulumi.yaml")));
  });

  it("passes this repository's stacks: their files hold no secret, and an encrypted one is fine", async () => {
    for (const stack of ["dev", "prod"]) {
      assert.deepStrictEqual(await validateStack(secretConfigEncrypted(fakeStack(stack))), { violations: [] }, stack);
    }
    const dir = project("prod", `  deliberate-image-builds:githubToken:\n${ENCRYPTED}  deliberate-image-builds:webhookSecret:\n${ENCRYPTED}`);
    assert.deepStrictEqual(await validateStack(secretConfigEncrypted(fakeStack("prod")), { projectDir: dir }), { violations: [] });
  });

  it("reports githubToken stored in plain text, naming the stack file, the key and the fix, not the value", async () => {
    const dir = project("prod", `  deliberate-image-builds:githubToken: ghp_FAKE_plaintext_token_0000000000\n  deliberate-image-builds:webhookSecret:\n${ENCRYPTED}`);
    const outcome = await validateStack(secretConfigEncrypted(fakeStack("prod")), { projectDir: dir });
    assert.deepStrictEqual(outcome.violations, [
      "Pulumi.prod.yaml holds deliberate-image-builds:githubToken in plain text; expected it encrypted (pulumi config set --secret githubToken --stack prod), so the stack file never carries it to a repository",
    ]);
  });

  it("reports every key Pulumi.yaml declares secret, webhookSecret as well", () => {
    const dir = project("dev", "  deliberate-image-builds:githubToken: fake-plaintext-token\n  deliberate-image-builds:webhookSecret: fake-plaintext-secret\n");
    assert.deepStrictEqual(violations((r) => checkSecretConfigEncrypted(readStackFile(dir, "dev"), "dev", r)), [
      "Pulumi.dev.yaml holds deliberate-image-builds:githubToken in plain text; expected it encrypted (pulumi config set --secret githubToken --stack dev), so the stack file never carries it to a repository",
      "Pulumi.dev.yaml holds deliberate-image-builds:webhookSecret in plain text; expected it encrypted (pulumi config set --secret webhookSecret --stack dev), so the stack file never carries it to a repository",
    ]);
  });

  it("is not applicable to a stack without a stack file here (its config lives elsewhere)", async () => {
    const dir = project("dev", "");
    assert.deepStrictEqual(await validateStack(secretConfigEncrypted(fakeStack("staging")), { projectDir: dir }), {
      violations: [],
      notApplicable: `Pulumi.staging.yaml is not in ${dir}: this stack keeps its config elsewhere`,
    });
  });
});
