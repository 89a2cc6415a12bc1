// Webhook deliveries, as GitHub documents them (docs.github.com webhooks: "Webhook events and payloads",
// push; the OpenAPI description's x-webhooks push and `webhook-push` schema), so a push reaches the
// EventListener sink as it would from GitHub:
// - A push over git (refs as receive-pack's post-receive hook reports them) or a contents API commit
//   makes one `push` event per ref moved, for every active hook subscribed to "push" (or "*"); a push
//   of more than three tags makes none for its tags. GitHub queues deliveries: the push is answered first.
// - Payload: ref (refs/heads/… or refs/tags/…), before/after (40 zeros for "none"; an annotated tag's
//   after is the tag object), created, deleted, forced, base_ref (a tag's branch), compare, commits
//   (a branch's new commits, none for a tag), head_commit, repository (clone_url is this double's git
//   URL), pusher, sender (push-event.ts).
// - Headers: X-GitHub-Event, X-GitHub-Delivery (a GUID per event), X-GitHub-Hook-ID,
//   X-GitHub-Hook-Installation-Target-*, X-GitHub-Enterprise-Version/-Host, User-Agent GitHub-Hookshot/…,
//   and with a secret X-Hub-Signature (HMAC-SHA1) and X-Hub-Signature-256 (HMAC-SHA256) of the raw body.
//   Only content_type "json" is sent (Triggers' GitHub interceptor refuses form bodies); a hook with
//   another is recorded as an unsupported delivery and in `unimplemented`.
// - https is verified against the public roots and the run's CA (webhookCa), skipped for insecure_ssl
//   "1"; no answer in 10 s is a failed delivery, as on GitHub. Each delivery is recorded (deliveries(),
//   awaitDeliveries()); testOnlyRedeliver sends one again with a wrong signature, which GitHub never does.
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { GHES_VERSION, JsonObject, StoredHook } from "./bodies";
import { RefUpdate } from "./post-receive";

/** Where a webhook delivery stands: "unsupported" is one the double does not make as GitHub would. */
export type DeliveryState = "pending" | "delivered" | "failed" | "unsupported";

/** One webhook delivery, as GitHub lists them under a hook's "Recent Deliveries". */
export interface Delivery {
  /** The delivery's own number (GitHub's `delivery_id`), unique per attempt. */
  id: number;
  /** X-GitHub-Delivery: the event's GUID, the same for every hook it goes to and for a redelivery. */
  guid: string;
  hookId: number;
  repo: string;
  event: "push" | "pull_request";
  /** A pull_request event's action and number; its ref is refs/pull/<n>/head, before and after its old and new head. */
  action?: string;
  number?: number;
  ref: string;
  before: string;
  after: string;
  /** The hook's config.url it was sent to. */
  url: string;
  state: DeliveryState;
  /** The receiver's HTTP status; undefined when none came (refused connection, TLS failure, timeout). */
  statusCode?: number;
  /** Why it failed or was not made. */
  error?: string;
  /** The receiver's answer, its first 64 KiB. */
  responseBody?: string;
  /** The request headers sent, and the raw body (whose bytes the signatures cover). */
  headers: Record<string, string>;
  payload?: string;
  /** Date.now() when the push (or API commit) that caused it had moved the ref, and when the receiver had answered. */
  triggeredAt: number;
  finishedAt?: number;
  /** From sending the request to the end of the answer. */
  durationMs?: number;
  redelivery: boolean;
  /** Test-only: signed with another secret than the hook's (see testOnlyRedeliver). */
  forgedSignature: boolean;
}

/** Which deliveries to wait for: every given field must match. */
export interface DeliveryFilter {
  repo?: string;
  event?: Delivery["event"];
  action?: string;
  number?: number;
  ref?: string;
  after?: string;
  hookId?: number;
}

/** What deliveries need of the double: its hooks, repositories and address, as they are when a push lands. */
export interface DeliveriesOptions {
  /** GitHubDoubleOptions.webhookCa: a CA certificate (PEM, or a file's path) trusted besides the public roots. */
  webhookCa?: string | Buffer;
  /** The owner of every repository, for messages naming one. */
  owner: string;
  /** The repository's hooks as stored now. */
  hooksOf(repo: string): StoredHook[];
  /** The repository's number (X-GitHub-Hook-Installation-Target-ID), undefined for one that is gone. */
  repositoryId(repo: string): number | undefined;
  /** The host clients reach the double at (X-GitHub-Enterprise-Host). */
  host(): string;
  /** The `push` event for `update`, one of the ref updates (`all`) a push made. */
  pushEvent(repo: string, update: RefUpdate, all: RefUpdate[]): Promise<JsonObject>;
  /** Told of a delivery the double cannot make as GitHub would, as the request it did not send. */
  unimplemented(request: { method: string; path: string; status: number }): void;
}

/** GitHub ends a delivery whose receiver has not answered within 10 seconds and counts it failed. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** GitHub documents the prefix only; what follows it is its build. */
const HOOKSHOT_AGENT = "GitHub-Hookshot/github-double";
/** A push of more tags than this makes no event for any of them (the push event's notes). */
const MAX_TAG_EVENTS = 3;
/** How much of a receiver's answer a delivery keeps. */
const RESPONSE_KEPT = 64 * 1024;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hmac(algorithm: "sha1" | "sha256", secret: string, payload: string): string {
  return crypto.createHmac(algorithm, secret).update(payload).digest("hex");
}

function matches(d: Delivery, filter: DeliveryFilter): boolean {
  return (Object.keys(filter) as (keyof DeliveryFilter)[]).every((key) => filter[key] === undefined || d[key] === filter[key]);
}

/** A copy for callers: the record itself keeps changing until the delivery finishes. */
function snapshot(d: Delivery): Delivery {
  return { ...d, headers: { ...d.headers } };
}

/** A CA certificate given as a file's path or as PEM, read once. */
function readCa(ca: string | Buffer): string {
  if (Buffer.isBuffer(ca)) return ca.toString("utf8");
  try {
    return fs.readFileSync(ca, "utf8");
  } catch (err) {
    throw new Error(`webhookCa: cannot read the CA certificate file ${JSON.stringify(ca)}: ${messageOf(err)}`);
  }
}

/** Why the double cannot deliver to a hook as GitHub would; undefined when it can. */
function unsupported(hook: StoredHook): string | undefined {
  if (hook.config.content_type === "json") return undefined;
  // GitHub sends "form" as application/x-www-form-urlencoded, the JSON in a `payload` field.
  return `the GitHub double delivers webhooks with content_type "json" only, hook ${hook.id} has ${JSON.stringify(hook.config.content_type)}`;
}

/** The deliveries of one double: made after a push lands, recorded, awaitable, cut off on stop(). */
export class WebhookDeliveries {
  private readonly trustedCas: string[] | undefined;
  private readonly stopping = new AbortController();
  private readonly log: Delivery[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: DeliveriesOptions) {
    this.trustedCas = opts.webhookCa === undefined ? undefined : [...tls.rootCertificates, readCa(opts.webhookCa)];
  }

  /**
   * GitHub's `push` events for the refs one push (or one contents API commit) moved: one per ref, to
   * every active hook of the repository subscribed to "push" (or "*"). The deliveries are listed at once
   * and made afterwards, so the push is answered without waiting for them.
   */
  pushed(repo: string, updates: RefUpdate[]): void {
    const hooks = this.opts.hooksOf(repo).filter((h) => h.active && (h.events.includes("push") || h.events.includes("*")));
    if (hooks.length === 0) return;
    const triggeredAt = Date.now();
    const tags = updates.filter((u) => u.ref.startsWith("refs/tags/")).length;
    for (const update of updates) {
      if (tags > MAX_TAG_EVENTS && update.ref.startsWith("refs/tags/")) continue;
      this.fanOut(hooks, repo, update, triggeredAt, {}, "push", () => this.opts.pushEvent(repo, update, updates));
    }
  }

  /**
   * GitHub's `pull_request` event for one pull request of `repo` (its base repository): to every active
   * hook of the repository subscribed to "pull_request" (or "*"), listed at once and made afterwards.
   */
  pullRequest(repo: string, pr: { action: string; number: number; before: string; after: string }, event: () => Promise<JsonObject>): void {
    const hooks = this.opts.hooksOf(repo).filter((h) => h.active && (h.events.includes("pull_request") || h.events.includes("*")));
    if (hooks.length === 0) return;
    const update = { ref: `refs/pull/${pr.number}/head`, before: pr.before, after: pr.after };
    this.fanOut(hooks, repo, update, Date.now(), { event: "pull_request", action: pr.action, number: pr.number }, "pull_request", event);
  }

  /**
   * One event to each of `hooks`: every delivery recorded at once (one GUID), then one payload made and
   * sent to each hook the double can deliver to as GitHub would, signed with the hook's secret.
   */
  private fanOut(hooks: StoredHook[], repo: string, update: RefUpdate, triggeredAt: number, extra: Partial<Delivery>, name: string, event: () => Promise<JsonObject>): void {
    const guid = crypto.randomUUID();
    const sending: { hook: StoredHook; delivery: Delivery }[] = [];
    for (const hook of hooks) {
      const delivery = this.record(hook, repo, update, guid, triggeredAt, extra);
      const reason = unsupported(hook);
      if (reason === undefined) {
        sending.push({ hook: { ...hook, config: { ...hook.config } }, delivery });
      } else {
        this.opts.unimplemented({ method: "POST", path: `${hook.config.url} (webhook delivery with content_type ${hook.config.content_type})`, status: 501 });
        this.finish(delivery, { state: "unsupported", error: reason });
      }
    }
    if (sending.length === 0) return;
    // One payload for every hook: the same bytes, signed with each hook's secret.
    void event()
      .then((body) => JSON.stringify(body))
      .then(
        (payload: string) => Promise.all(sending.map(({ hook, delivery }) => this.deliver(delivery, hook, payload, hook.config.secret))),
        (err: unknown) => {
          for (const { delivery } of sending) this.finish(delivery, { state: "failed", error: `the double could not make the ${name} event: ${messageOf(err)}` });
        },
      );
  }

  /** Every delivery so far, those under way included, oldest first. */
  list(): Delivery[] {
    return this.log.map(snapshot);
  }

  /** See GitHubDouble.awaitDeliveries. */
  awaitFinished(count: number, timeoutMs: number, filter: DeliveryFilter = {}): Promise<Delivery[]> {
    const finished = () => this.log.filter((d) => d.state !== "pending" && matches(d, filter));
    return new Promise((resolve, reject) => {
      const check = () => {
        const done = finished();
        if (done.length < count) return;
        stop();
        resolve(done.slice(0, count).map(snapshot));
      };
      const timer = setTimeout(() => {
        stop();
        const seen = this.log.filter((d) => matches(d, filter)).map((d) => `#${d.id} ${d.ref} ${d.after.slice(0, 12)} → ${d.url}: ${d.state}${d.error ? ` (${d.error})` : ""}`);
        reject(new Error(`expected ${count} finished webhook deliveries matching ${JSON.stringify(filter)} within ${timeoutMs} ms; there are ${seen.length}: ${seen.join("; ") || "none"}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** See GitHubDouble.testOnlyRedeliver. */
  async testOnlyRedeliver(deliveryId: number, signatureSecret: string | null): Promise<Delivery> {
    const original = this.log.find((d) => d.id === deliveryId);
    if (!original) throw new Error(`testOnlyRedeliver: no webhook delivery ${deliveryId}; there are ${this.log.map((d) => d.id).join(", ") || "none"}`);
    if (original.payload === undefined) throw new Error(`testOnlyRedeliver: delivery ${deliveryId} sent nothing to send again (${original.state}${original.error ? `: ${original.error}` : ""})`);
    const hook = this.opts.hooksOf(original.repo).find((h) => h.id === original.hookId);
    if (!hook) throw new Error(`testOnlyRedeliver: hook ${original.hookId} of ${this.opts.owner}/${original.repo} no longer exists`);
    const update = { ref: original.ref, before: original.before, after: original.after };
    const delivery = this.record(hook, original.repo, update, original.guid, Date.now(), { event: original.event, action: original.action, number: original.number, redelivery: true, forgedSignature: true });
    await this.deliver(delivery, { ...hook, config: { ...hook.config } }, original.payload, signatureSecret);
    return snapshot(delivery);
  }

  /** Cuts off the deliveries under way: each is recorded as failed. */
  stop(): void {
    this.stopping.abort();
  }

  private record(hook: StoredHook, repo: string, update: RefUpdate, guid: string, triggeredAt: number, extra: Partial<Delivery> = {}): Delivery {
    const d: Delivery = {
      id: this.nextId++,
      guid,
      hookId: hook.id,
      repo,
      event: "push",
      ref: update.ref,
      before: update.before,
      after: update.after,
      url: hook.config.url,
      state: "pending",
      headers: {},
      triggeredAt,
      redelivery: false,
      forgedSignature: false,
      ...extra,
    };
    this.log.push(d);
    return d;
  }

  private finish(d: Delivery, outcome: Partial<Delivery>): void {
    Object.assign(d, outcome, { finishedAt: Date.now() });
    for (const listener of [...this.listeners]) listener();
  }

  /** One delivery's POST, signed with `secret` when there is one (GitHub signs with the hook's). */
  private async deliver(d: Delivery, hook: StoredHook, payload: string, secret: string | undefined | null): Promise<void> {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(payload)),
      "User-Agent": HOOKSHOT_AGENT,
      "X-GitHub-Delivery": d.guid,
      "X-GitHub-Event": d.event,
      "X-GitHub-Hook-ID": String(hook.id),
      "X-GitHub-Hook-Installation-Target-ID": String(this.opts.repositoryId(d.repo) ?? ""),
      "X-GitHub-Hook-Installation-Target-Type": "repository",
      "X-GitHub-Enterprise-Version": `${GHES_VERSION}.0`,
      "X-GitHub-Enterprise-Host": this.opts.host(),
    };
    if (secret) {
      headers["X-Hub-Signature"] = `sha1=${hmac("sha1", secret, payload)}`;
      headers["X-Hub-Signature-256"] = `sha256=${hmac("sha256", secret, payload)}`;
    }
    Object.assign(d, { headers, payload });
    const started = performance.now();
    try {
      const answer = await this.post(hook, headers, payload);
      const ok = answer.statusCode >= 200 && answer.statusCode < 300;
      this.finish(d, {
        state: ok ? "delivered" : "failed",
        statusCode: answer.statusCode,
        responseBody: answer.body,
        durationMs: performance.now() - started,
        ...(ok ? {} : { error: `the receiver answered ${answer.statusCode}` }),
      });
    } catch (err) {
      this.finish(d, { state: "failed", error: messageOf(err), durationMs: performance.now() - started });
    }
  }

  /** POSTs to the hook's URL: https verified against the public roots and webhookCa, unless insecure_ssl is "1". */
  private post(hook: StoredHook, headers: Record<string, string>, payload: string): Promise<{ statusCode: number; body: string }> {
    return new Promise((resolve, reject) => {
      const target = URL.canParse(hook.config.url) ? new URL(hook.config.url) : undefined;
      if (!target || (target.protocol !== "http:" && target.protocol !== "https:")) {
        reject(new Error(`hook ${hook.id}: config.url ${JSON.stringify(hook.config.url)} is not an http(s) URL`));
        return;
      }
      const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
      const signal = AbortSignal.any([this.stopping.signal, timeout]);
      // agent: false, a connection per delivery, so none is left open to the receiver afterwards.
      const common = { method: "POST", headers, signal, agent: false as const };
      const onAnswer = (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_KEPT) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on("error", reject);
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, RESPONSE_KEPT).toString("utf8") }));
      };
      const request =
        target.protocol === "https:"
          ? https.request(target, { ...common, ca: this.trustedCas, rejectUnauthorized: hook.config.insecure_ssl !== "1" }, onAnswer)
          : http.request(target, common, onAnswer);
      request.on("error", (err) => {
        if (timeout.aborted) reject(new Error(`no answer within ${DELIVERY_TIMEOUT_MS / 1000} s, when GitHub gives up`));
        else if (this.stopping.signal.aborted) reject(new Error("the GitHub double closed before the receiver answered"));
        else reject(err);
      });
      request.end(payload);
    });
  }
}
