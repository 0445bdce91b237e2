/**
 * Accepting a bulk re-run: new builds with the same branch, commit and parameters as the builds
 * named, in one transaction with batched statements (their number does not grow with the
 * builds), through each pipeline's concurrency policy as triggers would be — a re-run in a
 * `cancelInProgress` group supersedes the group's earlier builds, a full queue evicts its oldest.
 * The operation completes at once: each named build is `created` (with the new build's number) or
 * `skipped` (with why).
 */
import crypto from "node:crypto";
import type { OperationSource } from "../../../common/constants.ts";
import type { OperationSelection } from "../../../common/dto.ts";
import { isActive } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import { resolveParams } from "../../domain/params.ts";
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { BuildRow } from "../../store/builds-repo.ts";
import type { OperationRow } from "../../store/operations-repo.ts";
import type { PipelineRow } from "../../store/projects-repo.ts";
import type { Store } from "../../store/store.ts";
import { type BuildPlan, createBuilds, planBuild } from "../builds/create-builds.ts";
import { operationEvent } from "../event-payloads.ts";
import { alreadyRerun } from "../operations/selection.ts";

export type AcceptRerunInput = {
  projectId: number;
  pipelineId: number | null;
  selection: OperationSelection;
  actor: string;
  source: OperationSource;
  reason: string | null;
  /** The builds to run again (already checked to be in scope). */
  buildIds: readonly number[];
  /** The scope's pipelines: the new builds follow their current definitions. */
  pipelines: ReadonlyMap<number, PipelineRow>;
  /** The operation whose canceled builds these are: it may be re-run only once. */
  rerunOf?: string | undefined;
  /** Counts against the caller's running-operations limit (see `acceptOnce`). */
  limited: boolean;
  idempotency?: { key: string; requestHash: string };
};

type Plan = BuildPlan & { source: BuildRow };
type Outcome = { buildId: number; outcome: "created" | "skipped"; note: string };

/** Accepts a re-run in the caller's transaction (through `acceptOnce`: the repeat key and the limit first). */
export async function acceptRerun(ctx: EngineContext, tx: Store, input: AcceptRerunInput): Promise<OperationRow> {
  const now = ctx.now();
  const operationId = crypto.randomUUID();
  if (input.rerunOf !== undefined) await claimRerun(tx, input.rerunOf, operationId);
  const sources = await tx.builds.findManyById({ ids: input.buildIds });
  const { plans, skipped } = planBuilds(input, sources, now);

  const { created: made, refused } = await createBuilds(ctx, tx, {
    projectId: input.projectId,
    actor: input.actor,
    plans,
  });
  for (const plan of refused as Plan[]) {
    skipped.push({ buildId: plan.source.id, outcome: "skipped", note: "concurrency_group_busy" });
  }

  const created: Outcome[] = made.map((c) => ({
    buildId: (c.plan as Plan).source.id,
    outcome: "created",
    note: `#${c.number}`,
  }));
  const operation = {
    id: operationId,
    kind: "rerun",
    status: "completed" as const,
    source: input.source,
    project_id: input.projectId,
    pipeline_id: input.pipelineId,
    scope: input.pipelineId === null ? ("project" as const) : ("pipeline" as const),
    selection: JSON.stringify(input.selection),
    requested_by: input.actor,
    reason: input.reason,
    force: 0,
    limited: input.limited ? 1 : 0,
    total: input.buildIds.length,
    counts: JSON.stringify({ created: created.length, skipped: skipped.length }),
    pending: 0,
    idempotency_key: input.idempotency?.key ?? null,
    request_hash: input.idempotency?.requestHash ?? null,
    created_at: now,
    completed_at: now,
    rerun_by: null,
    rerun_of: input.rerunOf ?? null,
    stuck_at: null,
    stuck_said: 0,
  };
  await tx.operations.insert({ operation });
  await tx.operations.insertItems({ operationId, items: [...created, ...skipped] });
  await tx.operations.insertAudit({
    project_id: input.projectId,
    action: "rerun",
    actor: input.actor,
    source: input.source,
    reason: input.reason,
    operation_id: operationId,
    targets: input.buildIds.length,
    created_at: now,
  });
  await tx.events.append({ events: [operationEvent(operation)], now });
  tx.afterCommit(() => {
    ctx.bus.publish(TOPICS.anyAgent);
    ctx.metrics.buildsTriggered(input.source, made.length);
  });
  return (await tx.operations.find({ id: operationId })) as OperationRow;
}

/** The first re-run of an operation claims it; a second one is refused (409 `already_rerun`). */
async function claimRerun(tx: Store, id: string, by: string): Promise<void> {
  if (await tx.operations.claimRerun({ id, by })) return;
  const earlier = await tx.operations.find({ id });
  throw alreadyRerun(earlier?.rerun_by ?? null);
}

/** A new build for each named one that can run again; why not for the others. */
function planBuilds(input: AcceptRerunInput, sources: BuildRow[], now: number): { plans: Plan[]; skipped: Outcome[] } {
  const plans: Plan[] = [];
  const skipped: Outcome[] = [];
  for (const source of [...sources].sort((a, b) => a.id - b.id)) {
    const pipeline = input.pipelines.get(source.pipeline_id);
    if (isActive(source.status)) {
      skipped.push({ buildId: source.id, outcome: "skipped", note: "still_active" });
      continue;
    }
    if (!pipeline) {
      skipped.push({ buildId: source.id, outcome: "skipped", note: "pipeline_gone" });
      continue;
    }
    const stored = JSON.parse(pipeline.definition) as PipelineDefinition;
    const definition = { ...stored, params: stored.params ?? {} };
    let params: Record<string, string>;
    try {
      params = resolveParams(definition.params, JSON.parse(source.params) as Record<string, string>);
    } catch {
      skipped.push({ buildId: source.id, outcome: "skipped", note: "params_changed" });
      continue;
    }
    plans.push({
      source,
      ...planBuild({
        pipeline,
        definition,
        branch: source.branch,
        commit: source.commit_sha,
        params,
        actor: input.actor,
        now,
        // A re-run of a push or pull request build checks the same commit out of the same repository.
        origin:
          source.repository_id !== null && source.trigger_kind !== null
            ? {
                repositoryId: source.repository_id,
                kind: source.trigger_kind,
                pullRequest: source.pull_request,
                message: source.commit_message,
                author: source.commit_author,
              }
            : undefined,
      }),
    });
  }
  return { plans, skipped };
}
