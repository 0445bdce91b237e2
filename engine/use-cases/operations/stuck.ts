/**
 * Stuck builds said: an operation whose stop an agent has not acknowledged within a build's grace
 * period writes `operation.stuck` the first time it has one (webhooks deliver it, the page reads
 * the operation again), and `operation.progress` each time more of its builds are stuck (the page
 * reads the count again). The once-marker is the operation's `stuck_at` and the count said is
 * `stuck_said`, both set by conditional updates in one transaction (the first holds the row), so
 * two replicas sweeping together say each thing once.
 */
import type { EngineContext } from "../../context.ts";
import { operationEvent, operationStuck } from "../event-payloads.ts";

const BATCH = 100;

/** Returns how many operations said they have (more) stuck builds. */
export async function reportStuckOperations(ctx: EngineContext): Promise<number> {
  const found = await ctx.store.operations.moreStuck({ now: ctx.now(), limit: BATCH });
  let reported = 0;
  for (const { id, stuck } of found) {
    const said = await ctx.store.transaction(async (tx) => {
      const op = await tx.operations.raiseStuck({ id, stuck });
      if (!op) return false;
      const now = ctx.now();
      const first = await tx.operations.markStuck({ id, now });
      await tx.events.append({ events: [first ? operationStuck(op, stuck) : operationEvent(op)], now });
      if (first) {
        ctx.log.warn("builds are slow to stop: their agent has not acknowledged within the grace period", {
          operationId: id,
          stuck,
        });
      }
      return true;
    });
    if (said) reported++;
  }
  return reported;
}
