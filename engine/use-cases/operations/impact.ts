/**
 * A bulk cancel's impact, for its preview: where the running builds are, the work already done
 * and the work the queued ones will not take, the steps in flight, protected builds and the pull
 * requests whose checks will turn canceled.
 */
import type { BulkImpact, OperationSelection } from "../../../common/dto.ts";
import type { EngineContext } from "../../context.ts";
import { median } from "../../domain/bulk-selection.ts";
import type { BuildMatch } from "../../store/builds-repo.ts";

/** How many recent succeeded builds of a pipeline its duration estimate is the median of. */
const RECENT = 20;
const IN_FLIGHT_SHOWN = 20;

export async function impactOf(
  ctx: EngineContext,
  match: BuildMatch,
  opts: { queuedPerPipeline: ReadonlyMap<number, number>; protectedBuilds: number },
): Promise<BulkImpact> {
  const now = ctx.now();
  const found = await ctx.store.builds.impact({ ...match, now });
  const queuedIn = [...opts.queuedPerPipeline].filter(([, n]) => n > 0).map(([id]) => id);
  const durations = await ctx.store.builds.recentDurations({ pipelineIds: queuedIn, last: RECENT });
  let avoidedMs = 0;
  let unestimated = 0;
  for (const id of queuedIn) {
    const queued = opts.queuedPerPipeline.get(id) ?? 0;
    const typical = median(durations.get(id) ?? []);
    if (typical === undefined) unestimated += queued;
    else avoidedMs += queued * typical;
  }
  return {
    runningByAgent: found.runningByAgent.sort((a, b) => b.builds - a.builds || a.agent.localeCompare(b.agent)),
    workDoneSeconds: Math.round(found.workDoneMs / 1000),
    workAvoidedSeconds: Math.round(avoidedMs / 1000),
    unestimated,
    inFlight: found.inFlight
      .sort((a, b) => b.builds - a.builds || a.stage.localeCompare(b.stage) || a.step.localeCompare(b.step))
      .slice(0, IN_FLIGHT_SHOWN),
    protectedBuilds: opts.protectedBuilds,
    pullRequests: found.pullRequests,
  };
}

/** The impact's headline figures, as an operation records what its confirmer saw. */
export function impactSummary(
  impact: BulkImpact,
  counts: { running: number; queued: number },
): NonNullable<OperationSelection["impact"]> {
  return {
    running: counts.running,
    queued: counts.queued,
    agents: impact.runningByAgent.length,
    workDoneSeconds: impact.workDoneSeconds,
    workAvoidedSeconds: impact.workAvoidedSeconds,
  };
}
