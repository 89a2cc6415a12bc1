/**
 * The deliberate-image-builds policies: what `pulumi preview --policy-pack policy` enforces. Each rule
 * is a plain function of a resource (or a stack file) and a report callback; the Policy objects below
 * are thin wrappers that add what only the running pack knows (stack name, config, pack config).
 * Nothing here starts the policy server: only index.ts constructs the PolicyPack.
 */
import * as fs from "fs";
import * as path from "path";
import type { Policies, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { show } from "../components/config/errors";
import { plaintextSecretProblem, readStackFile, StackFile } from "../components/config/stack-file";
import { fullSha } from "../components/config/validators";
import { revisionInFile, revisionOnLine, REVISION_LINE } from "../components/kpack/revision";
import { isRevisionFilePath } from "../components/plan/ops-repository";
import { unpinnedImages } from "./images";
import { at, Data, eachMap, FoundObject, isData, kindOf, objectsOf, PolicedResource, Report, REPOSITORY_FILE, repositoryFile, text } from "./objects";
import { DEFAULT_PROD_STACKS, isProdLike, PROJECT_DIR, PULUMI_STACK, SecretValue, secretConfigValues, StackContext } from "./stack";

export const PACK_NAME = "deliberate-image-builds";

// --- every container image is pinned --------------------------------------------------------------

/** Images in repository files (Tekton, kpack, anything Argo CD applies) and in Kubernetes resources. */
export function checkImagesPinned(resource: PolicedResource, report: Report): void {
  for (const found of objectsOf(resource)) {
    for (const message of unpinnedImages(found.object)) report(`${found.subject}: ${message}`);
  }
}

// --- kpack builds only full commit SHAs ---------------------------------------------------------------

function isKpackImage(object: Data): boolean {
  return kindOf(object) === "Image" && (text(object.apiVersion) ?? "").startsWith("kpack.io/");
}

/**
 * revision.yaml is read as YAML, and its revision line as update-image-revision reads it: the two must
 * agree, so Pulumi and the Task agree on what it records. Any other kpack Image (in a repository file or applied by Pulumi) is read as YAML.
 */
export function checkKpackRevision(resource: PolicedResource, report: Report): void {
  const file = repositoryFile(resource);
  if (file && isRevisionFilePath(file.path)) {
    const revision = revisionInFile(file.content);
    const onLine = revisionOnLine(file.content);
    if (onLine === undefined || revision === undefined) {
      report(`${file.where}: no line starts with ${show(REVISION_LINE)}; expected the tested revision on that line, where update-image-revision reads and writes it`);
    } else if (onLine !== revision) {
      report(`${file.where}: spec.source.git.revision is ${show(revision)} but the revision line, which update-image-revision reads, holds ${show(onLine)}; expected one value`);
    } else {
      const problem = fullSha(revision);
      if (problem) report(`${file.where}: the revision line records ${show(revision)}; ${problem}`);
    }
    return;
  }
  for (const found of objectsOf(resource)) {
    if (!isKpackImage(found.object)) continue;
    const revision = at(found.object, "spec.source.git.revision");
    if (revision === undefined) continue; // image.yaml leaves it to revision.yaml's patch
    // YAML reads an unquoted all-digit value as a number: never the SHA string kpack needs.
    const problem = fullSha(typeof revision === "string" ? revision : "");
    if (problem) report(`${found.subject}: spec.source.git.revision is ${show(revision)}; ${problem}`);
  }
}

// --- no Secret or token in a repository file ------------------------------------------------------

// GitHub's token formats: classic and app tokens (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained ones.
const GITHUB_TOKEN = /(?<![A-Za-z0-9_])(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/g;

/** Line numbers and prefixes of what looks like a GitHub token; the token itself is never returned. */
export function githubTokensIn(value: string): { line: number; prefix: string }[] {
  const found: { line: number; prefix: string }[] = [];
  value.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(GITHUB_TOKEN)) found.push({ line: i + 1, prefix: m[1] });
  });
  return found;
}

function lineOf(value: string, needle: string): number {
  return value.slice(0, value.indexOf(needle)).split("\n").length;
}

const SECRETS_BELONG = "expected Secrets only in the cluster, where pulumi up creates them (kubernetes:core/v1:Secret), never committed to a repository";

function secretObjects(found: FoundObject, report: Report): void {
  eachMap(found.object, (map, path) => {
    if (map.kind !== "Secret" || map.apiVersion !== "v1") return;
    if (!path) report(`${found.subject}: a Kubernetes Secret in a repository file; ${SECRETS_BELONG}`);
    else report(`${found.subject}: ${path} is a Kubernetes Secret ${show(text(at(map, "metadata.name")))}; ${SECRETS_BELONG}`);
  });
  if (kindOf(found.object) === "Kustomization" && Array.isArray(found.object.secretGenerator)) {
    for (const generator of found.object.secretGenerator) {
      report(`${found.subject}: secretGenerator ${show(at(generator, "name"))} makes a Secret from what the repository holds; ${SECRETS_BELONG}`);
    }
  }
}

/**
 * A repository file must hold no Secret object, nothing shaped like a GitHub token, and no value of a
 * secret config key. A policy cannot ask whether an input is a Pulumi secret: @pulumi/policy unwraps
 * secrets before a validation sees them. So the secret values themselves are looked for instead.
 */
export function checkNoSecretsInRepositoryFile(resource: PolicedResource, secrets: readonly SecretValue[], report: Report): void {
  const file = repositoryFile(resource);
  if (!file) return;
  for (const found of objectsOf(resource)) secretObjects(found, report);
  const texts: [string, string | undefined][] = [
    ["content", file.content],
    ["commit message", file.commitMessage],
  ];
  for (const [what, value] of texts) {
    if (!value) continue;
    for (const t of githubTokensIn(value)) {
      report(`${file.where}: line ${t.line} of the ${what} holds what looks like a GitHub token (${t.prefix}…); expected no credential in a repository file: the pipeline reads its token from the github-token Secret`);
    }
    for (const s of secrets) {
      if (value.includes(s.value)) {
        report(`${file.where}: line ${lineOf(value, s.value)} of the ${what} holds the value of the secret config ${s.key}; expected secret values only in Secrets in the cluster`);
      }
    }
  }
}

// --- Argo CD syncs on its own -------------------------------------------------------------------

/** Argo CD Applications applied by Pulumi, or committed to a repository for an app of apps. */
export function applicationsOf(resource: PolicedResource): FoundObject[] {
  return objectsOf(resource).filter((f) => kindOf(f.object) === "Application" && (text(f.object.apiVersion) ?? "").startsWith("argoproj.io/"));
}

export function checkAutomatedSync(resource: PolicedResource, report: Report): void {
  for (const found of applicationsOf(resource)) {
    const automated = at(found.object, "spec.syncPolicy.automated");
    if (!isData(automated)) {
      report(`${found.subject}: spec.syncPolicy.automated is ${automated === undefined ? "missing" : show(automated)}; expected automated sync, so what the pipeline records in the ops repository is applied without anyone pressing sync`);
    } else if (automated.enabled === false) {
      report(`${found.subject}: spec.syncPolicy.automated.enabled is false; expected automated sync on (enabled true, or left out)`);
    }
  }
}

const PROD_SYNC: [key: "selfHeal" | "prune", why: string][] = [
  ["selfHeal", "so changes made by hand in the cluster are reverted"],
  ["prune", "so objects removed from the ops repository are deleted"],
];

/** For prod-like stacks: self-heal and prune on, wherever automated sync is on (checkAutomatedSync covers the rest). */
export function checkSelfHealAndPrune(resource: PolicedResource, stack: string, report: Report): void {
  for (const found of applicationsOf(resource)) {
    const automated = at(found.object, "spec.syncPolicy.automated");
    if (!isData(automated) || automated.enabled === false) continue;
    for (const [key, why] of PROD_SYNC) {
      const value = automated[key];
      if (value !== true) {
        report(`${found.subject}: spec.syncPolicy.automated.${key} is ${value === undefined ? "unset" : show(value)}; expected true on prod-like stack ${stack}, ${why}`);
      }
    }
  }
}

// --- secret config is encrypted in the stack file ---------------------------------------------------

/**
 * What a pack can see of `githubToken`: the github provider's `token` input reaches a validation with
 * its secret marker removed (@pulumi/policy deserializes validation inputs with secrets unwrapped; only
 * remediations get them wrapped, behind the SDK's internal proxies, and a remediation reports nothing).
 * The stack config reaches the pack decrypted, in PULUMI_CONFIG without the list of secret keys; the
 * ConfigureStack call that does say which keys are secret is reduced to stack tags by @pulumi/policy 1.21.
 * Nor would the input tell much: the program (requireSecret) and @pulumi/github both make it secret.
 * Where a token does leak is the stack file: a key set without --secret is stored there in plain text
 * and committed. So the stack file is read, as Pulumi reads it, for every key Pulumi.yaml declares secret.
 */
export function checkSecretConfigEncrypted(stackFile: StackFile, stack: string, report: Report): void {
  for (const key of stackFile.plaintextSecrets) report(plaintextSecretProblem(stack, key));
}

// --- the policies ---------------------------------------------------------------------------------

export interface ProdStacksConfig {
  /** Regular expression that prod-like stack names match. */
  prodStacks?: string;
}

export interface ProjectDirConfig {
  /** Folder with Pulumi.yaml and the stack files; this repository's root by default. */
  projectDir?: string;
}

const PROD_STACKS_SCHEMA: PolicyConfigSchema = {
  properties: {
    prodStacks: { type: "string", default: DEFAULT_PROD_STACKS, description: "Regular expression that the names of prod-like stacks match." },
  },
};

const PROJECT_DIR_SCHEMA: PolicyConfigSchema = {
  properties: {
    projectDir: { type: "string", description: "Folder with Pulumi.yaml and the stack files (default: the folder above the pack)." },
  },
};

export const imagesPinned: ResourceValidationPolicy = {
  name: "images-pinned",
  description: "Every container image is pinned to a version tag or a sha256 digest, never latest or no tag.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => checkImagesPinned(args, report),
};

export const kpackRevisionFullSha: ResourceValidationPolicy = {
  name: "kpack-revision-full-sha",
  description: "kpack builds a full commit SHA: the revision in revision.yaml and in any kpack Image.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => checkKpackRevision(args, report),
};

export function noSecretsInRepositoryFiles(context: StackContext = PULUMI_STACK): ResourceValidationPolicy {
  return {
    name: "no-secrets-in-repository-files",
    description: "No Secret, GitHub token or secret config value is committed to a repository.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      if (args.type !== REPOSITORY_FILE) return;
      checkNoSecretsInRepositoryFile(args, secretConfigValues(context.config()), report);
    },
  };
}

export const argocdAutomatedSync: ResourceValidationPolicy = {
  name: "argocd-automated-sync",
  description: "Every Argo CD Application syncs automatically.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => checkAutomatedSync(args, report),
};

export function argocdSelfHealAndPruneInProd(context: StackContext = PULUMI_STACK): ResourceValidationPolicy {
  return {
    name: "argocd-self-heal-and-prune-in-prod",
    description: "On prod-like stacks, Argo CD Applications self-heal and prune.",
    enforcementLevel: "advisory",
    configSchema: PROD_STACKS_SCHEMA,
    validateResource: (args, report) => {
      if (applicationsOf(args).length === 0) return;
      const pattern = args.getConfig<ProdStacksConfig>().prodStacks ?? DEFAULT_PROD_STACKS;
      const stack = context.stack();
      if (!isProdLike(stack, pattern)) args.notApplicable(`stack ${show(stack)} is not prod-like: its name does not match ${show(pattern)}`);
      checkSelfHealAndPrune(args, stack, report);
    },
  };
}

export function secretConfigEncrypted(context: StackContext = PULUMI_STACK): StackValidationPolicy {
  return {
    name: "secret-config-encrypted",
    description: "githubToken and webhookSecret are stored encrypted (pulumi config set --secret), never in plain text.",
    enforcementLevel: "mandatory",
    configSchema: PROJECT_DIR_SCHEMA,
    validateStack: (args, report) => {
      const dir = args.getConfig<ProjectDirConfig>().projectDir ?? PROJECT_DIR;
      const stack = context.stack();
      const fileName = `Pulumi.${stack}.yaml`;
      if (!fs.existsSync(path.join(dir, fileName))) args.notApplicable(`${fileName} is not in ${dir}: this stack keeps its config elsewhere`);
      checkSecretConfigEncrypted(readStackFile(dir, stack), stack, report);
    },
  };
}

/** Every policy of the pack, reading the stack from `context` (the running pack's by default). */
export function packPolicies(context: StackContext = PULUMI_STACK): Policies {
  return [
    imagesPinned,
    kpackRevisionFullSha,
    noSecretsInRepositoryFiles(context),
    argocdAutomatedSync,
    argocdSelfHealAndPruneInProd(context),
    secretConfigEncrypted(context),
  ];
}
