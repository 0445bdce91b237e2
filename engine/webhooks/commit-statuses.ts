/**
 * Build states back to the provider, on each build's commit, through the webhook delivery
 * machinery: a durable outbox cursor (`commit-statuses`) turns status changes of builds a
 * repository started into statuses owed (one row per commit and context, the newest state
 * replacing an older one), and a sender posts them with the webhooks' request (address policy,
 * timeout, no redirects) and retry schedule (backoff with jitter). A row holds a claim while its
 * request is under way, so at most one is in flight per commit and context and the provider sees
 * the states in order: a late "running" never lands after "canceled".
 */
import type { EventPayload } from "../../common/events.ts";
import type { EngineContext, WebhookSettings } from "../context.ts";
import { commitState, defaultApiUrl, type StatusProvider, statusRequest } from "../domain/commit-status.ts";
import { fullNameOf } from "../domain/hooks/providers.ts";
import { TOPICS } from "../ports/wakeups.ts";
import type { CommitStatusRow, OwedStatus } from "../store/commit-statuses-repo.ts";
import type { EventRow } from "../store/events-repo.ts";
import type { RepositoryRow } from "../store/repositories-repo.ts";
import { secretBox } from "../use-cases/identity/secret-box.ts";
import { webhookSettings } from "../use-cases/webhooks/settings.ts";
import { postWebhook } from "./http-post.ts";
import { nextAttemptAt } from "./retry-schedule.ts";

export const STATUS_CURSOR = "commit-statuses";
const CHUNK = 2000;
const IDLE_WAIT_MS = 1000;
const AT_ONCE = 16;
/** A claim outlives the request's timeout, so a live engine's request is never taken over. */
const CLAIM_MARGIN_MS = 20_000;

export class CommitStatusReporter {
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();
  private readonly settings: WebhookSettings;

  constructor(private readonly ctx: EngineContext) {
    this.settings = webhookSettings(ctx.settings);
  }

  async start(): Promise<void> {
    await this.ctx.store.webhooks.ensureCursor({
      name: STATUS_CURSOR,
      initial: await this.ctx.store.events.lastSeq(),
      now: this.ctx.now(),
    });
    this.loops = [this.dispatchLoop(), this.sendLoop()];
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async dispatchLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const woken = this.ctx.bus.wait(TOPICS.events, IDLE_WAIT_MS, signal);
      try {
        while (!signal.aborted && (await dispatchCommitStatuses(this.ctx)) > 0);
      } catch (err) {
        if (signal.aborted) return;
        this.ctx.log.warn("commit status dispatch failed; retrying", { err });
      }
      await woken;
    }
  }

  private async sendLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const woken = this.ctx.bus.wait(TOPICS.commitStatuses, IDLE_WAIT_MS, signal);
      try {
        const now = this.ctx.now();
        const claimed = await this.ctx.store.commitStatuses.claimDue({
          now,
          limit: AT_ONCE,
          leaseMs: this.settings.timeoutMs + CLAIM_MARGIN_MS,
        });
        if (claimed.length > 0) {
          await Promise.all(claimed.map((row) => this.send(row)));
          continue;
        }
        const next = await this.ctx.store.commitStatuses.nextDueAt();
        const wait = next === null ? IDLE_WAIT_MS : Math.min(IDLE_WAIT_MS, next - this.ctx.now());
        if (wait > 0) await Promise.race([woken, new Promise((r) => setTimeout(r, wait))]);
      } catch (err) {
        if (signal.aborted) return;
        this.ctx.log.warn("sending commit statuses failed; retrying", { err });
        await woken;
      }
    }
  }

  private async send(row: CommitStatusRow): Promise<void> {
    const repository = await this.ctx.store.repositories.findById({ id: row.repository_id });
    const request = repository ? requestFor(this.ctx, repository, row) : undefined;
    const result = request
      ? await postWebhook({
          ...request,
          timeoutMs: this.settings.timeoutMs,
          allowPrivate: this.settings.allowPrivate,
        })
      : {
          ok: false as const,
          status: null,
          error: "the repository cannot report statuses",
          refused: false,
          durationMs: 0,
        };
    this.ctx.metrics.webhookAttempt({
      outcome: result.ok ? "success" : result.status === null && result.refused ? "refused" : "failure",
      durationMs: result.durationMs,
    });
    const now = this.ctx.now();
    const error = result.status === null ? result.error : result.ok ? null : `HTTP ${result.status}`;
    if (!result.ok) {
      this.ctx.log.warn("a commit status was not accepted", {
        repository: repository?.name,
        commit: row.commit_sha,
        error,
      });
    }
    await this.ctx.store.commitStatuses.finish({
      id: row.id,
      sentSeq: Number(row.seq),
      sentState: row.state,
      ok: result.ok,
      retryAt: result.ok
        ? null
        : nextAttemptAt({
            attempts: row.attempts + 1,
            createdAt: Number(row.first_pending_at),
            now,
            settings: this.settings,
          }),
      responseStatus: result.status,
      error,
      now,
    });
  }
}

/** The provider's request for a row; undefined when the repository lost what it needs. */
function requestFor(ctx: EngineContext, repository: RepositoryRow, row: CommitStatusRow) {
  if (repository.provider === "generic" || !repository.credentials) return undefined;
  const provider = repository.provider as StatusProvider;
  const apiUrl = repository.api_url ?? defaultApiUrl(provider, repository.url);
  const fullName = repository.full_name ?? fullNameOf(repository.url);
  if (!apiUrl || !fullName) return undefined;
  const { token } = JSON.parse(secretBox(ctx.settings).open(repository.credentials)) as { token: string };
  return statusRequest({
    provider,
    apiUrl,
    fullName,
    sha: row.commit_sha,
    token,
    state: row.state,
    description: row.description,
    context: row.context,
    targetUrl: row.target_url,
  });
}

type BuildChange = EventPayload<"build.status_changed">;

/**
 * One step of the cursor: the status changes of builds whose repository reports statuses become
 * owed statuses (the newest per commit and context), in the transaction that moves the cursor.
 * Returns how many events it passed (0: caught up).
 */
export async function dispatchCommitStatuses(ctx: EngineContext): Promise<number> {
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const cursor = await tx.webhooks.cursor({ name: STATUS_CURSOR, lock: true });
    const newest = await tx.events.lastSeq();
    if (newest <= cursor) return 0;
    const repositories = new Map((await tx.repositories.reporting()).map((r) => [r.id, r]));
    const projectIds = [...new Set([...repositories.values()].map((r) => r.project_id))];
    const events =
      projectIds.length === 0
        ? []
        : await tx.events.read({
            afterSeq: cursor,
            filter: { projectIds, types: ["build.created", "build.status_changed"] },
            limit: CHUNK,
          });
    const last = events.length > 0 ? (events[events.length - 1] as EventRow).seq : cursor;
    const reached = events.length === CHUNK ? last : Math.max(newest, last);
    const builds = new Map(
      (
        await tx.builds.findManyById({
          ids: [...new Set(events.flatMap((e) => (e.build_id === null ? [] : [e.build_id])))],
        })
      ).map((b) => [b.id, b]),
    );
    const owed = new Map<string, OwedStatus>();
    for (const event of events) {
      const build = event.build_id === null ? undefined : builds.get(event.build_id);
      const repository = build?.repository_id == null ? undefined : repositories.get(build.repository_id);
      if (!build || !repository || !build.commit_sha) continue;
      const change = JSON.parse(event.payload) as BuildChange;
      const { state, description } = commitState(repository.provider as StatusProvider, change.to, {
        reason: change.reason,
        by: change.by,
        statusReason: change.reason,
      });
      const context = `sluice/${build.pipeline_name}`;
      owed.set(`${repository.id}\u0000${build.commit_sha}\u0000${context}`, {
        repository_id: repository.id,
        commit_sha: build.commit_sha,
        context,
        build_id: build.id,
        state,
        description,
        target_url: ctx.settings.publicUrl ? `${ctx.settings.publicUrl}/builds/${build.id}` : null,
        seq: event.seq,
      });
    }
    await tx.commitStatuses.owe({ rows: [...owed.values()], now });
    await tx.webhooks.advanceCursor({ name: STATUS_CURSOR, seq: reached, now });
    if (owed.size > 0) tx.afterCommit(() => ctx.bus.publish(TOPICS.commitStatuses));
    return Math.max(1, reached - cursor);
  });
}
