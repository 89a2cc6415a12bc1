import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { ProgramError } from "../config/errors";
import { fullSha } from "../config/validators";
import { revisionInFile } from "../kpack/revision";
import { locationOf, RepoFileLocation, RevisionFile, sameLocation, testedRevisionOf, withTestedRevision } from "../plan/ops-repository";
import { opsFileContent } from "../synth/ops-file";

/** Where a revision file lives: repository (under githubOwner), branch and path. */
export type RevisionFileLocation = RepoFileLocation;

/**
 * What GitHub answered for one location. GitHub answers a missing repository, a missing branch and a
 * token without access alike with 404, and the provider turns every 404 into an empty result, for a
 * branch and for a file (terraform-provider-github github/data_source_github_branch.go,
 * github/data_source_github_repository_file.go). So a file's absence means "not there yet" only once
 * the branch has been seen.
 */
export type Lookup = { branch: "unreadable" } | { branch: "readable"; content?: string };

/** What `pulumi up` writes when it creates revision.yaml on the configured branch, and why. */
export interface RevisionSeed {
  content: string;
  revision: string;
  source: "kept" | "carried-over" | "initialRevision";
}

export interface SeedInputs {
  app: string;
  owner: string;
  /** The planned file: the configured location, recording initialRevision. */
  file: RevisionFile;
  here: Lookup;
  /** Set when the last completed update recorded the revision somewhere else (opsBranch or opsRepo changed). */
  previous?: { location: RevisionFileLocation; lookup: Lookup };
}

export function describeLocation(owner: string, l: RevisionFileLocation): string {
  return `${owner}/${l.repository}@${l.branch}:${l.path}`;
}

/** The full SHA a revision file records; throws naming the file when it records none. */
function recordedRevision(owner: string, at: RevisionFileLocation, content: string): string {
  const revision = revisionInFile(content);
  if (!revision || fullSha(revision)) {
    throw new ProgramError(
      `${describeLocation(owner, at)} records no full commit SHA (got ${JSON.stringify(revision)}); fix the file or delete it so that initialRevision is written`,
    );
  }
  return revision;
}

/**
 * Decides revision.yaml's content on the configured branch, never moving kpack backwards:
 * - the configured branch must be readable, or nothing is trusted (and nothing is written);
 * - a file already there is kept, unless the revision was last recorded elsewhere with another SHA;
 * - when the revision was last recorded elsewhere (opsBranch or opsRepo changed), it is carried over,
 *   and if that file cannot be read the update stops rather than fall back to initialRevision;
 * - only an app never deployed, or one whose file was deleted where it was recorded, starts from
 *   initialRevision.
 */
export function revisionSeed(i: SeedInputs): RevisionSeed {
  const here = locationOf(i.file);
  if (i.here.branch === "unreadable") {
    throw new ProgramError(
      `app ${i.app}: the ops repository ${i.owner}/${here.repository} has no branch "${here.branch}" that the token can read ` +
        `(GitHub answers a missing repository, branch or access alike with 404); create the branch, or fix opsRepo, opsBranch or the token's access. Nothing was written.`,
    );
  }
  const previous = i.previous && !sameLocation(i.previous.location, here) ? i.previous : undefined;
  const previousRevision = (): string | undefined =>
    previous?.lookup.branch === "readable" && previous.lookup.content
      ? recordedRevision(i.owner, previous.location, previous.lookup.content)
      : undefined;

  if (i.here.content) {
    const revision = recordedRevision(i.owner, here, i.here.content);
    const before = previousRevision();
    if (before !== undefined && before !== revision) {
      throw new ProgramError(
        `app ${i.app}: the last pulumi up recorded ${before} in ${describeLocation(i.owner, previous!.location)}, but the new ` +
          `${describeLocation(i.owner, here)} records ${revision}; pulumi up cannot tell which is newer, so kpack could move backwards. ` +
          `Make both record the tested revision (copy the file over), then run again.`,
      );
    }
    return { content: i.here.content, revision, source: "kept" };
  }

  if (!previous) {
    return { content: opsFileContent(i.file), revision: testedRevisionOf(i.file), source: "initialRevision" };
  }
  const carried = previousRevision();
  if (carried === undefined) {
    throw new ProgramError(
      `app ${i.app}: the last pulumi up recorded the tested revision in ${describeLocation(i.owner, previous.location)}, ` +
        `which cannot be read now (${previous.lookup.branch === "unreadable" ? "no such branch, or no access" : "no such file"}), ` +
        `and ${describeLocation(i.owner, here)} is not there yet; pulumi up never seeds a moved revision from initialRevision. ` +
        `Put a revision.yaml recording the tested revision there (or restore the old one), then run again.`,
    );
  }
  return { content: opsFileContent(withTestedRevision(i.file, carried)), revision: carried, source: "carried-over" };
}

/**
 * Where this app's revision file was at the last completed update, from the stack's own outputs
 * (`apps.<app>.revisionFile`); undefined for an app not deployed yet, or deployed by a version that did
 * not record it.
 */
export function previousRevisionFile(outputs: unknown, app: string): RevisionFileLocation | undefined {
  const apps = (outputs as { apps?: Record<string, { revisionFile?: Partial<RevisionFileLocation> }> } | undefined)?.apps;
  const recorded = apps && Object.prototype.hasOwnProperty.call(apps, app) ? apps[app]?.revisionFile : undefined;
  const { repository, branch, path } = recorded ?? {};
  return typeof repository === "string" && typeof branch === "string" && typeof path === "string" ? { repository, branch, path } : undefined;
}

/**
 * Reads one location through the GitHub provider: the branch first, the file only on a readable branch.
 * Output-form invokes, so the reads wait for `opts.dependsOn` (e.g. the github.Repository and
 * github.Branch the program creates with the app): during a preview where one of them is still to be
 * created the SDK answers unknown without asking the provider (@pulumi/pulumi runtime/invoke.js
 * invokeAsync: a dependency whose id is unknown), so the files' contents preview as unknown instead of
 * the read failing on a repository not there yet; `pulumi up` reads once they exist.
 */
export function lookUp(at: pulumi.Input<RevisionFileLocation>, opts: pulumi.InvokeOutputOptions): pulumi.Output<Lookup> {
  return pulumi.output(at).apply((l) =>
    github.getBranchOutput({ repository: l.repository, branch: l.branch }, opts).apply(
      (branch): pulumi.Output<Lookup> =>
        branch.sha
          ? github
              .getRepositoryFileOutput({ repository: l.repository, file: l.path, branch: l.branch }, opts)
              // On a readable branch, the provider's empty answer is a file not there yet.
              .apply((found): Lookup => ({ branch: "readable", content: found.content ? found.content : undefined }))
          : pulumi.output<Lookup>({ branch: "unreadable" }),
    ),
  );
}
