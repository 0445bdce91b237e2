/**
 * Settling accepted cancels: the asynchronous half. A durable task per operation (the
 * `work_queue` table) is processed in chunks of 1,000 builds: stop requests are recorded for
 * every running job (each agent collects all of its stops in one message on its next poll) with
 * a stop deadline, and builds with nothing running are finalized. The task comes back every few
 * seconds, and after a restart, until nothing is pending; acknowledgements and the sweeper's
 * stop deadlines do the rest.
 */
import { setImmediate } from "node:timers/promises";
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../events/bus.ts";
import { SETTLE_TASK } from "./accept-cancel.ts";
import { finalizeCancels } from "./finalize.ts";

const CHUNK = 1000;
const CLAIM_LEASE_MS = 15_000;
const RECHECK_MS = 5_000;
const RETRY_MS = 500;

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
          try {
            const done = task.kind !== SETTLE_TASK || (await settleOperation(this.ctx, task.ref));
            if (done) await this.ctx.store.queue.remove({ id: task.id });
            else await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RECHECK_MS });
          } catch (err) {
            // Try again soon rather than when the claim expires (the database may be back by then).
            await this.ctx.store.queue.reschedule({ id: task.id, runAt: this.ctx.now() + RETRY_MS }).catch(() => {});
            throw err;
          }
        }
        if (tasks.length > 0) continue;
        const nextRunAt = await this.ctx.store.queue.nextRunAt();
        const wait = nextRunAt === null ? 1000 : Math.min(1000, Math.max(0, nextRunAt - this.ctx.now()));
        await this.ctx.bus.wait(TOPICS.work, wait, this.abort.signal);
      } catch (err) {
        if (!this.running) return;
        this.ctx.log.warn("settle worker failed; retrying", { err: String(err) });
        await this.ctx.bus.wait(TOPICS.work, 500, this.abort.signal);
      }
    }
  }
}

/** One pass over an operation's pending builds. Returns true when the operation is complete. */
export async function settleOperation(ctx: EngineContext, operationId: string): Promise<boolean> {
  const op = await ctx.store.operations.find({ id: operationId });
  if (!op || op.status === "completed") return true;
  const ackTimeoutMs = ctx.settings.stopAckTimeoutSeconds * 1000;
  const agentsToWake = new Set<string>();
  let after = 0;
  for (;;) {
    const ids = await ctx.store.operations.pendingBuildIds({ id: operationId, afterBuildId: after, limit: CHUNK });
    if (ids.length === 0) break;
    after = ids[ids.length - 1] as number;
    // Let responses and other I/O through between chunks (SQLite work is synchronous).
    await setImmediate();
    await ctx.store.transaction(async (tx) => {
      const now = ctx.now();
      await tx.builds.lockRefs({ ids });
      const agents = await tx.jobs.requestStops({ buildIds: ids, force: op.force === 1, now });
      await tx.builds.setStopDeadlines({ ids, now, ackTimeoutMs });
      await finalizeCancels(ctx, tx, { buildIds: ids, force: false });
      tx.afterCommit(() => {
        for (const agent of agents) agentsToWake.add(agent);
      });
    });
  }
  // One wake-up per agent once every chunk is recorded: each agent collects all of its stop
  // orders for this operation in one poll, one message.
  for (const agent of agentsToWake) ctx.bus.publish(TOPICS.agent(agent));
  return (await ctx.store.operations.find({ id: operationId }))?.status === "completed";
}
