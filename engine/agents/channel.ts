/**
 * The engine's side of the agent channel: leases, reports, logs and stop acknowledgements.
 * The in-process agent calls it directly; the HTTP routes in `agents/http-routes.ts` expose the
 * same calls to remote agents.
 */
import type {
  AgentChannel,
  AgentRegistration,
  AgentState,
  HeartbeatResult,
  JobReport,
  LogChunk,
  PollResult,
  ReportResult,
  StepReport,
  StopAck,
  StopOrder,
  Welcome,
} from "../../common/agent-channel.ts";
import { JobReport as JobReportSchema, StepReport as StepReportSchema } from "../../common/agent-channel.ts";
import { groupBy } from "../../common/collections.ts";
import type { EngineContext } from "../context.ts";
import { applyLogLimit, type IncomingChunk } from "../domain/log-limit.ts";
import { TOPICS } from "../ports/wakeups.ts";
import { asUnavailable } from "../store/db-errors.ts";
import { assignWork } from "../use-cases/agents/assign.ts";
import { onJobEnded } from "../use-cases/agents/job-ended.ts";
import { reconcile, stopOrdersFor } from "../use-cases/agents/reconcile.ts";
import { jobStatusChanged } from "../use-cases/event-payloads.ts";
import { finalizeCancels, settleItems } from "../use-cases/operations/finalize.ts";
import { GroupCommit } from "./group-commit.ts";

const REJECTED: ReportResult = { accepted: false, stop: true };

/** Database outages reach the agent as 503s it retries, as over HTTP. */
async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asUnavailable(err);
  }
}

export class EngineAgentChannel implements AgentChannel {
  private readonly acks = new GroupCommit((batch: { agentId: string; acks: StopAck[] }[]) => this.writeAcks(batch));

  constructor(private readonly ctx: EngineContext) {}

  register(agent: AgentRegistration): Promise<Welcome> {
    return guarded(this.registerNow(agent));
  }

  heartbeat(state: AgentState): Promise<HeartbeatResult> {
    return guarded(this.heartbeatNow(state));
  }

  poll(request: AgentState & { freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult> {
    return guarded(this.pollNow(request));
  }

  reportStep(agentId: string, report: StepReport): Promise<ReportResult> {
    return guarded(this.reportStepNow(agentId, report));
  }

  reportJob(agentId: string, report: JobReport): Promise<ReportResult> {
    return guarded(this.reportJobNow(agentId, report));
  }

  appendLog(agentId: string, chunks: LogChunk[]): Promise<void> {
    return guarded(this.appendLogNow(agentId, chunks));
  }

  private async registerNow(agent: AgentRegistration): Promise<Welcome> {
    await this.ctx.store.agents.upsert({
      id: agent.name,
      name: agent.name,
      slots: agent.slots,
      instance: agent.instance,
      containment: agent.containment ?? null,
      git: agent.git === true,
      now: this.ctx.now(),
    });
    return {
      agentId: agent.name,
      heartbeatSeconds: this.ctx.settings.agentHeartbeatSeconds,
      stopAckTimeoutSeconds: this.ctx.settings.stopAckTimeoutSeconds,
    };
  }

  private async heartbeatNow(state: AgentState): Promise<HeartbeatResult> {
    const stops = await reconcile(this.ctx, state);
    return { stops, now: this.ctx.now() };
  }

  /**
   * Reconciles, then waits for work or a new stop order. What reconciling finds rides along with
   * the answer but does not end the wait early: an agent still stopping a job reports its lease
   * until the job is gone, and must not be answered at once every time (heartbeats repeat it).
   */
  private async pollNow(
    request: AgentState & { freeSlots: number; waitMs: number; signal?: AbortSignal },
  ): Promise<PollResult> {
    const deadline = Date.now() + request.waitMs;
    const signal = request.signal ? AbortSignal.any([request.signal, this.ctx.shutdown]) : this.ctx.shutdown;
    const reconciled = await reconcile(this.ctx, request);
    for (;;) {
      // Subscribe before looking, so a wake-up between the look and the wait is not missed.
      // An agent without a free slot only needs to hear about its own stop orders.
      const woken = this.ctx.bus.wait(
        request.freeSlots > 0 ? [TOPICS.agent(request.agentId), TOPICS.anyAgent] : [TOPICS.agent(request.agentId)],
        Math.max(0, deadline - Date.now()),
        signal,
      );
      const stops = await this.takeStops(request.agentId);
      const assignments = request.freeSlots > 0 ? await assignWork(this.ctx, request.agentId, request.freeSlots) : [];
      if (stops.length > 0 || assignments.length > 0 || Date.now() >= deadline || signal.aborted) {
        return { assignments, stops: dedupe([...stops, ...reconciled]), now: this.ctx.now() };
      }
      await woken;
    }
  }

  /** Stop orders not yet delivered (jobs leased since the agent last reported, too). */
  private async takeStops(agentId: string): Promise<StopOrder[]> {
    const rows = await this.ctx.store.jobs.takeStops({ agentId, now: this.ctx.now() });
    return stopOrdersFor(this.ctx, rows);
  }

  private async reportStepNow(agentId: string, input: StepReport): Promise<ReportResult> {
    const report = StepReportSchema.parse(input);
    const job = await this.ctx.store.jobs.byLease({ leaseId: report.leaseId, agentId });
    if (job?.status !== "RUNNING") return REJECTED;
    await this.ctx.store.jobs.updateStep({
      jobId: job.id,
      stepIndex: report.stepIndex,
      status: report.status,
      exitCode: report.exitCode,
      now: this.ctx.now(),
    });
    const stop = job.build_status !== "RUNNING" || job.stop_requested_at !== null;
    return { accepted: true, stop };
  }

  private async reportJobNow(agentId: string, input: JobReport): Promise<ReportResult> {
    const report = JobReportSchema.parse(input);
    return this.ctx.store.transaction(async (tx) => {
      const job = await tx.jobs.byLease({ leaseId: report.leaseId, agentId });
      if (!job) return REJECTED;
      const [build] = await tx.builds.lockRefs({ ids: [job.build_id] });
      const now = this.ctx.now();
      if (!build || !(await tx.jobs.finish({ jobId: job.id, status: report.status, now }))) return REJECTED;
      await tx.jobs.closeSteps({ jobIds: [job.id], runningBecomes: report.status, now });
      await tx.events.append({ events: [jobStatusChanged(build, job, report.status, report.reason)], now });
      await onJobEnded(this.ctx, tx, job, { status: report.status, reason: report.reason });
      tx.afterCommit(() => this.ctx.bus.publish(TOPICS.anyAgent));
      return { accepted: true, stop: false };
    });
  }

  /** Output of the agent's jobs, kept up to the per-build limit (`SLUICE_LOG_MAX_BYTES`). */
  private async appendLogNow(agentId: string, chunks: LogChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const jobs = await this.ctx.store.jobs.byLeases({ leaseIds: [...new Set(chunks.map((c) => c.leaseId))], agentId });
    const byLease = new Map(jobs.map((j) => [j.lease_id, j]));
    const incoming: IncomingChunk[] = chunks.flatMap((c) => {
      const job = byLease.get(c.leaseId);
      return job ? [{ buildId: job.build_id, jobId: job.id, stream: c.stream, text: c.text, dropped: c.dropped }] : [];
    });
    if (incoming.length === 0) return;
    await this.ctx.store.transaction(async (tx) => {
      const sizes = await tx.builds.lockLogSizes({ ids: [...new Set(incoming.map((c) => c.buildId))] });
      const { kept, changes } = applyLogLimit(incoming, sizes, this.ctx.settings.logMaxBytes);
      const now = this.ctx.now();
      await tx.logs.append({
        chunks: kept.map((c) => ({
          build_id: c.buildId,
          job_id: c.jobId,
          stream: c.stream,
          text: c.text,
          created_at: now,
        })),
      });
      await tx.builds.addLogSizes({ changes });
    });
  }

  /**
   * The agent stopped these jobs: they end CANCELED, and builds whose jobs all stopped are
   * finalized. An acknowledgement with an error means the agent could not stop the job: the
   * items waiting on it fail with that reason, and the build's stop deadline still applies.
   */
  acknowledgeStops(agentId: string, acks: StopAck[]): Promise<void> {
    if (acks.length === 0) return Promise.resolve();
    return guarded(this.acks.submit({ agentId, acks }));
  }

  /** One transaction for every acknowledgement that arrived together, from any agent. */
  private async writeAcks(batch: { agentId: string; acks: StopAck[] }[]): Promise<void> {
    const acks = batch.flatMap((b) => b.acks.map((a) => ({ ...a, agentId: b.agentId })));
    await this.ctx.store.transaction(async (tx) => {
      const now = this.ctx.now();
      const jobs = await tx.jobs.byLeases({ leaseIds: acks.map((a) => a.leaseId) });
      // An agent may only acknowledge its own leases.
      const owner = new Map(jobs.map((j) => [j.lease_id, j]));
      const owned = acks.filter((a) => owner.get(a.leaseId)?.agent_id === a.agentId);
      if (owned.length < acks.length) {
        const refused = acks.filter((a) => owner.get(a.leaseId)?.agent_id !== a.agentId);
        this.ctx.log.warn("refused stop acknowledgements for leases the agent does not hold", {
          agents: [...new Set(refused.map((a) => a.agentId))],
          leases: refused.slice(0, 10).map((a) => a.leaseId),
        });
      }
      // Builds are locked (in id order) before their jobs, on every path: no deadlocks.
      await tx.builds.lockRefs({ ids: [...new Set(owned.map((a) => owner.get(a.leaseId)!.build_id))] });
      const stopped = owned.filter((a) => !a.error).map((a) => a.leaseId);
      const { jobIds, buildIds } = await tx.jobs.acknowledgeStops({ leaseIds: stopped, now });
      const stoppedJobs = new Set(jobIds);
      const latencies = jobs.flatMap((j) =>
        stoppedJobs.has(j.id) && j.stop_requested_at !== null ? [now - Number(j.stop_requested_at)] : [],
      );
      tx.afterCommit(() => this.ctx.metrics.stopsAcknowledged(latencies));
      await tx.jobs.closeSteps({ jobIds, runningBecomes: "CANCELED", now });
      await finalizeCancels(this.ctx, tx, { buildIds, force: false });
      for (const [error, group] of groupBy(
        owned.filter((a) => a.error),
        (a) => a.error as string,
      )) {
        const ids = group.map((a) => owner.get(a.leaseId)!.build_id);
        await settleItems(this.ctx, tx, { buildIds: ids, outcome: "failed", note: error });
      }
      tx.afterCommit(() => this.ctx.bus.publish(TOPICS.anyAgent));
    });
  }
}

/** One order per lease: the first wins. */
function dedupe(orders: StopOrder[]): StopOrder[] {
  const seen = new Set<string>();
  return orders.filter((o) => !seen.has(o.leaseId) && seen.add(o.leaseId));
}
