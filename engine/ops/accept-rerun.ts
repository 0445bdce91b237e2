/**
 * Accepting a bulk re-run: new builds with the same branch, commit and parameters as the builds
 * named, in one transaction with batched statements (their number does not grow with the
 * builds), through each pipeline's concurrency policy as triggers would be — a re-run in a
 * `cancelInProgress` group supersedes the group's earlier builds, a full queue evicts its oldest.
 * The operation completes at once: each named build is `created` (with the new build's number) or
 * `skipped` (with why).
 */
import crypto from "node:crypto";
import { groupBy } from "../../common/collections.ts";
import type { OperationSource } from "../../common/constants.ts";
import type { OperationSelection } from "../../common/dto.ts";
import { isActive } from "../../common/statuses.ts";
import type { EngineContext } from "../context.ts";
import { queueDecision, resolveGroup } from "../domain/concurrency.ts";
import { resolveParams } from "../domain/params.ts";
import type { PipelineDefinition } from "../domain/pipeline-definition.ts";
import { TOPICS } from "../events/bus.ts";
import { buildCreated, operationEvent } from "../events/payloads.ts";
import { jobsOf } from "../services/jobs-of.ts";
import type { BuildRef, BuildRow, NewBuild } from "../store/builds-repo.ts";
import type { OperationRow } from "../store/operations-repo.ts";
import type { PipelineRow } from "../store/projects-repo.ts";
import type { Store } from "../store/store.ts";
import { acceptCancel } from "./accept-cancel.ts";

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
  idempotency?: { key: string; requestHash: string };
};

type Plan = { source: BuildRow; build: NewBuild; definition: PipelineDefinition; pipeline: PipelineRow };
type Outcome = { buildId: number; outcome: "created" | "skipped"; note: string };

export async function acceptRerun(ctx: EngineContext, tx: Store, input: AcceptRerunInput): Promise<OperationRow> {
  const repeat = input.idempotency
    ? await tx.operations.findByIdempotencyKey({ requestedBy: input.actor, key: input.idempotency.key })
    : undefined;
  if (repeat) return repeat;
  const now = ctx.now();
  const operationId = crypto.randomUUID();
  const sources = await tx.builds.findManyById({ ids: input.buildIds });
  const { plans, skipped } = planBuilds(input, sources, now);

  // Concurrency: every group the new builds join is locked, with its active builds, at once.
  const groups = [...new Set(plans.flatMap((p) => (p.build.concurrency_group ? [p.build.concurrency_group] : [])))];
  await tx.lockKeys(groups.map((g) => `group:${input.projectId}:${g}`));
  const active = await tx.builds.lockActiveInGroups({ projectId: input.projectId, groups });
  const { admitted, refused } = admit(plans, active);
  skipped.push(...refused);

  // Numbers per pipeline, then the builds, their jobs and steps, and their events: batched.
  for (const [pipelineId, group] of groupBy(admitted, (p) => p.pipeline.id)) {
    const first = await tx.projects.allocateBuildNumber({ pipelineId, count: group.length });
    group.forEach((p, i) => {
      p.build.number = first + i;
    });
  }
  const inserted = await tx.builds.insertMany({ builds: admitted.map((p) => p.build) });
  await tx.jobs.insertForBuilds({
    builds: inserted.map((row, i) => ({ buildId: row.id, jobs: jobsOf((admitted[i] as Plan).definition) })),
  });
  await tx.events.append({
    events: inserted.map((row, i) =>
      buildCreated(
        { ...row, project_id: input.projectId, branch: (admitted[i] as Plan).build.branch, status: "QUEUED" },
        input.actor,
      ),
    ),
    now,
  });
  await supersede(ctx, tx, input, admitted, inserted, active);

  const created: Outcome[] = inserted.map((row, i) => ({
    buildId: (admitted[i] as Plan).source.id,
    outcome: "created",
    note: `#${row.number}`,
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
    total: input.buildIds.length,
    counts: JSON.stringify({ created: created.length, skipped: skipped.length }),
    pending: 0,
    idempotency_key: input.idempotency?.key ?? null,
    request_hash: input.idempotency?.requestHash ?? null,
    created_at: now,
    completed_at: now,
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
    ctx.metrics.buildsTriggered(input.source, inserted.length);
  });
  return (await tx.operations.find({ id: operationId })) as OperationRow;
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
    const policy = definition.concurrency;
    const group = policy
      ? resolveGroup(policy.group, {
          branch: source.branch,
          commit: source.commit_sha,
          pipeline: pipeline.name,
          params,
        })
      : null;
    plans.push({
      source,
      pipeline,
      definition,
      build: {
        project_id: input.projectId,
        pipeline_id: pipeline.id,
        number: 0,
        branch: source.branch,
        commit_sha: source.commit_sha,
        params: JSON.stringify(params),
        triggered_by: input.actor,
        concurrency_group: group,
        grace_seconds: definition.cancelGraceSeconds,
        queue_deadline: policy && !policy.cancelInProgress ? now + policy.queueTimeoutMinutes * 60_000 : null,
        created_at: now,
      },
    });
  }
  return { plans, skipped };
}

/**
 * The queue policy, as if the new builds were triggered one after another: a group with
 * `queueLength: 0` refuses a build while it is busy (skipped, `concurrency_group_busy`); the others
 * queue (evictions happen in `supersede`).
 */
function admit(plans: Plan[], active: readonly (BuildRef & { concurrency_group: string | null })[]) {
  const busy = new Set(active.map((b) => b.concurrency_group));
  const admitted: Plan[] = [];
  const refused: Outcome[] = [];
  for (const plan of plans) {
    const group = plan.build.concurrency_group;
    const policy = plan.definition.concurrency;
    if (group !== null && policy && !policy.cancelInProgress && policy.queueLength === 0 && busy.has(group)) {
      refused.push({ buildId: plan.source.id, outcome: "skipped", note: "concurrency_group_busy" });
      continue;
    }
    if (group !== null) busy.add(group);
    admitted.push(plan);
  }
  return { admitted, refused };
}

/**
 * What the concurrency policy cancels, per pipeline through the bulk primitive (source
 * `concurrency`): in a `cancelInProgress` group every build older than the group's newest new
 * one; in a queued group the oldest waiting builds beyond `queueLength`.
 */
async function supersede(
  ctx: EngineContext,
  tx: Store,
  input: AcceptRerunInput,
  admitted: Plan[],
  inserted: { id: number; number: number; pipeline_id: number }[],
  active: readonly (BuildRef & { concurrency_group: string | null })[],
): Promise<void> {
  const members = new Map<string, BuildRef[]>();
  for (const b of active)
    if (b.concurrency_group) members.set(b.concurrency_group, [...(members.get(b.concurrency_group) ?? []), b]);
  const cancels: { ref: BuildRef; reason: string }[] = [];
  const byGroup = groupBy(
    admitted.map((p, i) => ({ plan: p, row: inserted[i] as (typeof inserted)[number] })),
    (x) => x.plan.build.concurrency_group ?? "",
  );
  for (const [group, news] of byGroup) {
    if (group === "") continue;
    const policy = news[0]?.plan.definition.concurrency;
    if (!policy) continue;
    const newRefs: BuildRef[] = news.map(({ plan, row }) => ({
      id: row.id,
      project_id: input.projectId,
      pipeline_id: row.pipeline_id,
      number: row.number,
      branch: plan.build.branch,
      status: "QUEUED",
    }));
    if (policy.cancelInProgress) {
      const newest = newRefs[newRefs.length - 1] as BuildRef;
      for (const b of [...(members.get(group) ?? []), ...newRefs]) {
        if (b.id !== newest.id && b.status !== "CANCELING")
          cancels.push({ ref: b, reason: `superseded by #${newest.number}` });
      }
      continue;
    }
    // As if the new builds were triggered one after another into the group's queue.
    const existing = members.get(group) ?? [];
    const queue = existing.filter((b) => b.status === "QUEUED");
    let busy = existing.length > 0;
    for (const ref of newRefs) {
      const decision = queueDecision({ queueLength: policy.queueLength, waiting: queue.length, busy });
      if (decision.kind === "enqueue") {
        for (const b of queue.splice(0, decision.evictOldest)) cancels.push({ ref: b, reason: "queue_full" });
      }
      queue.push(ref);
      busy = true;
    }
  }
  for (const [key, group] of groupBy(cancels, (c) => `${c.ref.pipeline_id}|${c.reason}`)) {
    const pipelineId = Number(key.split("|")[0]);
    await acceptCancel(ctx, tx, {
      projectId: input.projectId,
      pipelineId,
      limited: false,
      actor: input.actor,
      source: "concurrency",
      reason: group[0]?.reason ?? null,
      targets: { kind: "refs", refs: group.map((c) => c.ref) },
      atomic: false,
      force: false,
    });
  }
}
