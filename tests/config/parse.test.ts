import * as assert from "assert";
import { ConfigError, show } from "../../components/config/errors";
import { fromPulumiConfig, parseSettings, SECRET_IS_SET, settingsFromPulumiConfig } from "../../components/config/parse";
import { appEntry, FAKE_TOKEN, rawStack, SHA_A } from "../helpers/fixtures";

/** Parses and returns the ConfigError's problems (fails the test when parsing succeeds). */
function problems(raw: Record<string, unknown>): string[] {
  try {
    parseSettings(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message.split("\n").slice(1);
  }
  assert.fail("expected the config to be rejected");
}

describe("config: parseSettings", () => {
  it("fills the seed's defaults around the required keys", () => {
    const s = parseSettings(rawStack());
    assert.strictEqual(s.githubOwner, "example-org");
    assert.strictEqual(s.gitHost, "https://github.com");
    assert.deepStrictEqual(s.argocd, {
      namespace: "argocd",
      project: undefined,
      destinationServer: "https://kubernetes.default.svc",
      prune: true,
      selfHeal: true,
    });
    const [app] = s.apps;
    assert.strictEqual(app.opsBranch, "main");
    assert.strictEqual(app.namespace, "default");
    assert.deepStrictEqual(app.builder, { kind: "ClusterBuilder", name: "default" });
    assert.strictEqual(app.goPackage, "github.com/example-org/go-sample-app");
    assert.strictEqual(app.webhookUrl, undefined);
    assert.strictEqual(s.writeBack.maxAttempts, 10);
  });

  it("defaults goPackage to an import path also for a gitHost with a port (an import path has none)", () => {
    const s = parseSettings(rawStack({ gitHost: "https://git.example.com:8443" }, [appEntry()]));
    assert.strictEqual(s.apps[0].goPackage, "git.example.com/example-org/go-sample-app");
    // And the component, which checks its args again, takes that default.
    const loopback = parseSettings(rawStack({ gitHost: "https://127.0.0.1:41719" }, [appEntry()]), [], { component: true });
    assert.strictEqual(loopback.apps[0].goPackage, "127.0.0.1/example-org/go-sample-app");
  });

  it("rejects a missing owner, naming the key", () => {
    const p = problems({ apps: [appEntry()] });
    assert.deepStrictEqual(p, ["  - deliberate-image-builds:githubOwner: got nothing; it is required"]);
  });

  it("rejects names that are not DNS-1123 labels", () => {
    const p = problems(rawStack({}, [appEntry("Go_Sample", { namespace: "Builds!" })]));
    assert.ok(p.some((l) => l.includes("apps[0].name: got \"Go_Sample\"; expected a DNS-1123 label")), p.join("\n"));
    assert.ok(p.some((l) => l.includes("apps[0].namespace: got \"Builds!\"; expected a DNS-1123 label")), p.join("\n"));
  });

  it("states the one real limit of an app name the first time, whatever the name's length", () => {
    // tektoncd/triggers pkg/apis/triggers/v1beta1/event_listener_validation.go: an EventListener name is at
    // most 60 characters; `<app>-listener` leaves an app 51. No other rule may be named first.
    const expected = (name: string) =>
      `apps[0].name: got ${show(name)}; expected at most 51 characters: eventListener "${name}-listener" would be ${name.length + 9}, over Tekton Triggers' limit for an EventListener name (60)`;
    for (const length of [70, 64, 63, 58, 53, 52, 100]) {
      const name = "a".repeat(length);
      assert.deepStrictEqual(problems(rawStack({}, [appEntry(name, { repo: "r", opsRepo: "r-ops" })])), [`  - deliberate-image-builds:${expected(name)}`]);
    }
    const p = problems(rawStack({}, [appEntry("A".repeat(70), { repo: "r", opsRepo: "r-ops" })]));
    assert.ok(p[0].includes("expected at most 51 characters"), p.join("\n"));
    assert.strictEqual(parseSettings(rawStack({}, [appEntry("a".repeat(51), { repo: "r", opsRepo: "r-ops" })])).apps[0].name.length, 51);
    // A name of the wrong shape is told the same limit.
    assert.match(problems(rawStack({}, [appEntry("Go_App", { repo: "r", opsRepo: "r-ops" })]))[0], /apps\[0\]\.name: got "Go_App"; expected a DNS-1123 label: at most 51 /);
  });

  it("rejects a revision that is not a full SHA", () => {
    for (const bad of ["abc123", SHA_A.toUpperCase(), `${SHA_A}0`, "main", "$(rm -rf /)"]) {
      const p = problems(rawStack({}, [appEntry("a", { initialRevision: bad })]));
      assert.strictEqual(p.length, 1, p.join("\n"));
      assert.match(p[0], /apps\[0\]\.initialRevision: got .*; expected a full commit SHA: 40 lowercase hex characters/);
    }
  });

  it("rejects malformed URLs and URLs with credentials", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ gitHost: "github.com" }, /gitHost: got "github.com"; expected an absolute https:\/\/ URL/],
      [{ argocdDestinationServer: "http://kubernetes.default.svc" }, /argocdDestinationServer: .*expected an absolute https/],
      [{}, /apps\[0\]\.webhookUrl: got "https:\/\/user:pw@hooks.example.com"; expected a URL without credentials/],
    ];
    for (const [extra, pattern] of cases) {
      const apps = Object.keys(extra).length ? [appEntry()] : [appEntry("a", { webhookUrl: "https://user:pw@hooks.example.com" })];
      const p = problems(rawStack(extra, apps));
      assert.ok(p.some((l) => pattern.test(l)), `${pattern} not in:\n${p.join("\n")}`);
    }
  });

  it("rejects an unknown key in an app and at the top level, naming the nearest known key", () => {
    const p = problems(rawStack({ argocdSelfHeel: false, somethingElse: 1 }, [appEntry("a", { opsrepo: "typo" })]));
    assert.ok(p.some((l) => l.includes("argocdSelfHeel: unknown config key; did you mean argocdSelfHeal? expected one of")), p.join("\n"));
    assert.ok(p.some((l) => l.includes("apps[0].opsrepo: unknown app key; did you mean opsRepo? expected one of name, repo")), p.join("\n"));
    // Nothing near: no guess.
    assert.ok(p.some((l) => l.includes("somethingElse: unknown config key; expected one of")), p.join("\n"));
  });

  it("rejects unpinned images and a missing apps list", () => {
    assert.match(problems(rawStack({ writeBackImage: "alpine/git:latest" })).join("\n"), /writeBackImage: got "alpine\/git:latest"; expected an image pinned to a version tag or a sha256 digest, not latest/);
    assert.match(problems(rawStack({ writeBackImage: "alpine/git" })).join("\n"), /writeBackImage: .*pinned/);
    assert.match(problems(rawStack({ goVersion: "latest" })).join("\n"), /goVersion: got "latest"; expected a pinned version tag/);
    assert.match(problems({ githubOwner: "o" }).join("\n"), /apps: got nothing; expected a list of at least one app/);
    assert.doesNotThrow(() => parseSettings(rawStack({ writeBackImage: `alpine/git@sha256:${"a".repeat(64)}` })));
  });

  it("reports every problem at once, and each names its key", () => {
    const p = problems({ githubOwner: "", apps: [{ name: "x" }, "not-an-object"] });
    assert.ok(p.length >= 6, p.join("\n"));
    for (const key of ["githubOwner", "apps[0].repo", "apps[0].branch", "apps[0].opsRepo", "apps[0].image", "apps[0].initialRevision", "apps[1]"]) {
      assert.ok(p.some((l) => l.includes(`deliberate-image-builds:${key}:`)), `${key} missing in:\n${p.join("\n")}`);
    }
  });

  it("rejects two apps with one name, or with one ops folder (the same, or one inside the other)", () => {
    const p = problems(
      rawStack({}, [
        appEntry("a"),
        appEntry("a", { opsRepo: "other" }),
        appEntry("b", { opsRepo: "a-ops", opsPath: "apps/a" }),
        appEntry("c", { opsRepo: "c-ops", opsPath: "apps" }),
        appEntry("d", { opsRepo: "c-ops", opsPath: "apps/d" }),
      ]),
    );
    assert.ok(p.some((l) => l.includes("apps[1].name: got \"a\"; already used by apps[0]")), p.join("\n"));
    assert.ok(p.some((l) => l.includes(`apps[2].opsPath: got "a-ops@main:apps/a"; apps[0] writes "a-ops@main:apps/a", expected a folder of its own (not inside another app's), e.g. apps/b`)), p.join("\n"));
    assert.ok(p.some((l) => l.includes(`apps[4].opsPath: got "c-ops@main:apps/d"; apps[3] writes "c-ops@main:apps"`)), p.join("\n"));
    assert.strictEqual(p.length, 3, p.join("\n"));
  });

  it("says the same app listed twice once, as such, without suggesting a folder the name refuses anyway", () => {
    const p = problems(rawStack({}, [appEntry("a", { opsRepo: "platform-ops" }), appEntry("b", { opsRepo: "platform-ops" }), appEntry("a", { opsRepo: "platform-ops" })]));
    assert.deepStrictEqual(p, [`  - deliberate-image-builds:apps[2].name: got "a", the same app as apps[0] (every setting equal); expected each app listed once: remove one`]);
  });

  it("puts an app alone on its ops repository and branch in cicd, and apps sharing one in apps/<name>", () => {
    const s = parseSettings(
      rawStack({}, [
        appEntry("a", { opsRepo: "platform-ops" }),
        appEntry("b", { opsRepo: "platform-ops" }),
        appEntry("c", { opsRepo: "platform-ops", opsBranch: "release" }),
        appEntry("d", { opsRepo: "platform-ops", opsPath: "teams/d" }),
        appEntry("e"),
      ]),
    );
    assert.deepStrictEqual(
      s.apps.map((a) => [a.name, a.opsPath]),
      [
        ["a", "apps/a"],
        ["b", "apps/b"],
        ["c", "cicd"],
        ["d", "teams/d"],
        ["e", "cicd"],
      ],
    );
    const bad = problems(rawStack({}, [appEntry("a", { opsPath: "../x" }), appEntry("b", { opsPath: "/abs" }), appEntry("c", { opsPath: "apps//c" })]));
    for (const i of [0, 1, 2]) assert.ok(bad.some((l) => l.includes(`apps[${i}].opsPath: got`) && l.includes("expected a folder of the ops repository")), bad.join("\n"));
  });

  it("rejects a wrong type for booleans and integers", () => {
    const p = problems(rawStack({ argocdPrune: "yes", writeBackAttempts: 0 }));
    assert.ok(p.some((l) => l.includes("argocdPrune: got \"yes\"; expected true or false")), p.join("\n"));
    assert.ok(p.some((l) => l.includes("writeBackAttempts: got 0; expected a whole number from 1 to 20")), p.join("\n"));
  });
});

describe("config: the GitHub provider's write budget", () => {
  it("defaults to the provider's pace and retries, with 409 retried too", () => {
    assert.deepStrictEqual(parseSettings(rawStack()).github, { writeDelayMs: 1000, maxRetries: 3, retryableErrors: [409, 500, 502, 503, 504] });
  });

  it("takes other values within bounds, and 0 retries", () => {
    const s = parseSettings(rawStack({ githubWriteDelayMs: 2000, githubMaxRetries: 0, githubRetryableErrors: [502] }));
    assert.deepStrictEqual(s.github, { writeDelayMs: 2000, maxRetries: 0, retryableErrors: [502] });
  });

  it("rejects a pace over 80 writes a minute, too many retries and bad status lists, naming each key", () => {
    const p = problems(rawStack({ githubWriteDelayMs: 500, githubMaxRetries: 11, githubRetryableErrors: [] }));
    assert.ok(p.some((l) => l.includes("githubWriteDelayMs: got 500; expected a whole number from 750 to 60000")), p.join("\n"));
    assert.ok(p.some((l) => l.includes("githubMaxRetries: got 11; expected a whole number from 0 to 10")), p.join("\n"));
    // An empty list is not "no retries": the provider then falls back to its own defaults.
    assert.ok(p.some((l) => l.includes("githubRetryableErrors: got []; expected a non-empty list of distinct whole numbers from 400 to 599")), p.join("\n"));
    for (const bad of [[409, 409], [200], ["409"], 409, [409.5]]) {
      assert.ok(problems(rawStack({ githubRetryableErrors: bad })).some((l) => l.includes("githubRetryableErrors: got ")), JSON.stringify(bad));
    }
  });

  it("reads a list and a number as pulumi config hands them over (JSON text, a string)", () => {
    const s = settingsFromPulumiConfig(
      {
        ...Object.fromEntries(Object.entries(rawStack()).map(([k, v]) => [`deliberate-image-builds:${k}`, typeof v === "string" ? v : JSON.stringify(v)])),
        "deliberate-image-builds:githubRetryableErrors": "[409,502]",
        "deliberate-image-builds:githubMaxRetries": "5",
      },
      "deliberate-image-builds",
    );
    assert.deepStrictEqual([s.github.retryableErrors, s.github.maxRetries], [[409, 502], 5]);
  });
});

describe("config: fromPulumiConfig", () => {
  it("types values by their declared key and keeps secret values out", () => {
    const { raw, problems } = fromPulumiConfig(
      {
        "deliberate-image-builds:githubOwner": "1234",
        "deliberate-image-builds:argocdPrune": "false",
        "deliberate-image-builds:writeBackAttempts": "7",
        "deliberate-image-builds:apps": JSON.stringify([appEntry()]),
        "deliberate-image-builds:githubToken": FAKE_TOKEN,
        "kubernetes:context": "elsewhere",
      },
      "deliberate-image-builds",
    );
    assert.strictEqual(raw.githubOwner, "1234", "a string key stays a string even when it looks like a number");
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(raw.argocdPrune, "false", "declared scalars stay as Pulumi stores them, for parseSettings to type");
    assert.strictEqual(raw.writeBackAttempts, "7");
    assert.deepStrictEqual(raw.apps, [appEntry()]);
    assert.strictEqual(raw.githubToken, SECRET_IS_SET);
    assert.ok(!JSON.stringify(raw).includes(FAKE_TOKEN));
    assert.ok(!("context" in raw) && !("kubernetes:context" in raw));
    assert.strictEqual(parseSettings(raw).argocd.prune, false);
    assert.strictEqual(parseSettings(raw).writeBack.maxAttempts, 7);
  });
});

describe("config: the webhook secret and the listener's Ingress", () => {
  const P = "deliberate-image-builds";
  const base = { [`${P}:githubOwner`]: "example-org", [`${P}:apps`]: JSON.stringify([appEntry()]) };

  it("refuses a webhookSecret shorter than 32 characters, naming the key and never the value", () => {
    const short = "only-31-characters-of-secret-xx";
    assert.strictEqual(short.length, 31);
    const err = (() => {
      try {
        settingsFromPulumiConfig({ ...base, [`${P}:webhookSecret`]: short }, P);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /deliberate-image-builds:webhookSecret: got a value of the wrong shape \(not shown: it is secret\); expected at least 32 random characters, got 31/);
    assert.ok(!err.message.includes(short));
    assert.doesNotThrow(() => settingsFromPulumiConfig({ ...base, [`${P}:webhookSecret`]: `${short}x` }, P));
  });

  it("refuses an ingressHost without TLS unless the stack accepts that in so many words", () => {
    const withHost = (extra: Record<string, unknown>) => rawStack(extra, [appEntry("go-sample-app", { ingressHost: "hooks.example.com" })]);
    assert.deepStrictEqual(problems(withHost({})), [
      `  - ${P}:apps[0].ingressHost: got "hooks.example.com"; expected TLS for the listener's host: set ingressTlsSecret or certManagerIssuer (without TLS GitHub sends every push and its signature in clear text), or ingressWithoutTls: true to accept that`,
    ]);
    for (const accepted of [{ ingressTlsSecret: "listener-tls" }, { certManagerIssuer: "letsencrypt" }, { ingressWithoutTls: true }]) {
      assert.strictEqual(parseSettings(withHost(accepted)).apps[0].ingressHost, "hooks.example.com", JSON.stringify(accepted));
    }
  });
});
