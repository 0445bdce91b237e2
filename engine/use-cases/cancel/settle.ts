/**
 * Settling an accepted cancel, one pass: in chunks of 1,000 builds, stop requests are recorded
 * for every running job (each agent collects all of its stops in one message on its next poll)
 * with a stop deadline, and builds with nothing running are finalized. Acknowledgements and the
 * sweeper's stop deadlines do the rest.
 */
import { setImmediate } from "node:timers/promises";
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import { finalizeCancels } from "../operations/finalize.ts";

const CHUNK = 1000;

/** One pass over an operation's pending builds. Returns true when the operation is complete. */
export async function settleCancel(ctx: EngineContext, operationId: string): Promise<boolean> {
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
