/**
 * New builds through the concurrency policy — the one place for it, whether a person triggers
 * one build or a bulk re-run creates many. In one transaction, with a constant number of
 * statements: every group the new builds join is locked with its active builds; a group with
 * `queueLength: 0` refuses a build while busy; the builds, their jobs and events are inserted in
 * batches; and what the policy cancels (superseded builds of a `cancelInProgress` group, the
 * oldest waiting builds of a full queue) goes through the bulk-cancel primitive, source
 * `concurrency`.
 */
import { groupBy } from "../../../common/collections.ts";
import type { OperationSource } from "../../../common/constants.ts";
import type { EngineContext } from "../../context.ts";
import { isProtectedBranch } from "../../domain/bulk-selection.ts";
import { queueDecision, resolveGroup } from "../../domain/concurrency.ts";
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import type { BuildRef, NewBuild } from "../../store/builds-repo.ts";
import type { OperationRow } from "../../store/operations-repo.ts";
import type { PipelineRow } from "../../store/projects-repo.ts";
import type { Store } from "../../store/store.ts";
import { acceptCancel } from "../cancel/accept.ts";
import { protectedBranchesOf } from "../catalog/project-settings.ts";
import { buildCreated } from "../event-payloads.ts";
import { jobsOf } from "./jobs-of.ts";

/** A build to create: what it runs (the pipeline's definition now) and on what. */
export type BuildPlan = { build: NewBuild; definition: PipelineDefinition };

export type CreatedBuild = { plan: BuildPlan; id: number; number: number };

type ActiveMember = BuildRef & { concurrency_group: string | null };

const QUEUE_FULL = "queue_full";

/** What a build started by the repository carries: where its commit comes from, and its story. */
export type BuildOrigin = {
  repositoryId: number;
  kind: "push" | "pull_request";
  pullRequest: number | null;
  message: string | null;
  author: string | null;
};

/** The new build's row: its concurrency group resolved from its branch, commit and parameters. */
export function planBuild(opts: {
  pipeline: PipelineRow;
  definition: PipelineDefinition;
  branch: string;
  commit: string;
  params: Record<string, string>;
  actor: string;
  now: number;
  origin?: BuildOrigin | undefined;
}): BuildPlan {
  const { pipeline, definition, now } = opts;
  const policy = definition.concurrency;
  const group = policy
    ? resolveGroup(policy.group, {
        branch: opts.branch,
        commit: opts.commit,
        pipeline: pipeline.name,
        params: opts.params,
      })
    : null;
  return {
    definition,
    build: {
      project_id: pipeline.project_id,
      pipeline_id: pipeline.id,
      number: 0,
      branch: opts.branch,
      commit_sha: opts.commit,
      params: JSON.stringify(opts.params),
      triggered_by: opts.actor,
      concurrency_group: group,
      grace_seconds: definition.cancelGraceSeconds,
      queue_deadline: policy && !policy.cancelInProgress ? now + policy.queueTimeoutMinutes * 60_000 : null,
      created_at: now,
      repository_id: opts.origin?.repositoryId ?? null,
      trigger_kind: opts.origin?.kind ?? null,
      pull_request: opts.origin?.pullRequest ?? null,
      commit_message: opts.origin?.message ?? null,
      commit_author: opts.origin?.author ?? null,
    },
  };
}

export type CreateBuildsOptions = {
  projectId: number;
  actor: string;
  plans: readonly BuildPlan[];
  /**
   * Who the policy's cancels are recorded as coming from: `concurrency` (the default), or
   * `repository` for a push — then everything one call supersedes is one operation (each build
   * keeps its own reason, "superseded by #N"), with `reason` as the operation's when they differ.
   */
  supersede?: { source: "repository"; reason: string };
};

/**
 * Creates the admitted builds (in the order given) and says which the policy refused, and the
 * operations that canceled what they superseded.
 */
export async function createBuilds(
  ctx: EngineContext,
  tx: Store,
  opts: CreateBuildsOptions,
): Promise<{ created: CreatedBuild[]; refused: BuildPlan[]; cancels: OperationRow[] }> {
  const now = ctx.now();
  const groups = [
    ...new Set(opts.plans.flatMap((p) => (p.build.concurrency_group ? [p.build.concurrency_group] : []))),
  ];
  await tx.lockKeys(groups.map((g) => `group:${opts.projectId}:${g}`));
  const active = await tx.builds.lockActiveInGroups({ projectId: opts.projectId, groups });
  const { admitted, refused } = admit(opts.plans, active);

  for (const [pipelineId, group] of groupBy(admitted, (p) => p.build.pipeline_id)) {
    const first = await tx.projects.allocateBuildNumber({ pipelineId, count: group.length });
    group.forEach((p, i) => {
      p.build.number = first + i;
    });
  }
  const inserted = await tx.builds.insertMany({ builds: admitted.map((p) => p.build) });
  const created = inserted.map((row, i) => ({ plan: admitted[i] as BuildPlan, id: row.id, number: row.number }));
  await tx.jobs.insertForBuilds({ builds: created.map((c) => ({ buildId: c.id, jobs: jobsOf(c.plan.definition) })) });
  await tx.events.append({
    events: created.map((c) => buildCreated({ ...c.plan.build, id: c.id, status: "QUEUED" }, opts.actor)),
    now,
  });
  const cancels = await supersede(ctx, tx, opts, created, active);
  return { created, refused, cancels };
}

/**
 * As if the new builds came one after another: a group with `queueLength: 0` refuses a build
 * while it is busy; the others are admitted (what they evict is decided in `supersede`).
 */
function admit(plans: readonly BuildPlan[], active: readonly ActiveMember[]) {
  const busy = new Set(active.map((b) => b.concurrency_group));
  const admitted: BuildPlan[] = [];
  const refused: BuildPlan[] = [];
  for (const plan of plans) {
    const group = plan.build.concurrency_group;
    const policy = plan.definition.concurrency;
    const full =
      group !== null &&
      policy !== undefined &&
      !policy.cancelInProgress &&
      queueDecision({ queueLength: policy.queueLength, waiting: 0, busy: busy.has(group) }).kind === "reject";
    if (full) {
      refused.push(plan);
      continue;
    }
    if (group !== null) busy.add(group);
    admitted.push(plan);
  }
  return { admitted, refused };
}

/**
 * What the policy cancels, per pipeline and reason through the bulk primitive: in a
 * `cancelInProgress` group every build but the group's newest; in a queued group the oldest
 * waiting builds beyond `queueLength`.
 */
async function supersede(
  ctx: EngineContext,
  tx: Store,
  opts: CreateBuildsOptions,
  created: readonly CreatedBuild[],
  active: readonly ActiveMember[],
): Promise<OperationRow[]> {
  const members = groupBy(
    active.filter((b) => b.concurrency_group !== null),
    (b) => b.concurrency_group as string,
  );
  const cancels: { ref: BuildRef; reason: string }[] = [];
  for (const [group, news] of groupBy(created, (c) => c.plan.build.concurrency_group ?? "")) {
    const policy = news[0]?.plan.definition.concurrency;
    if (group === "" || !policy) continue;
    const newRefs: BuildRef[] = news.map((c) => ({
      id: c.id,
      project_id: opts.projectId,
      pipeline_id: c.plan.build.pipeline_id,
      number: c.number,
      branch: c.plan.build.branch,
      status: "QUEUED",
    }));
    const existing: BuildRef[] = members.get(group) ?? [];
    if (policy.cancelInProgress) {
      const newest = newRefs[newRefs.length - 1] as BuildRef;
      for (const b of [...existing, ...newRefs]) {
        if (b.id !== newest.id && b.status !== "CANCELING")
          cancels.push({ ref: b, reason: `superseded by #${newest.number}` });
      }
      continue;
    }
    const queue = existing.filter((b) => b.status === "QUEUED");
    let busy = existing.length > 0;
    for (const ref of newRefs) {
      const decision = queueDecision({ queueLength: policy.queueLength, waiting: queue.length, busy });
      if (decision.kind === "enqueue") {
        for (const b of queue.splice(0, decision.evictOldest)) cancels.push({ ref: b, reason: QUEUE_FULL });
      }
      queue.push(ref);
      busy = true;
    }
  }
  if (cancels.length === 0) return [];
  const reached = await outsideProtectedBranches(tx, opts.projectId, cancels);
  cancels.splice(0, cancels.length, ...reached);
  if (cancels.length === 0) return [];
  if (opts.supersede) return [await supersedeAsOne(ctx, tx, opts, opts.supersede, cancels)];
  const operations: OperationRow[] = [];
  for (const [key, group] of groupBy(cancels, (c) => `${c.ref.pipeline_id}|${c.reason}`)) {
    operations.push(
      await acceptCancel(ctx, tx, {
        projectId: opts.projectId,
        pipelineId: Number(key.split("|")[0]),
        limited: false,
        actor: opts.actor,
        source: "concurrency",
        reason: group[0]?.reason ?? null,
        targets: { kind: "refs", refs: group.map((c) => c.ref) },
        atomic: false,
        force: false,
      }),
    );
  }
  return operations;
}

/**
 * The superseded builds the policy may cancel: none on a branch the project protects (an
 * automatic cancel never reaches those). Evictions from a full queue are capacity, not judgement:
 * they stay.
 */
async function outsideProtectedBranches<T extends { ref: BuildRef; reason: string }>(
  tx: Store,
  projectId: number,
  cancels: readonly T[],
): Promise<T[]> {
  const project = await tx.projects.findProjectById({ id: projectId });
  const patterns = project ? protectedBranchesOf(project) : [];
  if (patterns.length === 0) return [...cancels];
  return cancels.filter((c) => c.reason === QUEUE_FULL || !isProtectedBranch(c.ref.branch, patterns));
}

/** A push's cancels as one operation: pipeline-wide when they are in one pipeline, else project-wide. */
function supersedeAsOne(
  ctx: EngineContext,
  tx: Store,
  opts: CreateBuildsOptions,
  supersede: { source: OperationSource; reason: string },
  cancels: readonly { ref: BuildRef; reason: string }[],
): Promise<OperationRow> {
  const pipelines = new Set(cancels.map((c) => c.ref.pipeline_id));
  const reasons = new Set(cancels.map((c) => c.reason));
  return acceptCancel(ctx, tx, {
    projectId: opts.projectId,
    pipelineId: pipelines.size === 1 ? (cancels[0] as { ref: BuildRef }).ref.pipeline_id : null,
    limited: false,
    actor: opts.actor,
    source: supersede.source,
    reason: reasons.size === 1 ? (cancels[0] as { reason: string }).reason : supersede.reason,
    reasons: reasons.size === 1 ? undefined : new Map(cancels.map((c) => [c.ref.id, c.reason])),
    targets: { kind: "refs", refs: cancels.map((c) => c.ref) },
    atomic: false,
    force: false,
  });
}
