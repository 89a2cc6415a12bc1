import * as assert from "assert";
import { pushEventListener, pushTriggerBinding } from "../../components/tekton/triggers";

describe("tekton: triggers", () => {
  it("binds REPO_URL and REVISION from a GitHub push payload", () => {
    const b = pushTriggerBinding({ name: "b", namespace: "n", app: "a" });
    assert.deepStrictEqual(b.spec.params, [
      { name: "REPO_URL", value: "$(body.repository.clone_url)" },
      { name: "REVISION", value: "$(body.after)" },
    ]);
  });

  it("checks the webhook signature, push events only, and filters to the branch and repository", () => {
    const el = pushEventListener({
      name: "l",
      namespace: "n",
      app: "a",
      serviceAccount: "sa",
      binding: "b",
      template: "t",
      webhookSecret: { name: "s", key: "k" },
      repositoryFullName: "o/r",
      branch: "release/1.x",
    });
    const [github, cel] = el.spec.triggers[0].interceptors;
    assert.strictEqual(github.ref.name, "github");
    assert.deepStrictEqual(github.params, [
      { name: "secretRef", value: { secretName: "s", secretKey: "k" } },
      { name: "eventTypes", value: ["push"] },
    ]);
    assert.deepStrictEqual(cel.params, [
      { name: "filter", value: "body.ref == 'refs/heads/release/1.x' && body.repository.full_name == 'o/r' && !body.deleted" },
    ]);
  });

  it("escapes quotes in CEL literals", () => {
    const el = pushEventListener({
      name: "l", namespace: "n", app: "a", serviceAccount: "sa", binding: "b", template: "t",
      webhookSecret: { name: "s", key: "k" }, repositoryFullName: "o/r", branch: "it's",
    });
    assert.match(String(el.spec.triggers[0].interceptors[1].params[0].value), /'refs\/heads\/it\\'s'/);
  });
});
