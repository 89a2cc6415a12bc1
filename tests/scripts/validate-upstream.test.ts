// What npm run validate:upstream feeds its Go validator, checked without Go (the validator itself runs in
// CI after npm test): the pushes are what GitHub sends, the crowded stack holds the longest accepted app
// name, every planted mistake really changes the file it is planted in, and the cache is not in the repo.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../components/config/errors";
import { parseSettings } from "../../components/config/parse";
import { cacheRoot } from "../../scripts/upstream-validate/binary";
import { PLANTED_MISTAKES, plantInto } from "../../scripts/upstream-validate/planted";
import { pushCases, REPO_URL_PARAM, REVISION_PARAM } from "../../scripts/upstream-validate/pushes";
import { CROWDED_STACK, crowdedProject, crowdedStackConfig, longestAcceptedAppName, renderForValidation } from "../../scripts/upstream-validate/stacks";
import { GitHubOpenApi } from "../helpers/github-openapi";
import { tempDir } from "../helpers/fixtures";

const ROOT = path.resolve(__dirname, "../..");

describe("scripts: validate:upstream's inputs", function () {
  this.timeout(60000);
  const settings = parseSettings(crowdedStackConfig());

  it("sends push bodies GitHub's webhook-push schema accepts, and one push per app that should start a run", () => {
    const openApi = GitHubOpenApi.load();
    for (const app of settings.apps) {
      const cases = pushCases(settings, app);
      for (const c of cases) assert.deepStrictEqual(openApi.checkSchema("webhook-push", c.payload), [], c.name);
      const runs = cases.filter((c) => c.expect.run);
      assert.strictEqual(runs.length, 1, app.name);
      const body = runs[0].payload as { after: string; repository: { clone_url: string; full_name: string } };
      assert.deepStrictEqual(runs[0].expect.params, { [REVISION_PARAM]: body.after, [REPO_URL_PARAM]: body.repository.clone_url });
      assert.strictEqual(body.repository.full_name, `${settings.githubOwner}/${app.repo}`);
    }
    // The schema check can fail: a body without its repository is refused.
    const [first] = pushCases(settings, settings.apps[0]);
    assert.notDeepStrictEqual(openApi.checkSchema("webhook-push", { ...(first.payload as object), repository: undefined }), []);
  });

  it("puts the longest app name the settings accept into the crowded stack, with other apps in its namespace", () => {
    const longest = longestAcceptedAppName();
    assert.ok(settings.apps.some((a) => a.name === longest));
    assert.strictEqual(new Set(settings.apps.map((a) => a.namespace)).size, 1);
    assert.ok(settings.apps.length > 1);
    const longer = { ...crowdedStackConfig(), apps: [{ ...(crowdedStackConfig().apps as object[])[0], name: `${longest}x`, repo: `${longest}x` }] };
    assert.throws(() => parseSettings(longer), ConfigError);
  });

  it("holds an app of every preset and one with its own lint and test, so every kind of Task is judged", () => {
    assert.deepStrictEqual(
      [...new Set(settings.apps.map((a) => (a.checks.kind === "preset" ? a.checks.language : a.checks.lint ? "own lint and test" : "own test")))],
      ["go", "node", "python", "maven", "gradle", "own lint and test"],
    );
  });

  it("plants every mistake into the rendered file it names, changing it", () => {
    const root = tempDir("validate-upstream-");
    const stack = renderForValidation(crowdedProject(ROOT, path.join(root, "project")), CROWDED_STACK, root);
    const { tekton, kpack } = stack.appFiles[0];
    PLANTED_MISTAKES.forEach((mistake, i) => {
      const file = mistake.file === "tekton" ? tekton : kpack;
      const as = (name: string, plant: typeof mistake.plant) => fs.readFileSync(plantInto(path.join(root, file), { ...mistake, plant }, path.join(root, name, String(i), file)), "utf8");
      assert.notStrictEqual(as("planted", mistake.plant), as("unchanged", () => undefined), mistake.name);
    });
  });

  it("keeps the built validator outside the repository, under XDG_CACHE_HOME when set", () => {
    assert.strictEqual(cacheRoot({ XDG_CACHE_HOME: "/var/cache/someone" }), "/var/cache/someone/deliberate-image-builds/upstream-validate");
    assert.ok(path.relative(ROOT, cacheRoot({})).startsWith(".."), "the default cache is not inside the repository");
  });
});
