import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { revisionFileContent } from "../plan/ops-repository";
import { AppPlan } from "../plan/stack";
import { lookUp, RevisionFileLocation, RevisionSeed, revisionSeed, sameLocation } from "./recorded-revision";

export interface DeliberateImageBuildsArgs {
  plan: AppPlan<pulumi.Output<string>>;
  /** Resources that must exist first, e.g. the namespace's Secrets. */
  dependsOn?: pulumi.Resource[];
  /** Where the last completed update recorded this app's revision file (see recorded-revision.ts). */
  previousRevisionFile?: pulumi.Input<RevisionFileLocation | undefined>;
}

/**
 * How long `pulumi destroy` waits for Argo CD to delete an Application. Each carries Argo CD's resources
 * finalizer, which only a running Argo CD removes (after deleting what the Application applied); with
 * Argo CD down or gone, pulumi-kubernetes would wait its default 10 minutes per Application, then fail,
 * and again on every rerun (provider/pkg/await/await.go Deletion). Argo CD running finishes in seconds.
 * On the timeout the Application stays in the stack, with the provider's warning that finalizers might
 * be preventing deletion; README "Tearing down" says what to do.
 */
export const APPLICATION_DELETE_TIMEOUT = "3m";

/**
 * One application's deliberate image builds: its ops repository files, the two Argo CD Applications
 * that apply them, and the push webhook on its app repository.
 */
export class DeliberateImageBuilds extends pulumi.ComponentResource {
  /** The revision kpack builds: what the pipeline last recorded, or `initialRevision` before that. */
  readonly testedRevision: pulumi.Output<string>;
  readonly eventListenerService: string;
  /** Where the revision file is; the next update reads it back to carry the revision over a move. */
  readonly revisionFile: pulumi.Output<RevisionFileLocation>;

  constructor(name: string, args: DeliberateImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:app:DeliberateImageBuilds", name, {}, opts);
    const { plan } = args;
    const parent = { parent: this };

    // revision.yaml's content, decided from what GitHub holds before anything is written. Every file
    // waits for it, so an unreadable ops branch stops the update before the first write.
    const revisionPlan = plan.repoFiles.find((f) => f.ownedBy === "pipeline");
    if (!revisionPlan) throw new Error(`app ${plan.app.name}: the plan has no pipeline-owned revision file`);
    const here: RevisionFileLocation = { repository: revisionPlan.repository, branch: revisionPlan.branch, path: revisionPlan.path };
    const seed = pulumi.output(args.previousRevisionFile).apply(async (previousLocation): Promise<RevisionSeed> => {
      const moved = previousLocation && !sameLocation(previousLocation, here) ? previousLocation : undefined;
      return revisionSeed({
        app: plan.app.name,
        owner: revisionPlan.owner,
        file: revisionPlan,
        here: await lookUp(here, parent),
        previous: moved ? { location: moved, lookup: await lookUp(moved, parent) } : undefined,
        render: (revision) => revisionFileContent(plan.names, plan.app, revision),
      });
    });

    // GitHub rejects concurrent commits to one branch, so the files are written one after another.
    let previous: pulumi.Resource[] = [];
    const files: github.RepositoryFile[] = [];
    for (const file of plan.repoFiles) {
      let content = seed.apply(() => file.content);
      let fileOpts: pulumi.CustomResourceOptions = { ...parent, dependsOn: previous };
      if (file.ownedBy === "pipeline") {
        // Created once, from what the repository records; then the pipeline's alone.
        content = seed.apply((s) => s.content);
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
        customTimeouts: { delete: APPLICATION_DELETE_TIMEOUT },
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

    this.testedRevision = seed.apply((s) => s.revision);
    // From the file resource's outputs, which resolve once the file exists on GitHub: an update that
    // fails before that leaves the previous location in the stack's outputs.
    const revisionResource = files[plan.repoFiles.indexOf(revisionPlan)];
    this.revisionFile = pulumi
      .all([revisionResource.repository, revisionResource.branch, revisionResource.file])
      .apply(([repository, branch, path]) => ({ repository, branch, path }));
    this.eventListenerService = plan.names.eventListenerService;
    this.registerOutputs({ testedRevision: this.testedRevision, eventListenerService: this.eventListenerService, revisionFile: this.revisionFile });
  }
}
