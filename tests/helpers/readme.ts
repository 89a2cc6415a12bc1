// The README's code, as a reader copies it: the first ```ts block under a heading.
import * as fs from "fs";
import * as path from "path";

const README = path.join(__dirname, "..", "..", "README.md");

/** The README's program of one's own: tests/docs runs it under mocks, the e2e with the real CLI. */
export const LIBRARY_HEADING = "### Two apps sharing one ops repository, with private repositories";

/** The README's first library snippet: one app, its namespace and Secrets; tests/docs type-checks it. */
export const COMPONENTS_HEADING = "## Components for your own Pulumi program";

/** The README's test of a program using the components: examples/platform-stack/index.test.ts. */
export const TESTING_HEADING = "### Testing a program that uses the components";

/** The first ```ts block under `heading` in README.md; throws naming what is missing. */
export function readmeSnippet(heading: string): string {
  const readme = fs.readFileSync(README, "utf8");
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no "${heading}"`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`README.md has no ts block under "${heading}"`);
  return block[1];
}
