// What an app's objects may do: the AppProject its Applications sync in, the accounts and the
// listener's roles. All applied by Pulumi; none in the ops repository.
import * as assert from "assert";
import { accessObjects, planStack } from "../../components/plan/stack";
import { kubernetesObjectsIn } from "../../components/plan/ops-repository";
import { RENDER_SECRETS } from "../../components/synth/render";
import { appEntry, settings } from "../helpers/fixtures";

const RBAC_KINDS = ["ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"];

describe("plan: what an app's objects may do", () => {
  const plan = (extra: Record<string, unknown> = {}, app: Record<string, unknown> = {}) =>
    planStack(settings(extra, [appEntry("go-sample-app", { namespace: "builds", ...app })]), RENDER_SECRETS).apps[0];

  it("keeps every account, role and binding out of the ops repository", () => {
    const committed = kubernetesObjectsIn(plan({ certManagerIssuer: "letsencrypt" }, { ingressHost: "hooks.example.com" }).repoFiles).map((o) => o.kind);
    assert.deepStrictEqual(committed.filter((k) => RBAC_KINDS.includes(k) || k === "Secret" || k === "Namespace"), []);
    const applied = accessObjects(plan().access).map((o) => o.kind);
    assert.deepStrictEqual(applied, ["AppProject", "ServiceAccount", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "Role", "RoleBinding"]);
  });

  it("gives the Applications a project of their own: their ops repository, their namespace, no cluster-scoped kind, exactly the kinds of the ops files", () => {
    for (const ingressHost of [undefined, "hooks.example.com"]) {
      const app = plan({ ingressTlsSecret: "listener-tls" }, ingressHost ? { ingressHost } : {});
      const project = app.access.project!;
      assert.deepStrictEqual(project.metadata.namespace, "argocd");
      assert.deepStrictEqual(project.spec.sourceRepos, ["https://github.com/example-org/go-sample-app-ops.git"]);
      assert.deepStrictEqual(project.spec.destinations, [{ server: "https://kubernetes.default.svc", namespace: "builds" }]);
      assert.deepStrictEqual(project.spec.clusterResourceWhitelist, []);
      const kinds = project.spec.namespaceResourceWhitelist.map((g) => `${g.group}/${g.kind}`).sort();
      const committed = [...new Set(kubernetesObjectsIn(app.repoFiles).map((o) => `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}`))].sort();
      assert.deepStrictEqual(kinds, committed);
      assert.deepStrictEqual(kinds, [
        "kpack.io/Image",
        ...(ingressHost ? ["networking.k8s.io/Ingress"] : []),
        "tekton.dev/Pipeline",
        "tekton.dev/Task",
        "triggers.tekton.dev/EventListener",
        "triggers.tekton.dev/TriggerBinding",
        "triggers.tekton.dev/TriggerTemplate",
      ]);
      for (const application of app.applications) {
        assert.strictEqual(application.spec.project, project.metadata.name);
        assert.deepStrictEqual(application.spec.syncPolicy.syncOptions, [], "no CreateNamespace: the project allows no Namespace");
        // A refused sync is retried with the branch's newest commit, so the commit that fixes it lands.
        assert.deepStrictEqual(application.spec.syncPolicy.retry, { limit: 5, refresh: true });
      }
    }
  });

  it("uses a project the stack brings (argocdProject) and makes none", () => {
    const app = plan({ argocdProject: "platform" });
    assert.strictEqual(app.access.project, undefined);
    assert.deepStrictEqual(app.applications.map((a) => a.spec.project), ["platform", "platform"]);
  });

  it("gives the listener exactly what Triggers' sink lists, watches and creates: no Secrets, no impersonate, no wildcard, no get", () => {
    const { listener, pipelineServiceAccount } = plan().access;
    const rules = [...listener.role.rules, ...listener.clusterRole.rules];
    const granted = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)))).sort();
    assert.deepStrictEqual(granted, [
      "create tekton.dev/pipelineruns",
      "list triggers.tekton.dev/clusterinterceptors",
      "list triggers.tekton.dev/clustertriggerbindings",
      "list triggers.tekton.dev/eventlisteners",
      "list triggers.tekton.dev/interceptors",
      "list triggers.tekton.dev/triggerbindings",
      "list triggers.tekton.dev/triggers",
      "list triggers.tekton.dev/triggertemplates",
      "watch triggers.tekton.dev/clusterinterceptors",
      "watch triggers.tekton.dev/clustertriggerbindings",
      "watch triggers.tekton.dev/eventlisteners",
      "watch triggers.tekton.dev/interceptors",
      "watch triggers.tekton.dev/triggerbindings",
      "watch triggers.tekton.dev/triggers",
      "watch triggers.tekton.dev/triggertemplates",
    ]);
    assert.deepStrictEqual(listener.role.metadata.namespace, "builds");
    for (const binding of [listener.roleBinding, listener.clusterRoleBinding]) {
      assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: listener.serviceAccount.metadata.name, namespace: "builds" }]);
    }
    assert.deepStrictEqual([listener.roleBinding.roleRef.kind, listener.roleBinding.roleRef.name], ["Role", listener.role.metadata.name]);
    assert.deepStrictEqual([listener.clusterRoleBinding.roleRef.kind, listener.clusterRoleBinding.roleRef.name], ["ClusterRole", listener.clusterRole.metadata.name]);
    assert.strictEqual(pipelineServiceAccount.automountServiceAccountToken, false, "the pipeline's pods get no API token");
    assert.strictEqual(listener.serviceAccount.automountServiceAccountToken, undefined, "the sink calls the API with its token");
  });

  it("names the access objects apart from those Argo CD applied before they left git, so its prune never removes them", () => {
    const { access, names } = plan();
    assert.deepStrictEqual(
      [access.pipelineServiceAccount.metadata.name, access.listener.serviceAccount.metadata.name, access.listener.clusterRole.metadata.name, names.appProject],
      ["go-sample-app-pipeline", "go-sample-app-event-listener", "builds.go-sample-app-event-listener", "builds.go-sample-app"],
    );
    const before = ["go-sample-app-build-bot", "go-sample-app-listener", "builds.go-sample-app-listener"];
    for (const o of accessObjects(access)) assert.ok(!before.includes(o.metadata.name ?? ""), o.metadata.name);
  });
});
