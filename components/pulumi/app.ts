import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { fullSha } from "../config/validators";
import { revisionInFile } from "../kpack/revision";
import { RepoFile } from "../plan/ops-repository";
import { AppPlan } from "../plan/stack";

export interface DeliberateImageBuildsArgs {
  plan: AppPlan<pulumi.Output<string>>;
  /** Resources that must exist first, e.g. the namespace's Secrets. */
  dependsOn?: pulumi.Resource[];
}

/** What the ops repository holds now for a pipeline-owned file; undefined when it is not there yet. */
export async function currentContent(file: RepoFile, opts: pulumi.InvokeOptions): Promise<string | undefined> {
  const found = await github.getRepositoryFile({ repository: file.repository, file: file.path, branch: file.branch }, opts);
  // The provider answers a missing file with an empty result, not an error: that is "not there yet".
  return found.content ? found.content : undefined;
}

/**
 * One application's deliberate image builds: its ops repository files, the two Argo CD Applications
 * that apply them, and the push webhook on its app repository.
 */
export class DeliberateImageBuilds extends pulumi.ComponentResource {
  /** The revision kpack builds: what the pipeline last recorded, or `initialRevision` before that. */
  readonly testedRevision: pulumi.Output<string>;
  readonly eventListenerService: string;

  constructor(name: string, args: DeliberateImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:app:DeliberateImageBuilds", name, {}, opts);
    const { plan } = args;
    const parent = { parent: this };

    // GitHub rejects concurrent commits to one branch, so the files are written one after another.
    let previous: pulumi.Resource[] = [];
    const files: github.RepositoryFile[] = [];
    let testedRevision: pulumi.Output<string> | undefined;
    for (const file of plan.repoFiles) {
      let content: pulumi.Input<string> = file.content;
      let fileOpts: pulumi.CustomResourceOptions = { ...parent, dependsOn: previous };
      if (file.ownedBy === "pipeline") {
        // Created once, from what the repository already records if anything; then the pipeline's alone.
        const existing = pulumi.output(currentContent(file, parent));
        content = existing.apply((c) => c ?? file.content);
        testedRevision = pulumi.output(content).apply((c) => {
          const revision = revisionInFile(c);
          if (!revision || fullSha(revision)) {
            throw new Error(`${file.owner}/${file.repository}@${file.branch}:${file.path} records no full commit SHA (got ${JSON.stringify(revision)}); fix the file or delete it so that initialRevision is written`);
          }
          return revision;
        });
        fileOpts = { ...fileOpts, ignoreChanges: ["content", "commitMessage"], retainOnDelete: true };
      }
      const resource = new github.RepositoryFile(
        `${name}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
        {
          repository: file.repository,
          branch: file.branch,
          file: file.path,
          content,
          commitMessage: `${file.ownedBy === "pipeline" ? "Create" : "Update"} ${file.path} (deliberate-image-builds, app ${plan.app.name})`,
          overwriteOnCreate: true,
        },
        fileOpts,
      );
      files.push(resource);
      previous = [resource];
    }

    // The Applications come after the files, so their first sync finds the folders complete.
    for (const application of plan.applications) {
      new k8s.apiextensions.CustomResource(`${name}-${application.metadata.name}`, application, {
        ...parent,
        dependsOn: [...files, ...(args.dependsOn ?? [])],
      });
    }

    if (plan.webhook) {
      new github.RepositoryWebhook(
        `${name}-push-webhook`,
        {
          repository: plan.webhook.repository,
          events: plan.webhook.events,
          active: true,
          configuration: { url: plan.webhook.url, contentType: "json", secret: plan.webhook.secret, insecureSsl: false },
        },
        { ...parent, additionalSecretOutputs: ["configuration"] },
      );
    }

    this.testedRevision = testedRevision ?? pulumi.output(plan.app.initialRevision);
    this.eventListenerService = plan.names.eventListenerService;
    this.registerOutputs({ testedRevision: this.testedRevision, eventListenerService: this.eventListenerService });
  }
}
