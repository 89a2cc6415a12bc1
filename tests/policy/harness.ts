// How the policy tests call rules: resources shaped as the program registers them, a violation
// collector in place of reportViolation, and validation args as the policy server would build them.
import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { Application } from "../../components/argocd/application";
import { OpsDocument, RepoFile } from "../../components/plan/ops-repository";
import { opsFileContent } from "../../components/synth/ops-file";
import { StackPlan } from "../../components/plan/stack";
import { ARGOCD_APPLICATION, at, PolicedResource, Report, REPOSITORY_FILE, text } from "../../policy/objects";
import { StackContext } from "../../policy/stack";

/** Calls `check` with a collecting report and returns the messages, in order. */
export function violations(check: (report: Report) => void): string[] {
  const messages: string[] = [];
  check((m) => messages.push(m));
  return messages;
}

/**
 * A repository file with the inputs components/pulumi/app.ts gives github.RepositoryFile: its content
 * written from the planned objects, unless a test passes text of its own (a hand edit, a leaked token).
 */
export function repositoryFileResource(file: RepoFile, content: string = opsFileContent(file)): PolicedResource {
  return {
    type: REPOSITORY_FILE,
    name: `${file.repository}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
    props: {
      repository: file.repository,
      branch: file.branch,
      file: file.path,
      content,
      commitMessage: `Update ${file.path} (deliberate-image-builds)`,
      overwriteOnCreate: true,
    },
  };
}

/** An Argo CD Application as the program registers it: a CustomResource whose inputs are the object. */
export function applicationResource(application: Application | Record<string, unknown>): PolicedResource {
  return { type: ARGOCD_APPLICATION, name: `app-${text(at(application, "metadata.name"))}`, props: { ...application } };
}

/** Every repository file and Application of a plan, as resources. */
export function planResources(plan: StackPlan<unknown>): PolicedResource[] {
  return plan.apps.flatMap((app) => [...app.repoFiles.map((f) => repositoryFileResource(f)), ...app.applications.map(applicationResource)]);
}

/**
 * The file as written after `edit` changed a copy of its objects: how a test makes a planned file break
 * a rule. `edit` gets the documents of the kind it names.
 */
export function editedFileResource<D extends OpsDocument>(file: RepoFile, kind: D["kind"], edit: (document: D) => void): PolicedResource {
  const documents = structuredClone(file.documents) as OpsDocument[];
  const matching = documents.filter((d): d is D => d.kind === kind);
  if (matching.length === 0) throw new Error(`${file.path} holds no ${kind}`);
  matching.forEach(edit);
  return repositoryFileResource({ ...file, documents } as RepoFile);
}

/** The one file of the first app at `path`. */
export function planFile(plan: StackPlan<unknown>, path: string): RepoFile {
  const file = plan.apps[0].repoFiles.find((f) => f.path === path);
  if (!file) throw new Error(`the plan has no ${path}`);
  return file;
}

class NotApplicable extends Error {}

export function fakeStack(stack: string, config: Record<string, string> = {}): StackContext {
  return { stack: () => stack, config: () => config };
}

/** What the policy server passes a resource validation, for a resource and a policy config. */
function resourceArgs(resource: PolicedResource, policyConfig: object = {}): ResourceValidationArgs {
  return {
    ...resource,
    urn: `urn:pulumi:test::deliberate-image-builds::${resource.type}::${resource.name}`,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => policyConfig as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

interface Outcome {
  violations: string[];
  /** The reason given when the policy declared itself not applicable. */
  notApplicable?: string;
}

async function outcome(run: (report: Report) => Promise<void> | void): Promise<Outcome> {
  const messages: string[] = [];
  try {
    await run((m) => messages.push(m));
  } catch (e) {
    if (e instanceof NotApplicable) return { violations: messages, notApplicable: e.message };
    throw e;
  }
  return { violations: messages };
}

/** Runs a resource policy's validations on a resource, as the policy server would. */
export function validateResource(policy: ResourceValidationPolicy, resource: PolicedResource, policyConfig: object = {}): Promise<Outcome> {
  const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  return outcome(async (report) => {
    for (const validate of validations) await validate(resourceArgs(resource, policyConfig), report);
  });
}

/** Runs a stack policy with no resources (the stack policies here read the stack, not its resources). */
export function validateStack(policy: StackValidationPolicy, policyConfig: object = {}): Promise<Outcome> {
  const args: StackValidationArgs = {
    resources: [],
    stackTags: new Map(),
    getConfig: <T extends object>() => policyConfig as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  return outcome((report) => policy.validateStack(args, report));
}
