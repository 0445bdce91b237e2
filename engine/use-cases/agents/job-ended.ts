/**
 * What a finished job means for its build: the next stage starts when a stage has all
 * succeeded; a failed or timed-out job ends the build (later stages skipped, running siblings
 * stopped); a job of a CANCELING build may let the cancel finish.
 */
import type { JobStatus } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { JobRow } from "../../store/jobs-repo.ts";
import type { Store } from "../../store/store.ts";
import { finalizeCancels } from "../operations/finalize.ts";

export async function onJobEnded(
  ctx: EngineContext,
  tx: Store,
  job: JobRow,
  outcome: { status: JobStatus; reason: string | null },
): Promise<void> {
  const [build] = await tx.builds.lockRefs({ ids: [job.build_id] });
  if (!build) return;
  if (build.status === "CANCELING") {
    await finalizeCancels(ctx, tx, { buildIds: [build.id], force: false });
    return;
  }
  if (build.status !== "RUNNING") return;
  const now = ctx.now();
  if (outcome.status === "SUCCEEDED") {
    const stage = await tx.jobs.stageStatuses({ buildId: build.id, stage: job.stage_index });
    if (!stage.every((s) => s === "SUCCEEDED")) return;
    const next = await tx.jobs.stageStatuses({ buildId: build.id, stage: job.stage_index + 1 });
    if (next.length > 0) {
      await tx.builds.setCurrentStage({ id: build.id, stage: job.stage_index + 1 });
      tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
      return;
    }
    await tx.transition({ ids: [build.id], event: "succeed", now });
    return;
  }
  const reason = outcome.reason ?? `job "${job.name}" ${outcome.status === "TIMED_OUT" ? "timed out" : "failed"}`;
  await tx.transition({
    ids: [build.id],
    event: outcome.status === "TIMED_OUT" ? "runTimeout" : "fail",
    now,
    set: { status_reason: reason },
  });
  await tx.jobs.endUnstarted({ buildIds: [build.id], status: "SKIPPED", now });
  await tx.jobs.closeSteps({ buildIds: [build.id], runningBecomes: "CANCELED", now });
  const agents = await tx.jobs.requestStops({ buildIds: [build.id], force: false, now });
  tx.afterCommit(() => {
    for (const agent of agents) ctx.bus.publish(TOPICS.agent(agent));
  });
}
