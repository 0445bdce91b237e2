/**
 * After a restart, jobs the in-process agent was running have no process behind them: their
 * builds end FAILED (`agent_lost`), or CANCELED if a cancel was already under way.
 */
import type { EngineContext } from "../context.ts";
import { finalizeCancels } from "../ops/finalize.ts";

export async function recoverLostAgent(
  ctx: EngineContext,
  agentId: string,
): Promise<{ failed: number; canceled: number }> {
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const jobs = await tx.jobs.runningOnAgent({ agentId });
    if (jobs.length === 0) return { failed: 0, canceled: 0 };
    const builds = await tx.builds.lockRefs({ ids: [...new Set(jobs.map((j) => j.build_id))] });
    const running = new Set(builds.filter((b) => b.status === "RUNNING").map((b) => b.id));
    const lostJobs = jobs.filter((j) => running.has(j.build_id)).map((j) => j.id);
    const stoppedJobs = jobs.filter((j) => !running.has(j.build_id)).map((j) => j.id);
    await tx.jobs.endRunning({ jobIds: lostJobs, status: "FAILED", now });
    await tx.jobs.endRunning({ jobIds: stoppedJobs, status: "CANCELED", now });
    await tx.jobs.closeSteps({ jobIds: lostJobs, runningBecomes: "FAILED", now });
    await tx.jobs.closeSteps({ jobIds: stoppedJobs, runningBecomes: "CANCELED", now });

    const failed = await tx.transition({ ids: [...running], event: "fail", now, set: { status_reason: "agent_lost" } });
    await tx.jobs.endUnstarted({ buildIds: [...running], status: "SKIPPED", now });
    await tx.jobs.closeSteps({ buildIds: [...running], runningBecomes: "FAILED", now });

    const canceling = builds.filter((b) => b.status === "CANCELING").map((b) => b.id);
    const canceled = await finalizeCancels(ctx, tx, { buildIds: canceling, force: false });
    return { failed: failed.length, canceled: canceled.length };
  });
}
