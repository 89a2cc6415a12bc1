import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppArgValues, appComponentSettings, AppPlanArgs, ComponentArgsError } from "../config/component-args";
import { show } from "../config/errors";
import { AppSettings } from "../config/settings";
import { OWN_OPS_PATH } from "../plan/ops-folders";
import { locationOf, revisionFileOf, sameLocation } from "../plan/ops-repository";
import { AppPlan, planApp, WebhookPlan } from "../plan/stack";
import { appWebhookSecret, WEBHOOK_SECRET_KEY } from "../plan/names";
import { webhookSecret as webhookSecretProblem } from "../config/validators";
import { registerAccess } from "./access";
import { opsFileContent } from "../synth/ops-file";
import { BuildNamespace, describeNamespace, GivenNamespace, givenNamespace } from "./build-namespace";
import { BuildCredentials } from "./credentials";
import { failFast } from "./failures";
import { claimOpsFolder } from "./ops-folder-claims";
import { lookUp, RevisionFileLocation, RevisionSeed, revisionSeed } from "./recorded-revision";

/** The args a program often has as Outputs of its own resources (a github.Repository's `name`, a github.Branch's `branch`). */
type NamesFromResources = "appRepository" | "branch" | "opsRepository" | "opsBranch";

/**
 * One app's deliberate image builds. The namespace, the repository and branch names, the webhook's URL
 * and its secret may come from other resources (Inputs). The rest must be plain values, because they
 * decide which resources the component registers and under which names (the resource name; ingressHost
 * and webhook: whether there is a webhook), because the folder (opsPath) is claimed against the
 * program's other apps as the component is constructed, or because they are checked together then so
 * that one error names every wrong arg (githubOwner, image, initialRevision, the PipelineArgs); none of
 * them is what another resource of a program usually gives.
 */
export interface DeliberateImageBuildsArgs extends Omit<AppPlanArgs, NamesFromResources> {
  /** The application repository under githubOwner, linted, tested and built; may be a github.Repository's `name`. */
  appRepository: pulumi.Input<string>;
  /** Branch of appRepository whose pushes are built. */
  branch: pulumi.Input<string>;
  /**
   * The ops repository under githubOwner that Argo CD watches and the pipeline records the tested
   * revision in; may be a github.Repository's `name` created in the same program (list the repository
   * and its branch in `opts.dependsOn`: the branch read waits for them).
   */
  opsRepository: pulumi.Input<string>;
  /** Branch of opsRepository the pipeline pushes to and Argo CD tracks; it must exist. @default "main" */
  opsBranch?: pulumi.Input<string>;
  /**
   * Build namespace of the Tekton objects and the kpack Image: the BuildNamespace that holds their
   * Secrets, so the Applications wait for those Secrets and the namespace is the one they are in.
   * A bare name (or an Output of one) still works: then nothing ties the app to its Secrets, and the
   * program must make them exist first (a BuildNamespace there, listed in `opts.dependsOn`).
   */
  namespace: BuildNamespace | pulumi.Input<string>;
  /**
   * GitHub's push webhook on appRepository, signed with webhookSecret. `url`: the EventListener's
   * public https URL, by default `https://<ingressHost>/`. @default none: no webhook
   */
  webhook?: { url?: pulumi.Input<string> };
  /**
   * The app's own webhook secret, at least 32 characters: GitHub signs its pushes with it and its
   * EventListener checks them with it. Kept secret. @default derived for this app alone from the
   * BuildNamespace's webhookSecret (namespace must then be that BuildNamespace)
   */
  webhookSecret?: pulumi.Input<string>;
  /**
   * The BuildCredentials listing this app (its namespace and imageServiceAccount as given here): the
   * Applications wait for Argo CD's repository credentials, kpack's Secrets and the account kpack
   * builds with. @default none: the program brings those (imageServiceAccount names its account; without
   * one, nothing makes "<name>-image-builder" and the component warns)
   */
  credentials?: BuildCredentials;
  /**
   * Where the last update recorded this app's revision file, to carry the tested revision over when
   * opsRepository, opsBranch or opsPath changes (the stack program reads it from its own outputs).
   * @default none: the configured location only
   */
  previousRevisionFile?: pulumi.Input<RevisionFileLocation | undefined>;
}

/** The args that may be Inputs, as one record: plain ones are checked at once, the others once they resolve. */
interface InputArgs<T> {
  namespace: T;
  webhookUrl: T;
  appRepository: T;
  branch: T;
  opsRepository: T;
  opsBranch: T;
}

/**
 * A stand-in for a required name not known yet, valid wherever the real one is: it only shapes the plan
 * (which files, which Applications), and no resource is given a value planned with it.
 */
const NOT_KNOWN_YET = "not-known-yet";

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

function argValues(args: DeliberateImageBuildsArgs, resolved: InputArgs<string | undefined>): AppArgValues {
  const { namespace: _n, webhook: _w, webhookSecret: _s, previousRevisionFile: _p, credentials: _c, appRepository: _a, branch: _b, opsRepository: _o, opsBranch: _ob, ...plain } = args;
  const required = (value: string | undefined) => value ?? NOT_KNOWN_YET;
  return { ...plain, ...resolved, appRepository: required(resolved.appRepository), branch: required(resolved.branch), opsRepository: required(resolved.opsRepository) };
}

/**
 * What the app waits for of its BuildCredentials, and its namespace as the plan takes it: checked against
 * the one they list for it, now when both are plain, else once they resolve. Throws when they do not
 * list the app as its args say.
 */
function credentialsFor(name: string, args: DeliberateImageBuildsArgs, own: GivenNamespace): { waitFor: pulumi.Resource[]; namespace: pulumi.Input<string> } {
  if (!args.credentials) return { waitFor: [], namespace: own.value };
  const listed = args.credentials.forApp(name);
  const account = args.imageServiceAccount ?? `${name}-image-builder`;
  const mismatch = (got: string, listedAs: string) =>
    new ComponentArgsError(APP_COMPONENT, name, [{ key: "namespace", message: `got ${got}; the BuildCredentials list ${listedAs} for this app, expected the same namespace` }]);
  const problem = !listed
    ? { key: "credentials", message: `got a BuildCredentials without an app ${show(name)}; expected one listing this app among its apps` }
    : listed.imageServiceAccount !== account
      ? { key: "imageServiceAccount", message: `got ${show(account)}; the BuildCredentials list ${show(listed.imageServiceAccount)} for this app, expected the same account` }
      : undefined;
  if (problem) throw new ComponentArgsError(APP_COMPONENT, name, [problem]);
  const theirs = listed!.namespace;
  // The same BuildNamespace, or the same Output: the same namespace, whatever it resolves to.
  const same = (own.linked !== undefined && own.linked === theirs.linked) || own.value === theirs.value;
  if (same) return { waitFor: listed!.waitFor, namespace: own.value };
  if (own.plain !== undefined && theirs.plain !== undefined) {
    if (own.plain !== theirs.plain) throw mismatch(show(own.plain), show(theirs.plain));
    return { waitFor: listed!.waitFor, namespace: own.value };
  }
  const checked = pulumi.all([own.value, theirs.value]).apply(
    failFast(([mine, listedAs]) => {
      if (mine !== listedAs) throw mismatch(`${show(mine)} (${describeNamespace(own)})`, `${show(listedAs)} (${describeNamespace(theirs)})`);
      return mine;
    }),
  );
  return { waitFor: listed!.waitFor, namespace: checked };
}

/**
 * The app's webhook secret as a secret Output: `webhookSecret` when given (checked once it resolves),
 * else derived for this app from the linked BuildNamespace's root.
 */
function appWebhookSecretOf(name: string, args: DeliberateImageBuildsArgs, linked: BuildNamespace | undefined, namespace: pulumi.Input<string>): pulumi.Output<string> {
  const given = args.webhookSecret;
  if (given !== undefined) {
    return pulumi.secret(
      pulumi.output(given).apply(
        failFast((value) => {
          const bad = webhookSecretProblem(value);
          if (bad) throw new ComponentArgsError(APP_COMPONENT, name, [{ key: "webhookSecret", message: `got a value too short (not shown: it is secret); ${bad}` }]);
          return value;
        }),
      ),
    );
  }
  if (!linked) {
    throw new ComponentArgsError(APP_COMPONENT, name, [
      { key: "webhookSecret", message: "got nothing, and a bare namespace to derive none from; expected the app's webhook secret, or its BuildNamespace as namespace" },
    ]);
  }
  return pulumi.secret(pulumi.all([linked.webhookSecretRoot, namespace]).apply(([root, ns]) => appWebhookSecret(root, { namespace: ns, name })));
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
  /** The AppProject, the pipeline's and the listener's accounts and the listener's roles: in the cluster, never in git. */
  readonly access: pulumi.CustomResource[];
  /** The files committed to the ops repository; `cicd/kpack/revision.yaml` is the pipeline's after its creation. */
  readonly opsFiles: github.RepositoryFile[];
  /** Where the revision file is; the next update reads it back to carry the revision over a move. */
  readonly revisionFile: pulumi.Output<RevisionFileLocation>;

  constructor(name: string, args: DeliberateImageBuildsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("deliberate-image-builds:app:DeliberateImageBuilds", name, {}, opts);
    const parent = { parent: this };
    const webhookArgs = args.webhook;
    // A BuildNamespace gives the namespace, and is waited for like opts.dependsOn (its Secrets first):
    // its plain name when it has one, so the plan needs no Output (see pendingPlan).
    const own = givenNamespace(args.namespace);
    const linked = own.linked;
    const fromCredentials = credentialsFor(name, args, own);
    const namespaceInput = fromCredentials.namespace;
    // What the program says the component depends on (an ops repository made with it): the branch read
    // waits for it. Only that: the cluster side (the namespace's Secrets, the credentials) is not there
    // during a new stack's preview, and waiting for it would skip the read that stops a preview on an
    // unreadable ops branch. The Applications wait for all of it.
    const declared = opts?.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>];
    const waitFor = [...declared, ...(linked ? [linked] : []), ...fromCredentials.waitFor];
    /** Two apps of this program writing one folder would overwrite each other's files. */
    const claimFolder = (app: AppSettings) =>
      claimOpsFolder(APP_COMPONENT, { app: name, owner: args.githubOwner, folder: { repository: app.opsRepository, branch: app.opsBranch, path: app.opsPath } });
    const inputs: InputArgs<pulumi.Input<string> | undefined> = {
      namespace: namespaceInput,
      webhookUrl: webhookArgs?.url,
      appRepository: args.appRepository,
      branch: args.branch,
      opsRepository: args.opsRepository,
      opsBranch: args.opsBranch,
    };
    // Plain values are checked now; a value from another resource once it resolves.
    const plain = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === "string" ? v : undefined])) as unknown as InputArgs<string | undefined>;
    const known = appComponentSettings(APP_COMPONENT, name, argValues(args, plain));
    // The structure (which files, which Applications, their resource names) needs no Input: only contents do.
    const shape = planApp(known.stack, known.app, undefined);
    if (!args.credentials && args.imageServiceAccount === undefined) {
      void pulumi.log.warn(
        `${APP_COMPONENT} "${name}": kpack builds with the service account ${known.app.imageServiceAccount.name}, which nothing given to it makes; ` +
          `pass credentials (a BuildCredentials listing this app), or imageServiceAccount naming an account of yours`,
        this,
      );
    }
    const allPlain = (Object.keys(inputs) as (keyof InputArgs<unknown>)[]).every((k) => inputs[k] === plain[k]);
    // Whether there is a webhook to make depends on the URL and ingressHost alone: known now when the URL is plain.
    if (webhookArgs && webhookArgs.url === plain.webhookUrl) webhookOf(shape, name);
    // With plain values only, `shape` is the whole plan and no plan Output is made: an Output costs the
    // SDK several promises and, through pulumi.all, a walk of its value (bench: 100 apps). Only a value
    // from another resource makes the plan wait for it.
    const pendingPlan: pulumi.Output<AppPlan<undefined>> | undefined = allPlain
      ? undefined
      : pulumi.output(inputs).apply(
          failFast((resolved) => {
            const { stack, app } = appComponentSettings(APP_COMPONENT, name, argValues(args, resolved));
            claimFolder(app);
            return planApp(stack, app, undefined);
          }),
        );
    if (allPlain) claimFolder(known.app);
    /** A part of the plan: at once from `shape` when it is the whole plan, else once the Inputs resolve. */
    const planned = <T>(pick: (p: AppPlan<undefined>) => T): pulumi.Input<T> => (pendingPlan ? pendingPlan.apply(pick) : pick(shape));

    // revision.yaml's content, decided from what GitHub holds before anything is written. Every file
    // waits for it, so an unreadable ops branch stops the update before the first write. The reads wait
    // for what the component depends on: a program may create the ops repository and branch with it.
    const readOpts: pulumi.InvokeOutputOptions = { ...parent, dependsOn: declared };
    const revisionFile = revisionFileOf(shape.repoFiles);
    // pulumi.all walks every value it is given, so it gets the small revision file, never the whole plan.
    const plannedRevisionFile = pulumi.output(planned((p) => revisionFileOf(p.repoFiles)));
    const here = plannedRevisionFile.apply(locationOf);
    const previousRead = pulumi.all([here, args.previousRevisionFile]).apply(([at, previousLocation]) =>
      previousLocation && !sameLocation(previousLocation, at)
        ? lookUp(previousLocation, readOpts).apply((lookup) => ({ location: previousLocation, lookup }))
        : undefined,
    );
    const seed = pulumi.all([plannedRevisionFile, lookUp(here, readOpts), previousRead]).apply(
      failFast(([file, lookup, previousLookup]): RevisionSeed => revisionSeed({ app: name, owner: revisionFile.owner, file, here: lookup, previous: previousLookup })),
    );

    // GitHub rejects concurrent commits to one branch, so the files are written one after another.
    let previous: pulumi.Resource[] = [];
    this.opsFiles = shape.repoFiles.map((file, i) => {
      const pipelineOwned = file.ownedBy === "pipeline";
      // Created once, from what the repository records; then the pipeline's alone.
      // Every file waits for the seed, so nothing is written before the ops branch was read.
      const content = pipelineOwned ? seed.apply((s) => s.content) : seed.apply(() => pulumi.output(planned((p) => opsFileContent(p.repoFiles[i]))));
      const resource = new github.RepositoryFile(
        // Named after the file's place in the folder, as in `cicd/`: a new opsPath moves the file (a
        // replacement of the same resource), never renames it.
        `${name}-${`${OWN_OPS_PATH}/${file.path.slice(known.app.opsPath.length + 1)}`.replace(/[^A-Za-z0-9]+/g, "-")}`,
        {
          repository: planned((p) => p.repoFiles[i].repository),
          branch: planned((p) => p.repoFiles[i].branch),
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

    // The app's own webhook secret: given, or derived for this app from its BuildNamespace's root.
    const webhookSecretValue = appWebhookSecretOf(name, args, linked, namespaceInput);
    const webhookSecretResource = new k8s.core.v1.Secret(
      `${name}-webhook-secret`,
      { metadata: planned((p) => p.webhookSecret.metadata), type: shape.webhookSecret.type, stringData: { [WEBHOOK_SECRET_KEY]: webhookSecretValue } },
      { ...parent, dependsOn: waitFor, additionalSecretOutputs: ["stringData", "data"] },
    );

    // What the app's objects may do, never in git: its AppProject, its accounts and the listener's roles.
    const access = registerAccess(name, shape.access, (pick) => planned((p) => pick(p.access)), { ...parent, dependsOn: waitFor });
    this.access = [...access, webhookSecretResource];

    // The Applications come after the files and the access objects, so their first sync finds the
    // folders complete and the listener its rights, and after waitFor, which children do not wait for
    // by themselves.
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
          dependsOn: [...this.opsFiles, ...this.access, ...waitFor],
          customTimeouts: { delete: APPLICATION_DELETE_TIMEOUT },
          // Registered before as `<name>-<Application name>`, which repeated the app's name.
          aliases: [{ name: `${name}-${application.metadata.name}` }],
        },
      );
    });

    if (webhookArgs) {
      // Checked once: a missing URL is one error (one message in a preview), whichever fields read it.
      const webhook = pendingPlan ? pendingPlan.apply(failFast((p) => webhookOf(p, name))) : pulumi.output(webhookOf(shape, name));
      new github.RepositoryWebhook(
        `${name}-push-webhook`,
        {
          repository: webhook.repository,
          events: webhook.events,
          active: true,
          configuration: { url: webhook.url, contentType: "json", secret: webhookSecretValue, insecureSsl: false },
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
