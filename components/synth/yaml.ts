import { stringify } from "yaml";

/**
 * The one way objects become YAML, for the ops repository and for `npm run render` alike. Stable key
 * order (as built), no line folding (a long script must stay byte-for-byte), and an optional header.
 */
export function toYaml(objects: object | object[], header?: string): string {
  const docs = (Array.isArray(objects) ? objects : [objects]).map((o) => stringify(o, { lineWidth: 0, minContentWidth: 0 }));
  const head = header ? header.split("\n").map((line) => (line ? `# ${line}` : "#")).join("\n") + "\n" : "";
  return head + docs.join("---\n");
}
