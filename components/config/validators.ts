/** Shape checks shared by every config key. Each returns what was expected, or undefined when fine. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const FULL_SHA = /^[0-9a-f]{40}$/;
// GitHub owner and repository names: letters, digits, '-', '_' and '.'.
const GITHUB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
// A git ref name safe to put in a refspec: no spaces, no '..', no leading '-', none of ~^:?*[\ .
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._\/-]+(?<![./])$/;
// An OCI image reference: registry/path, an optional :tag and an optional @sha256 digest.
const IMAGE_NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A DNS-1123 label (at most 63 characters), or one at most `max` long where a name derived from it must fit. */
export function dnsLabel(value: string, max = 63): string | undefined {
  return value.length <= max && DNS1123_LABEL.test(value)
    ? undefined
    : `expected a DNS-1123 label: at most ${max} lowercase letters, digits and '-', starting and ending alphanumeric`;
}

export function fullSha(value: string): string | undefined {
  return FULL_SHA.test(value) ? undefined : "expected a full commit SHA: 40 lowercase hex characters";
}

export function githubName(value: string): string | undefined {
  return GITHUB_NAME.test(value) ? undefined : "expected a GitHub owner or repository name (letters, digits, '-', '_', '.')";
}

export function branchName(value: string): string | undefined {
  return BRANCH.test(value) ? undefined : "expected a git branch name such as main or release/1.x";
}

export function httpsUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected an absolute https:// URL";
  }
  if (url.protocol !== "https:") return "expected an absolute https:// URL";
  if (url.username || url.password) return "expected a URL without credentials in it";
  return undefined;
}

/** An httpsUrl others are built from by appending paths: no query, no fragment. */
export function baseHttpsUrl(value: string): string | undefined {
  const bad = httpsUrl(value);
  if (bad) return bad;
  const url = new URL(value);
  return url.search || url.hash ? "expected a base URL without a ?query or #fragment, such as https://github.com" : undefined;
}

/** Splits `name[:tag][@digest]`; the tag is the part after the last ':' that follows the last '/'. */
export function splitImage(ref: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = ref.split("@", 2) as [string, string | undefined];
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, digest };
}

function imageShape(value: string): string | undefined {
  const { name, tag, digest } = splitImage(value);
  if (!IMAGE_NAME.test(name)) return "a registry path such as registry.example.com/team/app";
  if (tag !== undefined && !IMAGE_TAG.test(tag)) return "a valid tag";
  if (digest !== undefined && !DIGEST.test(digest)) return "a sha256 digest";
  return undefined;
}

/** The tag kpack pushes to: a registry path with an optional tag. */
export function imageTag(value: string): string | undefined {
  const bad = imageShape(value);
  if (bad) return `expected an image tag for kpack to push to: ${bad}`;
  if (splitImage(value).digest) return "expected a tag to push to, not a digest";
  return undefined;
}

/** An image a pod runs: pinned to a version tag or a digest, never `latest` or nothing. */
export function pinnedImage(value: string): string | undefined {
  const bad = imageShape(value);
  if (bad) return `expected a pinned container image: ${bad}`;
  const { tag, digest } = splitImage(value);
  if (digest) return undefined;
  if (tag === undefined || tag === "latest") return "expected an image pinned to a version tag or a sha256 digest, not latest";
  return undefined;
}

/** A version tag that a catalog Task puts after an image name (golang:<v>), never `latest`. */
export function versionTag(value: string): string | undefined {
  return IMAGE_TAG.test(value) && value !== "latest" ? undefined : "expected a pinned version tag such as 1.27.3, not latest";
}

// Windows device names, which Go refuses as an import path element (golang.org/x/mod module.go, badWindowsNames).
const WINDOWS_DEVICE = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i;

/** Why Go refuses `path` as an import path, or undefined: golang.org/x/mod module.go, CheckImportPath. */
function importPathProblem(path: string): string | undefined {
  if (path.startsWith("-")) return "leading dash";
  if (path.includes("//")) return "double slash";
  if (path.endsWith("/")) return "trailing slash";
  for (const elem of path.split("/")) {
    if (elem === "") return "empty path element";
    if (/^\.+$/.test(elem)) return `invalid path element ${JSON.stringify(elem)}`;
    if (elem.endsWith(".")) return "trailing dot in path element";
    const bad = /[^A-Za-z0-9._~+-]/.exec(elem);
    if (bad) return `invalid char ${JSON.stringify(bad[0])}`;
    const short = elem.split(".")[0];
    if (WINDOWS_DEVICE.test(short)) return `${JSON.stringify(short)} disallowed as path element component on Windows`;
    if (/~\d+$/.test(short)) return "trailing tilde and digits in path element";
  }
  return undefined;
}

/**
 * A Go import path, as `go` accepts one. The catalog golang-test puts it unquoted in its script
 * (`$GOPATH/src/$(params.package)`) and golangci-lint in its workspace's mountPath: nothing else may go there.
 */
export function goImportPath(value: string): string | undefined {
  const problem = importPathProblem(value);
  return problem
    ? `expected a Go import path such as github.com/example-org/app (letters, digits and - . _ ~ + between single slashes): ${problem}`
    : undefined;
}

export function email(value: string): string | undefined {
  return /^[^\s@<>]+@[^\s@<>]+$/.test(value) ? undefined : "expected an email address";
}

export function plainText(value: string): string | undefined {
  return value.length > 0 && !/[\r\n<>]/.test(value) ? undefined : "expected a non-empty single line without '<' or '>'";
}

// A DNS-1123 subdomain: what Kubernetes object names and host names of Ingress rules must be.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function dnsSubdomain(value: string): string | undefined {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value)
    ? undefined
    : "expected a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', such as tekton.example.com";
}

/** A host name GitHub can reach: a subdomain with at least one dot, no wildcard, no port. */
export function hostName(value: string): string | undefined {
  return !dnsSubdomain(value) && value.includes(".") ? undefined : "expected a host name such as tekton.example.com (no scheme, port, path or wildcard)";
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

const NO_AUTHS = 'it has no "auths" object with a registry in it';

/** A docker `config.json`'s `auths`, by registry, or why the value holds none (never the value: it is secret). */
export type DockerConfigAuths = { auths: Readonly<Record<string, unknown>> } | { problem: string };

/**
 * The one parse of a docker `config.json`: the check below reads its registries, and the policy pack
 * reads the credentials in them, to find each where a file could hold it without the JSON around it.
 * Any object under `auths` is returned (an array by index); whether it names a registry is the check's.
 */
export function dockerConfigAuths(value: string): DockerConfigAuths {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: "the value is not JSON" };
  }
  const auths = typeof parsed === "object" && parsed !== null ? (parsed as { auths?: unknown }).auths : undefined;
  return typeof auths === "object" && auths !== null ? { auths: auths as Record<string, unknown> } : { problem: NO_AUTHS };
}

/**
 * A docker `config.json` as a `kubernetes.io/dockerconfigjson` Secret holds it: `{"auths": {<registry>:
 * {...}}}`, each entry with `auth` (base64 of `user:password`), `username` and `password`, or a token.
 * The answer never quotes the value: it is a secret.
 */
export function dockerConfigJson(value: string): string | undefined {
  const expected = 'expected a docker config.json: {"auths": {"<registry>": {"auth": "<base64 of user:password>"}}} (or username and password instead of auth)';
  const found = dockerConfigAuths(value);
  if ("problem" in found) return `${expected}; ${found.problem}`;
  if (Array.isArray(found.auths) || Object.keys(found.auths).length === 0) return `${expected}; ${NO_AUTHS}`;
  const entries = Object.entries(found.auths);
  const bad = entries.filter(([, entry]) => {
    if (typeof entry !== "object" || entry === null) return true;
    const e = entry as Record<string, unknown>;
    if (isText(e.auth)) return !Buffer.from(e.auth, "base64").toString("utf8").includes(":");
    return !((isText(e.username) && isText(e.password)) || isText(e.identitytoken) || isText(e.registrytoken));
  });
  if (bad.length > 0) return `${expected}; ${bad.length} of its ${entries.length} registries hold no usable credential`;
  return undefined;
}

const OPS_PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** A folder of the ops repository: relative, `/`-separated, no `.` or `..` and no empty segment. */
export function opsPath(value: string): string | undefined {
  const segments = value.split("/");
  return value.length <= 200 && segments.every((s) => OPS_PATH_SEGMENT.test(s) && s !== "..")
    ? undefined
    : "expected a folder of the ops repository such as cicd or apps/go-sample-app (relative, '/'-separated, no '.' or '..' segments)";
}

/** GitHub asks for a webhook secret of high entropy; 32 characters is the least this program takes. */
export const WEBHOOK_SECRET_MIN_LENGTH = 32;

/** A webhook secret long enough to be random: never quoted, it is a secret. */
export function webhookSecret(value: string): string | undefined {
  if (value.length >= WEBHOOK_SECRET_MIN_LENGTH) return undefined;
  return `expected at least ${WEBHOOK_SECRET_MIN_LENGTH} random characters, got ${value.length} (e.g. openssl rand -hex 32)`;
}

/**
 * An app's own lint or test script: some command, and no Tekton reference to a param or result, which
 * its Task declares none of (Tekton refuses the Task: "non-existent variable"). `$(workspaces.source.path)`
 * and the shell's own `$(...)` are fine.
 */
export function stepScript(value: string): string | undefined {
  if (value.trim() === "") return "expected the commands to run, not an empty script";
  const reference = /\$\((params|results|tasks|steps)\.[^)]*\)/.exec(value);
  if (reference) return `expected no ${reference[0]}: the app's own lint and test Tasks declare no params or results (the script runs in the app's checkout, $(workspaces.source.path))`;
  return undefined;
}
