/**
 * Settling accepted cancels: the asynchronous half. A durable task per operation (the
 * `work_queue` table) is processed in chunks of 1,000 builds: stop requests are recorded for
 * every running job (each agent collects all of its stops in one message on its next poll),
 * builds with nothing running are finalized, and builds whose agent has not acknowledged by
 * the stop deadline are force-finalized with their leases revoked. The task comes back at the
 * next deadline, and after a restart, until nothing is pending.
 */
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../events/bus.ts";
import { SETTLE_TASK } from "./accept-cancel.ts";
import { finalizeCancels } from "./finalize.ts";

const CHUNK = 1000;
const CLAIM_LEASE_MS = 30_000;

export class SettleWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly ctx: EngineContext) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const tasks = await this.ctx.store.queue.claimDue({ now: this.ctx.now(), limit: 10, leaseMs: CLAIM_LEASE_MS });
        for (const task of tasks) {
          if (!this.running) return;
          if (task.kind !== SETTLE_TASK) {
            await this.ctx.store.queue.remove({ id: task.id });
            continue;
          }
          const next = await settleOperation(this.ctx, task.ref);
          if (next === null) await this.ctx.store.queue.remove({ id: task.id });
          else await this.ctx.store.queue.reschedule({ id: task.id, runAt: next });
        }
        if (tasks.length > 0) continue;
        const nextRunAt = await this.ctx.store.queue.nextRunAt();
        const wait = nextRunAt === null ? 1000 : Math.min(1000, Math.max(0, nextRunAt - this.ctx.now()));
        await this.ctx.bus.wait(TOPICS.work, wait, this.abort.signal);
      } catch (err) {
        if (!this.running) return;
        this.ctx.log.error("settle worker failed; retrying", { err: String(err) });
        await this.ctx.bus.wait(TOPICS.work, 500, this.abort.signal);
      }
    }
  }
}

/** One pass over an operation's pending builds. Returns when to look again, or null when done. */
export async function settleOperation(ctx: EngineContext, operationId: string): Promise<number | null> {
  const op = await ctx.store.operations.find({ id: operationId });
  if (!op || op.status === "completed") return null;
  const ackTimeoutMs = ctx.settings.stopAckTimeoutSeconds * 1000;
  let earliestDeadline: number | null = null;
  let after = 0;
  for (;;) {
    const ids = await ctx.store.operations.pendingBuildIds({ id: operationId, afterBuildId: after, limit: CHUNK });
    if (ids.length === 0) break;
    after = ids[ids.length - 1] as number;
    const deadline = await ctx.store.transaction(async (tx) => {
      const now = ctx.now();
      await tx.builds.lockRefs({ ids });
      const overdue = await tx.builds.overdue({ status: "CANCELING", now, limit: CHUNK, ids });
      await finalizeCancels(ctx, tx, { buildIds: overdue, force: true, note: "agent_unresponsive" });
      const agents = await tx.jobs.requestStops({ buildIds: ids, force: op.force === 1, now });
      await tx.builds.setStopDeadlines({ ids, now, ackTimeoutMs });
      await finalizeCancels(ctx, tx, { buildIds: ids, force: false });
      tx.afterCommit(() => {
        for (const agent of agents) ctx.bus.publish(TOPICS.agent(agent));
      });
      return tx.builds.earliestStopDeadline({ ids });
    });
    if (deadline !== null) earliestDeadline = Math.min(earliestDeadline ?? deadline, deadline);
  }
  const fresh = await ctx.store.operations.find({ id: operationId });
  if (!fresh || fresh.status === "completed") return null;
  // Look again at the earliest stop deadline (or soon, if something is pending without one).
  return earliestDeadline === null ? ctx.now() + 1000 : earliestDeadline + 1;
}
