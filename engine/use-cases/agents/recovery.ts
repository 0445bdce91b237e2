/**
 * Jobs an agent no longer runs: after a restart of the in-process agent and when an agent goes
 * silent (`agent_lost`), or when an agent's own report leaves them out (`agent_dropped`). Their
 * builds end FAILED with that reason, or CANCELED if a cancel was already under way.
 */
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { JobRow } from "../../store/jobs-repo.ts";
import { jobStatusChanged } from "../event-payloads.ts";
import { finalizeCancels } from "../operations/finalize.ts";

export type LostReason = "agent_lost" | "agent_dropped";

export async function failAgentJobs(
  ctx: EngineContext,
  opts: { agentId: string; reason: LostReason; jobIds?: readonly number[] },
): Promise<{ failed: number; canceled: number }> {
  return ctx.store.transaction(async (tx) => {
    const now = ctx.now();
    const only = opts.jobIds ? new Set(opts.jobIds) : undefined;
    const jobs = (await tx.jobs.runningOnAgent({ agentId: opts.agentId })).filter((j) => !only || only.has(j.id));
    if (jobs.length === 0) return { failed: 0, canceled: 0 };
    const builds = await tx.builds.lockRefs({ ids: [...new Set(jobs.map((j) => j.build_id))] });
    const running = new Set(builds.filter((b) => b.status === "RUNNING").map((b) => b.id));
    const lostJobs = jobs.filter((j) => running.has(j.build_id)).map((j) => j.id);
    const stoppedJobs = jobs.filter((j) => !running.has(j.build_id)).map((j) => j.id);
    await tx.jobs.endRunning({ jobIds: lostJobs, status: "FAILED", now });
    await tx.jobs.endRunning({ jobIds: stoppedJobs, status: "CANCELED", now });
    await tx.jobs.closeSteps({ jobIds: lostJobs, runningBecomes: "FAILED", now });
    await tx.jobs.closeSteps({ jobIds: stoppedJobs, runningBecomes: "CANCELED", now });

    const failed = await tx.transition({
      ids: [...running],
      event: "fail",
      now,
      set: { status_reason: opts.reason },
    });
    await tx.jobs.endUnstarted({ buildIds: [...running], status: "SKIPPED", now });
    await tx.jobs.closeSteps({ buildIds: [...running], runningBecomes: "FAILED", now });
    // Sibling jobs of a failed build on other agents are told to stop.
    const agents = await tx.jobs.requestStops({ buildIds: failed.map((b) => b.id), force: false, now });
    tx.afterCommit(() => {
      for (const agent of agents) ctx.bus.publish(TOPICS.agent(agent));
    });

    const canceling = builds.filter((b) => b.status === "CANCELING").map((b) => b.id);
    const canceled = await finalizeCancels(ctx, tx, { buildIds: canceling, force: false });
    return { failed: failed.length, canceled: canceled.length };
  });
}

/**
 * Jobs leased to an agent that never got them (the answer carrying the assignment was lost on the
 * way: a partition, a timeout): back to QUEUED, with an event, and agents woken to take them.
 */
export async function requeueUndelivered(
  ctx: EngineContext,
  agentId: string,
  jobs: readonly JobRow[],
): Promise<JobRow[]> {
  return ctx.store.transaction(async (tx) => {
    const builds = await tx.builds.lockRefs({ ids: [...new Set(jobs.map((j) => j.build_id))] });
    const requeued = await tx.jobs.requeueUndelivered({ jobIds: jobs.map((j) => j.id), agentId });
    if (requeued.length === 0) return [];
    const byId = new Map(builds.map((b) => [b.id, b]));
    await tx.events.append({
      events: requeued.flatMap((job) => {
        const build = byId.get(job.build_id);
        return build ? [jobStatusChanged(build, job, "QUEUED", "not_delivered")] : [];
      }),
      now: ctx.now(),
    });
    tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
    return requeued;
  });
}

/** After a restart, jobs the in-process agent was running have no process behind them. */
export function recoverLostAgent(ctx: EngineContext, agentId: string) {
  return failAgentJobs(ctx, { agentId, reason: "agent_lost" });
}
