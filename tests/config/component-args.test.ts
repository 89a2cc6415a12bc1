// The stack program hands each app's component its settings as args; reading those args back must
// give the settings the stack file gave, for every arg, so a component and a stack file plan alike.
import * as assert from "assert";
import { appArgs, appComponentSettings, PIPELINE_ARG_KEYS, pipelineArgs } from "../../components/config/component-args";
import { STACK_KEYS } from "../../components/config/keys";
import { AppSettings, StackSettings } from "../../components/config/settings";
import { parseSettings } from "../../components/config/parse";
import { appEntry, rawStack, settings } from "../helpers/fixtures";

/** A value for each pipeline key other than its default, and valid. */
const NOT_DEFAULTS: Record<(typeof PIPELINE_ARG_KEYS)[number], string | number | boolean> = {
  gitHost: "https://git.example.com",
  ingressClassName: "nginx",
  ingressTlsSecret: "listener-tls",
  certManagerIssuer: "letsencrypt",
  ingressWithoutTls: true,
  argocdNamespace: "gitops",
  argocdProject: "builds",
  argocdDestinationServer: "https://cluster.example.com",
  argocdPrune: false,
  argocdSelfHeal: false,
  goVersion: "1.25.1",
  golangciLintVersion: "v2.4.0",
  nodeVersion: "24.11.1",
  pythonVersion: "3.14.10",
  mavenVersion: "3.9.16-eclipse-temurin-21",
  javaVersion: "21-jdk",
  writeBackImage: "docker.io/alpine/git:v2.50.0",
  writeBackAttempts: 9,
  gitAuthorName: "Builds Bot",
  gitAuthorEmail: "builds@example.com",
};

/** What the stack passes each app: its shared settings, without what only a stack decides (its own keys, credentials). */
function sharedWithApps(s: StackSettings) {
  const { githubOwner, gitHost, ingress, argocd, toolchains, writeBack } = s;
  return { githubOwner, gitHost, ingress, argocd, toolchains, writeBack };
}

describe("config: the components' args", () => {
  // cert-manager and a TLS Secret of one's own exclude each other: one stack each.
  const stacks = [
    { ...NOT_DEFAULTS, certManagerIssuer: "" },
    // prune and selfHeal apart, so a mix-up of the two shows.
    { ...NOT_DEFAULTS, ingressTlsSecret: "", argocdSelfHeal: true },
  ];

  it("sets every pipeline key to something other than its default, across the stacks below", () => {
    for (const key of PIPELINE_ARG_KEYS) {
      const spec: { default?: unknown } = STACK_KEYS[key];
      assert.ok(stacks.some((values) => values[key] !== spec.default), key);
    }
  });

  it("gives back, through the args, every setting a stack file set", () => {
    for (const values of stacks) {
      // Read as a component reads its args: the stack program itself refuses another destination server.
      const fromStack = parseSettings(rawStack(values, [appEntry("go-sample-app", { namespace: "builds", ingressHost: "hooks.example.com", goPackage: "example.com/app" })]), [], { component: true });
      assert.deepStrictEqual(pipelineArgs(fromStack), values);
      const { stack, app } = appComponentSettings("DeliberateImageBuilds", "go-sample-app", { ...appArgs(fromStack, fromStack.apps[0]), namespace: "builds" });
      assert.deepStrictEqual(sharedWithApps(stack), sharedWithApps(fromStack));
      // The stack creates the image's service account itself; to the component it is an existing one.
      const withAccount = (a: AppSettings) => ({ ...a, imageServiceAccount: a.imageServiceAccount.name });
      assert.deepStrictEqual(withAccount(app), withAccount(fromStack.apps[0]));
      assert.deepStrictEqual([fromStack.apps[0].imageServiceAccount.owned, app.imageServiceAccount.owned], [true, false]);
    }
  });

  it("hands an app's own Go and golangci-lint to its component, which plans with them", () => {
    const fromStack = settings({}, [appEntry("go-sample-app", { goVersion: "1.26.8", golangciLintVersion: "v2.14.0" })]);
    const args = appArgs(fromStack, fromStack.apps[0]);
    assert.deepStrictEqual([args.goVersion, args.golangciLintVersion], ["1.26.8", "v2.14.0"]);
    const { app } = appComponentSettings("DeliberateImageBuilds", "go-sample-app", args);
    assert.deepStrictEqual([app.toolchains.goVersion, app.toolchains.golangciLintVersion], ["1.26.8", "v2.14.0"]);
  });

  it("hands an app's language, or its own lint and test, to its component", () => {
    const own = { test: { image: "docker.io/library/rust:1.93.0", script: "cargo test" }, lint: { image: "docker.io/library/rust:1.93.0", script: "cargo clippy -- -D warnings" } };
    const fromStack = settings({}, [appEntry("node-app", { language: "node", nodeVersion: "24.11.1" }), appEntry("rust-app", own)]);
    for (const entry of fromStack.apps) {
      const { app } = appComponentSettings("DeliberateImageBuilds", entry.name, appArgs(fromStack, entry));
      assert.deepStrictEqual(app.checks, entry.checks);
      assert.deepStrictEqual(app.toolchains, entry.toolchains);
    }
    assert.deepStrictEqual(fromStack.apps.map((a) => a.checks), [{ kind: "preset", language: "node" }, { kind: "custom", ...own }]);
  });

  it("refuses an arg a release removed, naming it and what replaces it", () => {
    const fromStack = settings({}, [appEntry("go-sample-app")]);
    const args = { ...appArgs(fromStack, fromStack.apps[0]), gitCloneBundle: "ghcr.io/tektoncd-catalog/git-clone/bundle:v1.7.0" };
    assert.throws(
      () => appComponentSettings("DeliberateImageBuilds", "go-sample-app", args),
      /DeliberateImageBuilds "go-sample-app": invalid args \(1 problem\):\n {2}- args\.gitCloneBundle: removed: the pipeline's clone, lint and test Tasks are the project's own/,
    );
  });
});
