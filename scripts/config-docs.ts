// npm run config-docs: rewrites the config declarations in Pulumi.yaml and the configuration tables in
// README.md from components/config/keys.ts. `--check` only says whether they are current.
import * as fs from "fs";
import * as path from "path";
import { generatedFiles } from "../components/config/docs";

const root = path.resolve(__dirname, "..");
const check = process.argv.includes("--check");
let stale = 0;
for (const [file, content] of generatedFiles((f) => fs.readFileSync(path.join(root, f), "utf8"))) {
  if (fs.readFileSync(path.join(root, file), "utf8") === content) continue;
  stale++;
  if (check) process.stderr.write(`${file}: generated parts are not current; run npm run config-docs\n`);
  else fs.writeFileSync(path.join(root, file), content);
}
process.exitCode = check && stale > 0 ? 1 : 0;
