/**
 * The last step of a cancel: CANCELING → CANCELED once a build's jobs have stopped (or at once,
 * forced), settling the items of every operation waiting on it and completing operations that
 * have nothing left pending. Used by acknowledgements, forced cancels, stop deadlines and
 * recovery alike.
 */
import type { ItemOutcome } from "../../../common/constants.ts";
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { Store } from "../../store/store.ts";
import { operationEvent } from "../event-payloads.ts";

export async function finalizeCancels(
  ctx: EngineContext,
  tx: Store,
  opts: {
    buildIds: readonly number[];
    force: boolean;
    note?: string | null;
    /** Update operation counts at once rather than just before commit (see `settleItems`). */
    countsNow?: boolean;
  },
): Promise<number[]> {
  if (opts.buildIds.length === 0) return [];
  const now = ctx.now();
  if (opts.force) {
    const agents = await tx.jobs.revokeLeases({ buildIds: opts.buildIds, now });
    tx.afterCommit(() => {
      for (const agent of agents) ctx.bus.publish(TOPICS.agent(agent));
    });
  }
  // Builds with a job still running wait for its acknowledgement; the rest move if CANCELING.
  const stillRunning = opts.force
    ? new Set<number>()
    : await tx.jobs.buildsWithRunningJobs({ buildIds: opts.buildIds });
  const ready = opts.buildIds.filter((id) => !stillRunning.has(id));
  const note = opts.note ?? null;
  const moved = await tx.transition({
    ids: ready,
    event: "finishCancel",
    now,
    ...(note ? { set: { status_reason: note }, reason: note } : {}),
  });
  if (moved.length === 0) return [];
  const movedIds = moved.map((b) => b.id);
  await tx.jobs.endUnstarted({ buildIds: movedIds, status: "CANCELED", now });
  await tx.jobs.closeSteps({ buildIds: movedIds, runningBecomes: "CANCELED", now });
  await settleItems(ctx, tx, {
    buildIds: movedIds,
    outcome: "canceled",
    note,
    ...(opts.countsNow ? { countsNow: true } : {}),
  });
  tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
  return movedIds;
}

/**
 * Gives the pending items of these builds (in every operation naming them) their outcome and
 * adds it to the operations' counts. Operations with nothing left pending write
 * `operation.completed`; the others report progress shortly.
 */
export async function settleItems(
  ctx: EngineContext,
  tx: Store,
  opts: {
    buildIds: readonly number[];
    outcome: Exclude<ItemOutcome, "pending">;
    note: string | null;
    countsNow?: boolean;
  },
): Promise<void> {
  const perOperation = await tx.operations.settleItems(opts);
  for (const [operationId, count] of perOperation) {
    // The operation's row is shared by every transaction settling its builds: update it last,
    // so its lock is held only until the commit that follows (unless the caller reads it back).
    const addCounts = async () => {
      const op = await tx.operations.addCounts({ id: operationId, outcome: opts.outcome, count, now: ctx.now() });
      if (op.status === "completed") {
        await tx.events.append({ events: [operationEvent(op)], now: ctx.now() });
        const durationMs = Number(op.completed_at ?? op.created_at) - Number(op.created_at);
        tx.afterCommit(() => ctx.metrics.operationSettled({ source: op.source, durationMs }));
      } else {
        tx.afterCommit(() => ctx.progress.touch(operationId));
      }
    };
    if (opts.countsNow) await addCounts();
    else tx.beforeCommit(addCounts);
  }
}
