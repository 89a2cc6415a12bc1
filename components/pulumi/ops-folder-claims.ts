import * as pulumi from "@pulumi/pulumi";
import { ComponentArgsError } from "../config/component-args";
import { show } from "../config/errors";
import { describeFolder, foldersOverlap, OpsFolder, sharedOpsPath } from "../plan/ops-folders";

interface Claim {
  app: string;
  owner: string;
  folder: OpsFolder;
}

/**
 * The ops folders the apps of one program claimed. A program is one run of the language host: the
 * stack resource of its run (an Automation API inline program runs again with a new one), or under
 * unit-test mocks, which make no stack resource, the mock monitor. Held weakly, so a finished run's
 * claims go with it.
 */
const claimsByRun = new WeakMap<object, Claim[]>();
const noRun = {};

function runClaims(): Claim[] {
  const run: object = pulumi.runtime.getStackResource() ?? pulumi.runtime.getMonitor() ?? noRun;
  let claims = claimsByRun.get(run);
  if (!claims) claimsByRun.set(run, (claims = []));
  return claims;
}

/**
 * Records that app `app` writes `folder` of its ops repository, and throws a ComponentArgsError when
 * another app of the same program writes the same folder, or one inside the other: their files would
 * overwrite each other's with no error from GitHub. The same app claiming again (the engine refuses a
 * second resource of one name anyway) replaces its claim.
 */
export function claimOpsFolder(component: string, claim: Claim): void {
  const claims = runClaims();
  const same = (c: Claim) => c.owner === claim.owner && foldersOverlap(c.folder, claim.folder);
  const other = claims.find((c) => c.app !== claim.app && same(c));
  if (other) {
    throw new ComponentArgsError(component, claim.app, [
      {
        key: "opsPath",
        message:
          `got ${show(describeFolder(claim.folder))}; DeliberateImageBuilds "${other.app}" writes ${show(describeFolder(other.folder))} of ${claim.owner}'s ops repository, ` +
          `expected a folder of this app's own (not inside another app's), e.g. ${sharedOpsPath(claim.app)}`,
      },
    ]);
  }
  const index = claims.findIndex((c) => c.app === claim.app);
  if (index >= 0) claims.splice(index, 1);
  claims.push(claim);
}
