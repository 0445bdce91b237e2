/**
 * Periodic housekeeping, on a timer: builds that waited in their concurrency queue too long
 * become TIMED_OUT; CANCELING builds whose agent did not acknowledge the stop by the deadline
 * are force-finalized (note `agent_unresponsive`, leases revoked), and operations say once when
 * their first build is stuck past its grace period (`operation.stuck`); agents that went silent lose
 * their builds; old outbox events are deleted.
 */

import type { EngineContext } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import { WEBHOOK_CURSOR } from "../store/webhooks-repo.ts";
import { recoverLostAgent } from "../use-cases/agents/recovery.ts";
import { finalizeCancels } from "../use-cases/operations/finalize.ts";
import { reportStuckOperations } from "../use-cases/operations/stuck.ts";

const BATCH = 1000;

export async function timeOutQueuedBuilds(ctx: EngineContext): Promise<number> {
  const ids = await ctx.store.builds.overdue({ status: "QUEUED", now: ctx.now(), limit: BATCH });
  if (ids.length === 0) return 0;
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    await tx.builds.lockRefs({ ids });
    const moved = await tx.transition({ ids, event: "queueTimeout", now, set: { status_reason: "queue_timeout" } });
    const movedIds = moved.map((b) => b.id);
    await tx.jobs.endUnstarted({ buildIds: movedIds, status: "SKIPPED", now });
    await tx.jobs.closeSteps({ buildIds: movedIds, runningBecomes: "SKIPPED", now });
    tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
    return moved.length;
  });
}

export async function finalizeUnacknowledgedStops(ctx: EngineContext): Promise<number> {
  const ids = await ctx.store.builds.overdue({ status: "CANCELING", now: ctx.now(), limit: BATCH });
  if (ids.length === 0) return 0;
  const forced = await ctx.store.transaction(async (tx) => {
    await tx.builds.lockRefs({ ids });
    const done = await finalizeCancels(ctx, tx, { buildIds: ids, force: true, note: "agent_unresponsive" });
    if (done.length > 0)
      ctx.log.warn("force-finalized builds whose agent did not acknowledge the stop", { builds: done.length });
    return done.length;
  });
  ctx.metrics.forceFinalized(forced);
  return forced;
}

/** Agents that stopped polling while holding jobs are lost: their builds end FAILED (`agent_lost`). */
export async function failSilentAgents(ctx: EngineContext): Promise<number> {
  const silent = await ctx.store.agents.silentWithRunningJobs({
    before: ctx.now() - ctx.settings.agentTimeoutSeconds * 1000,
  });
  let failed = 0;
  for (const agentId of silent) {
    const lost = await recoverLostAgent(ctx, agentId);
    ctx.log.warn("agent lost: it stopped polling while holding jobs", { agentId, ...lost });
    failed += lost.failed + lost.canceled;
  }
  return failed;
}

/** Old outbox events go, except those the webhook dispatcher has not passed yet. */
export async function pruneEvents(ctx: EngineContext): Promise<number> {
  return ctx.store.events.prune({
    before: ctx.now() - ctx.settings.eventRetentionHours * 3600_000,
    limit: 10_000,
    upToSeq: await ctx.store.stats.cursor(WEBHOOK_CURSOR),
  });
}

/** The inbound delivery log keeps 30 days, as the webhook delivery log does; one still pending stays. */
export const HOOK_DELIVERY_RETENTION_MS = 30 * 24 * 3600_000;

export async function pruneHookDeliveries(ctx: EngineContext): Promise<number> {
  return ctx.store.repositories.pruneDeliveries({ before: ctx.now() - HOOK_DELIVERY_RETENTION_MS, limit: 10_000 });
}

/** How long a stop waits for a sweep under way. */
const STOP_WAIT_MS = 5_000;

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  /** The sweep under way, if any: a stop waits for it, so it never runs on a closed database. */
  private current: Promise<void> | undefined;
  private ticks = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.current ??= this.tick().finally(() => {
        this.current = undefined;
      });
    }, this.intervalMs);
  }

  /**
   * No sweep starts after this; one under way is waited for, at most `STOP_WAIT_MS` (a database
   * that stopped answering must not hold the engine's stop).
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.current) return;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_WAIT_MS);
    });
    await Promise.race([this.current, waited]);
    clearTimeout(timer);
  }

  private async tick(): Promise<void> {
    try {
      await timeOutQueuedBuilds(this.ctx);
      await finalizeUnacknowledgedStops(this.ctx);
      await reportStuckOperations(this.ctx);
      await failSilentAgents(this.ctx);
      if (++this.ticks % 60 === 1) {
        await pruneEvents(this.ctx);
        await pruneHookDeliveries(this.ctx);
      }
    } catch (err) {
      this.ctx.log.warn("sweep failed", { err });
    }
  }
}
