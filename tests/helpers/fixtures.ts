// Stack config as a stack file would hold it, for tests. Tokens here are obviously fake.
import { parseSettings, RawConfig } from "../../components/config/parse";
import { StackSettings } from "../../components/config/settings";

export const FAKE_TOKEN = "ghp_FAKE_TEST_TOKEN_not_a_real_credential_0000";
export const FAKE_WEBHOOK_SECRET = "fake-webhook-secret-for-tests-only";

export const SHA_A = "0f3e2d1c4b5a69788776655443322110ffeeddcc";

export function appEntry(name = "go-sample-app", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    repo: name,
    branch: "main",
    opsRepo: `${name}-ops`,
    image: `registry.example.com/example-org/${name}`,
    initialRevision: SHA_A,
    ...extra,
  };
}

export function rawStack(extra: RawConfig = {}, apps: unknown[] = [appEntry()]): RawConfig {
  return { githubOwner: "example-org", apps, ...extra };
}

export function settings(extra: RawConfig = {}, apps?: unknown[]): StackSettings {
  return parseSettings(rawStack(extra, apps));
}

/** n apps, all in the default namespace. */
export function manyApps(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => appEntry(`app-${String(i).padStart(3, "0")}`));
}
