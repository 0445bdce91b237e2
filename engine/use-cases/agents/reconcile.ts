/**
 * Reconciling with an agent on every contact (poll and heartbeat), as a kubelet does with the API
 * server: the agent says which leases it runs, the engine answers with stop orders for every one
 * it no longer wants (canceled, lost, revoked, unknown), and fails the jobs it believes the agent
 * holds but the agent does not report (`agent_dropped`).
 */
import type { AgentState, StopOrder } from "../../../common/agent-channel.ts";
import { ConflictError, NotFoundError } from "../../../common/errors.ts";
import { stopReasonText } from "../../../common/log-notes.ts";
import type { EngineContext } from "../../context.ts";
import type { JobRow } from "../../store/jobs-repo.ts";
import { failAgentJobs, requeueUndelivered } from "./recovery.ts";

/** The stop orders an agent gets for the leases it reported. */
export async function reconcile(ctx: EngineContext, state: AgentState): Promise<StopOrder[]> {
  const now = ctx.now();
  const agent = await ctx.store.agents.seen({ id: state.agentId, now });
  if (!agent) throw new NotFoundError(`Agent ${state.agentId} is not registered`, undefined, "agent_not_registered");
  if (agent.instance !== null && agent.instance !== state.instance) {
    throw new ConflictError(
      "agent_replaced",
      `Another process registered as agent ${state.agentId}; this one must stop its jobs and exit`,
    );
  }
  const running = await ctx.store.jobs.runningOnAgent({ agentId: state.agentId });
  const reported = new Set(state.leases);
  // Leased before the last answer the agent saw, yet not reported: the agent dropped them.
  const dropped = running.filter(
    (j) => j.lease_id !== null && !reported.has(j.lease_id) && Number(j.started_at) <= state.seenUntil,
  );
  if (dropped.length > 0) {
    // Leases whose assignment never reached the agent go back to the queue; the rest failed.
    const requeued = new Set((await requeueUndelivered(ctx, state.agentId, dropped)).map((j) => j.id));
    const gone = dropped.filter((j) => !requeued.has(j.id));
    const result =
      gone.length > 0
        ? await failAgentJobs(ctx, { agentId: state.agentId, reason: "agent_dropped", jobIds: gone.map((j) => j.id) })
        : { failed: 0, canceled: 0 };
    ctx.log.warn("an agent no longer runs jobs it was given", {
      agentId: state.agentId,
      jobs: dropped.length,
      requeued: requeued.size,
      ...result,
    });
  }
  const byLease = new Map(running.map((j) => [j.lease_id, j]));
  const unwanted = state.leases.filter((lease) => !byLease.has(lease));
  const toStop = state.leases.flatMap((lease) => {
    const job = byLease.get(lease);
    return job && job.stop_requested_at !== null ? [job] : [];
  });
  return [
    ...unwanted.map((leaseId) => ({
      leaseId,
      graceSeconds: 0,
      force: true,
      reason: "the engine no longer runs this job (finished, lost or revoked)",
    })),
    ...(await stopOrdersFor(ctx, toStop)),
  ];
}

/** Stop orders for running jobs whose stop was requested, with their build's grace and reason. */
export async function stopOrdersFor(
  ctx: EngineContext,
  jobs: readonly Pick<JobRow, "lease_id" | "build_id" | "stop_force">[],
): Promise<StopOrder[]> {
  if (jobs.length === 0) return [];
  const builds = await ctx.store.builds.stopContext({ ids: [...new Set(jobs.map((j) => j.build_id))] });
  return jobs.map((j) => {
    const build = builds.get(j.build_id);
    return {
      leaseId: j.lease_id as string,
      graceSeconds: build?.grace_seconds ?? 10,
      force: j.stop_force === 1,
      ...(build ? { reason: stopReason(build) } : {}),
    };
  });
}

/** Who asked for a stop and why, for the build log: "canceled by dev: bad push", "build failed: …". */
function stopReason(build: {
  status: string;
  cancel_by: string | null;
  cancel_reason: string | null;
  status_reason: string | null;
}): string {
  if (build.status === "CANCELING" || build.status === "CANCELED") {
    return stopReasonText({ kind: "canceled", by: build.cancel_by, reason: build.cancel_reason });
  }
  if (build.status === "FAILED" || build.status === "TIMED_OUT") {
    const kind = build.status === "FAILED" ? "failed" : "timedOut";
    return stopReasonText({ kind, reason: build.status_reason });
  }
  return stopReasonText({ kind: "engine" });
}
