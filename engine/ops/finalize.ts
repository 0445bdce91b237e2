/**
 * The last step of a cancel: CANCELING → CANCELED once a build's jobs have stopped (or at once,
 * forced), settling the items of every operation waiting on it and completing operations that
 * have nothing left pending. Used by acknowledgements, forced cancels, stop deadlines and
 * recovery alike.
 */
import type { EngineContext } from "../context.ts";
import { TOPICS } from "../events/bus.ts";
import { emit } from "../events/outbox.ts";
import { buildStatusChanged, operationEvent } from "../events/payloads.ts";
import type { Store } from "../store/store.ts";

export async function finalizeCancels(
  ctx: EngineContext,
  tx: Store,
  opts: { buildIds: readonly number[]; force: boolean; note?: string | null },
): Promise<number[]> {
  if (opts.buildIds.length === 0) return [];
  const now = ctx.now();
  if (opts.force) {
    const agents = await tx.jobs.revokeLeases({ buildIds: opts.buildIds, now });
    tx.afterCommit(() => {
      for (const agent of agents) ctx.bus.publish(TOPICS.agent(agent));
    });
  }
  const ready = opts.force ? opts.buildIds : await tx.builds.cancelingWithoutRunningJobs({ ids: opts.buildIds });
  const note = opts.note ?? null;
  const moved = await tx.builds.transition({
    ids: ready,
    event: "finishCancel",
    now,
    ...(note ? { set: { status_reason: note } } : {}),
  });
  if (moved.length === 0) return [];
  const movedIds = moved.map((b) => b.id);
  await tx.jobs.endUnstarted({ buildIds: movedIds, status: "CANCELED", now });
  await tx.jobs.closeSteps({ buildIds: movedIds, runningBecomes: "CANCELED", now });
  const settled = await tx.operations.settleItems({ buildIds: movedIds, outcome: "canceled", note });
  const names = await ctx.names.get(
    tx,
    moved.map((b) => b.pipeline_id),
  );
  const events = moved.map((b) =>
    buildStatusChanged(b, names, {
      reason: note ?? b.cancel_reason,
      operationId: b.cancel_operation_id,
      by: b.cancel_by,
      now,
    }),
  );
  for (const [operationId, count] of settled) {
    const op = await tx.operations.addCounts({
      id: operationId,
      delta: { canceled: count, alreadyFinished: 0, failed: 0 },
      now,
    });
    if (op.status === "completed") events.push(operationEvent(op, names));
    else tx.afterCommit(() => ctx.progress.touch(operationId));
  }
  await emit(tx, ctx.bus, events, now);
  tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
  return movedIds;
}
