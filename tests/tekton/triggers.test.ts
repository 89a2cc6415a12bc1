import * as assert from "assert";
import { pushEventListener, pushTriggerBinding } from "../../components/tekton/triggers";
import { EventListener } from "../../components/tekton/types";
import { appEntry, plannedObject } from "../helpers/fixtures";

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
      { name: "filter", value: "body.ref == 'refs/heads/release/1.x' && body.repository.full_name.lowerAscii() == 'o/r' && !body.deleted" },
    ]);
  });

  it("matches the repository however GitHub and the config spell its case", () => {
    // GitHub owner and repository names are case-insensitive, and a push payload's full_name is spelt as
    // GitHub stores it. The cel ClusterInterceptor evaluates with cel-go's strings extension, which has
    // lowerAscii() (tektoncd/triggers v0.37.0 pkg/interceptors/cel/cel.go, makeCelEnv: ext.Strings()).
    const filter = (owner: string, repo: string) =>
      String(plannedObject<EventListener>("EventListener", { githubOwner: owner }, [appEntry("go-sample-app", { repo })]).spec.triggers[0].interceptors[1].params[0].value);
    const expected = "body.repository.full_name.lowerAscii() == 'example-org/go-sample-app'";
    for (const [owner, repo] of [["example-org", "go-sample-app"], ["Example-Org", "Go-Sample-App"], ["EXAMPLE-ORG", "go-SAMPLE-app"]]) {
      assert.ok(filter(owner, repo).includes(` && ${expected} && `), `${owner}/${repo}: ${filter(owner, repo)}`);
    }
  });

  it("escapes quotes in CEL literals", () => {
    const el = pushEventListener({
      name: "l", namespace: "n", app: "a", serviceAccount: "sa", binding: "b", template: "t",
      webhookSecret: { name: "s", key: "k" }, repositoryFullName: "o/r", branch: "it's",
    });
    assert.match(String(el.spec.triggers[0].interceptors[1].params[0].value), /'refs\/heads\/it\\'s'/);
  });

  it("adds a pull-request trigger: pull_request events only, the action, the base branch, the repository, and no fork unless all", () => {
    const triggers = (pullRequests: string, repo = "go-sample-app") =>
      plannedObject<EventListener>("EventListener", { githubOwner: "Example-Org" }, [appEntry("go-sample-app", { repo, branch: "main", pullRequests })]).spec.triggers;
    const [push, pr] = triggers("same-repository", "Go-Sample-App");
    assert.deepStrictEqual([push.name, pr.name, pr.bindings, pr.template], ["github-push", "github-pull-request", [{ ref: "go-sample-app-pr", kind: "TriggerBinding" }], { ref: "go-sample-app-pr-run" }]);
    assert.deepStrictEqual(pr.interceptors[0].params[1], { name: "eventTypes", value: ["pull_request"] });
    assert.strictEqual(
      pr.interceptors[1].params[0].value,
      "body.action in ['opened', 'synchronize', 'reopened'] && body.pull_request.base.ref == 'main' && body.repository.full_name.lowerAscii() == 'example-org/go-sample-app'" +
        " && body.pull_request.head.repo.full_name.lowerAscii() == body.repository.full_name.lowerAscii()",
    );
    assert.doesNotMatch(String(triggers("all")[1].interceptors[1].params[0].value), /head\.repo/, "all: forks too");
    assert.deepStrictEqual(triggers("off").map((t) => t.name), ["github-push"]);
  });
});
