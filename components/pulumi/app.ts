import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppArgValues, appComponentSettings, AppPlanArgs, ComponentArgsError } from "../config/component-args";
import { locationOf, revisionFileOf, sameLocation } from "../plan/ops-repository";
import { AppPlan, planApp, WebhookPlan } from "../plan/stack";
import { opsFileContent } from "../synth/ops-file";
import { BuildNamespace } from "./build-namespace";
import { lookUp, RevisionFileLocation, RevisionSeed, revisionSeed } from "./recorded-revision";

/**
 * One app's deliberate image builds. Fields that decide what is planned (repositories, branches, image)
 * are plain values; the namespace, the webhook's URL and its secret may come from other resources.
 */
export interface DeliberateImageBuildsArgs extends AppPlanArgs {
  /**
   * Build namespace of the Tekton objects and the kpack Image: the BuildNamespace that holds their
   * Secrets, so the Applications wait for those Secrets and the namespace is the one they are in.
   * A bare name (or an Output of one) still works: then nothing ties the app to its Secrets, and the
   * program must make them exist first (a BuildNamespace there, listed in `opts.dependsOn`).
   */
  namespace: BuildNamespace | pulumi.Input<string>;
  /**
   * GitHub's push webhook on appRepository. `url`: the EventListener's public https URL, by default
   * `https://<ingressHost>/`; `secret`: what GitHub signs pushes with, the namespace's webhook secret.
   * @default none: no webhook
   */
  webhook?: { url?: pulumi.Input<string>; secret: pulumi.Input<string> };
  /**
   * Where the last update recorded this app's revision file, to carry the tested revision over when
   * opsRepository or opsBranch changes (the stack program reads it from its own outputs).
   * @default none: the configured location only
   */
  previousRevisionFile?: pulumi.Input<RevisionFileLocation | undefined>;
}

export const APP_COMPONENT = "DeliberateImageBuilds";

/**
 * How long `pulumi destroy` waits for Argo CD to delete an Application. Each carries Argo CD's resources
 * finalizer, which only a running Argo CD removes (after deleting what the Application applied); with
 * Argo CD down or gone, pulumi-kubernetes would wait its default 10 minutes per Application, then fail,
 * and again on every rerun (provider/pkg/await/await.go Deletion). Argo CD running finishes in seconds.
 * On the timeout the Application stays in the stack, with the provider's warning that finalizers might
 * be preventing deletion; README "Tearing down" says what to do.
 */
export const APPLICATION_DELETE_TIMEOUT = "3m";

/** The Applications' resource names, after their role; before, they repeated the app's name (kept as aliases). */
const APPLICATION_ROLES = ["image", "tekton"] as const;

function argValues(args: DeliberateImageBuildsArgs, namespace: string | undefined, webhookUrl: string | undefined): AppArgValues {
  const { namespace: _n, webhook: _w, previousRevisionFile: _p, ...plain } = args;
  return { ...plain, namespace, webhookUrl };
}

/** The webhook an app with `webhook` args has; none when neither a URL nor an ingressHost says where pushes go. */
function webhookOf(plan: AppPlan<undefined>, name: string): WebhookPlan<undefined> {
  if (!plan.webhook) {
    throw new ComponentArgsError(APP_COMPONENT, name, [
      { key: "webhook.url", message: "got nothing; expected the EventListener's https URL, or an ingressHost it defaults to" },
    ]);
  }
  return plan.webhook;
}

/**
 * One application's deliberate image builds: its ops repository files, the two Argo CD Applications
 * that apply them, and the push webhook on its app repository. `name` is the app's name: its objects
 * are named after it. Providers come through `opts` (kubernetes and github).
 */
export class DeliberateImageBuilds extends pulumi.ComponentResource {
  /** The revision kpack builds: what the pipeline last recorded, or `initialRevision` before that. */
  readonly testedRevision: pulumi.Output<string>;
  /** The Service Tekton Triggers creates for the EventListener: what the webhook must reach. */
  readonly eventListenerService: pulumi.Output<string>;
  /** The two Argo CD Applications: `cicd/kpack` and `cicd/tekton` of the ops repository. */
  readonly applications: k8s.apiextensions.CustomResource[];
  /** The files committed to the ops repository; `cicd/kpack/revision.yaml` is the pipeline's after its creation. */
  readonly opsFiles: github.RepositoryFile[];
  /** Where the revision file is; the next update reads it back to carry the revision over a move. */
  readonly revisionFile: pulumi.Output<RevisionFileLocation>;

  constructor(name: string, args: DeliberateImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:app:DeliberateImageBuilds", name, {}, opts);
    const parent = { parent: this };
    const webhookArgs = args.webhook;
    // A BuildNamespace gives the namespace once its Secrets exist, and is waited for like opts.dependsOn.
    const linked = args.namespace instanceof BuildNamespace ? args.namespace : undefined;
    const namespaceInput: pulumi.Input<string> = linked ? linked.namespace : (args.namespace as pulumi.Input<string>);
    // Plain values are checked now; a namespace or URL from another resource once it resolves.
    const plainNamespace = typeof namespaceInput === "string" ? namespaceInput : undefined;
    const plainUrl = typeof webhookArgs?.url === "string" ? webhookArgs.url : undefined;
    const known = appComponentSettings(APP_COMPONENT, name, argValues(args, plainNamespace, plainUrl));
    // The structure (which files, which Applications, their resource names) needs no Input: only contents do.
    const shape = planApp(known.stack, known.app, undefined);
    const allPlain = namespaceInput === plainNamespace && webhookArgs?.url === plainUrl;
    // Whether there is a webhook to make depends on the URL and ingressHost alone: known now when the URL is plain.
    if (webhookArgs && webhookArgs.url === plainUrl) webhookOf(shape, name);
    // With a plain namespace and URL, `shape` is the whole plan and no plan Output is made: an Output
    // costs the SDK several promises and, through pulumi.all, a walk of its value (bench: 100 apps).
    // Only a namespace or URL from another resource makes the plan wait for it.
    const pendingPlan: pulumi.Output<AppPlan<undefined>> | undefined = allPlain
      ? undefined
      : pulumi.all([namespaceInput, webhookArgs?.url]).apply(([namespace, url]) => {
          const { stack, app } = appComponentSettings(APP_COMPONENT, name, argValues(args, namespace, url));
          return planApp(stack, app, undefined);
        });
    /** A part of the plan: at once from `shape` when it is the whole plan, else once the Inputs resolve. */
    const planned = <T>(pick: (p: AppPlan<undefined>) => T): pulumi.Input<T> => (pendingPlan ? pendingPlan.apply(pick) : pick(shape));

    // revision.yaml's content, decided from what GitHub holds before anything is written. Every file
    // waits for it, so an unreadable ops branch stops the update before the first write.
    const revisionFile = revisionFileOf(shape.repoFiles);
    const here = locationOf(revisionFile);
    // pulumi.all walks every value it is given, so it gets the small revision file, never the whole plan.
    const seed = pulumi.all([planned((p) => revisionFileOf(p.repoFiles)), args.previousRevisionFile]).apply(async ([file, previousLocation]): Promise<RevisionSeed> => {
      const moved = previousLocation && !sameLocation(previousLocation, here) ? previousLocation : undefined;
      return revisionSeed({
        app: name,
        owner: revisionFile.owner,
        file,
        here: await lookUp(here, parent),
        previous: moved ? { location: moved, lookup: await lookUp(moved, parent) } : undefined,
      });
    });

    // GitHub rejects concurrent commits to one branch, so the files are written one after another.
    let previous: pulumi.Resource[] = [];
    this.opsFiles = shape.repoFiles.map((file, i) => {
      const pipelineOwned = file.ownedBy === "pipeline";
      // Created once, from what the repository records; then the pipeline's alone.
      // Every file waits for the seed, so nothing is written before the ops branch was read.
      const content = pipelineOwned ? seed.apply((s) => s.content) : seed.apply(() => pulumi.output(planned((p) => opsFileContent(p.repoFiles[i]))));
      const resource = new github.RepositoryFile(
        `${name}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
        {
          repository: file.repository,
          branch: file.branch,
          file: file.path,
          content,
          commitMessage: `${pipelineOwned ? "Create" : "Update"} ${file.path} (deliberate-image-builds, app ${name})`,
          overwriteOnCreate: true,
        },
        { ...parent, dependsOn: previous, ...(pipelineOwned ? { ignoreChanges: ["content", "commitMessage"], retainOnDelete: true } : {}) },
      );
      previous = [resource];
      return resource;
    });

    // The Applications come after the files, so their first sync finds the folders complete; and after
    // what the component depends on (the namespace's Secrets), which children do not wait for by themselves.
    const waitFor = [
      ...(opts?.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>]),
      ...(linked ? [linked] : []),
    ];
    this.applications = shape.applications.map((application, i) => {
      return new k8s.apiextensions.CustomResource(
        `${name}-${APPLICATION_ROLES[i]}`,
        {
          apiVersion: application.apiVersion,
          kind: application.kind,
          metadata: planned((p) => p.applications[i].metadata),
          spec: planned((p) => p.applications[i].spec),
        },
        {
          ...parent,
          dependsOn: [...this.opsFiles, ...waitFor],
          customTimeouts: { delete: APPLICATION_DELETE_TIMEOUT },
          // Registered before as `<name>-<Application name>`, which repeated the app's name.
          aliases: [{ name: `${name}-${application.metadata.name}` }],
        },
      );
    });

    if (webhookArgs) {
      new github.RepositoryWebhook(
        `${name}-push-webhook`,
        {
          repository: planned((p) => webhookOf(p, name).repository),
          events: planned((p) => webhookOf(p, name).events),
          active: true,
          configuration: { url: planned((p) => webhookOf(p, name).url), contentType: "json", secret: pulumi.secret(webhookArgs.secret), insecureSsl: false },
        },
        { ...parent, additionalSecretOutputs: ["configuration"] },
      );
    }

    this.testedRevision = seed.apply((s) => s.revision);
    // From the file resource's outputs, which resolve once the file exists on GitHub: an update that
    // fails before that leaves the previous location in the stack's outputs.
    const revisionResource = this.opsFiles[shape.repoFiles.indexOf(revisionFile)];
    this.revisionFile = pulumi
      .all([revisionResource.repository, revisionResource.branch, revisionResource.file])
      .apply(([repository, branch, path]) => ({ repository, branch, path }));
    this.eventListenerService = pulumi.output(shape.names.eventListenerService);
    this.registerOutputs({
      testedRevision: this.testedRevision,
      eventListenerService: this.eventListenerService,
      revisionFile: this.revisionFile,
      applications: shape.applications.map((a) => a.metadata.name),
      opsFiles: shape.repoFiles.map((f) => f.path),
    });
  }
}
