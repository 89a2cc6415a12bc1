import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { generatedFiles, markdownComment, replaceGenerated } from "../../components/config/docs";
import { APP_KEYS, STACK_KEYS } from "../../components/config/keys";
import { PIPELINE_ARG_KEYS } from "../../components/config/component-args";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("config: one definition, written into Pulumi.yaml and README.md", () => {
  it("keeps the generated parts equal to keys.ts (npm run config-docs rewrites them)", () => {
    for (const [file, content] of generatedFiles(read)) assert.strictEqual(read(file), content, `${file} is stale: run npm run config-docs`);
  });

  it("lists every key, with its default, in the README tables", () => {
    const readme = read("README.md");
    for (const key of [...Object.keys(STACK_KEYS), ...Object.keys(APP_KEYS)]) assert.match(readme, new RegExp(`^\\| \`${key}\` \\|`, "m"), key);
    assert.match(readme, /^\| `writeBackAttempts` \| integer \| `10` \|/m);
  });

  it("says which markers are missing rather than writing elsewhere", () => {
    assert.throws(() => replaceGenerated("no markers\n", "stack keys", "x", markdownComment), /markers of stack keys not found/);
  });

  it("states in the components' JSDoc the same defaults as the stack config", () => {
    const source = read("components/config/component-args.ts");
    for (const key of PIPELINE_ARG_KEYS) {
      const doc = new RegExp(`@default ([^*\\n]+?) \\*/\\n\\s+${key}\\?:`).exec(source);
      assert.ok(doc, `PipelineArgs.${key} has no @default`);
      const spec: { default?: unknown } = STACK_KEYS[key];
      const stated = doc[1].trim();
      const expected = spec.default === "" ? /^""/ : new RegExp(`^${JSON.stringify(spec.default).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
      assert.match(stated, expected, `PipelineArgs.${key}: @default ${stated}, the stack config's is ${JSON.stringify(spec.default)}`);
    }
  });
});
