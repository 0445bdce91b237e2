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
import type { EngineContext } from "../../context.ts";
import { queueDecision, resolveGroup } from "../../domain/concurrency.ts";
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import type { BuildRef, NewBuild } from "../../store/builds-repo.ts";
import type { PipelineRow } from "../../store/projects-repo.ts";
import type { Store } from "../../store/store.ts";
import { acceptCancel } from "../cancel/accept.ts";
import { buildCreated } from "../event-payloads.ts";
import { jobsOf } from "./jobs-of.ts";

/** A build to create: what it runs (the pipeline's definition now) and on what. */
export type BuildPlan = { build: NewBuild; definition: PipelineDefinition };

export type CreatedBuild = { plan: BuildPlan; id: number; number: number };

type ActiveMember = BuildRef & { concurrency_group: string | null };

/** The new build's row: its concurrency group resolved from its branch, commit and parameters. */
export function planBuild(opts: {
  pipeline: PipelineRow;
  definition: PipelineDefinition;
  branch: string;
  commit: string;
  params: Record<string, string>;
  actor: string;
  now: number;
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
    },
  };
}

/** Creates the admitted builds (in the order given) and says which the policy refused. */
export async function createBuilds(
  ctx: EngineContext,
  tx: Store,
  opts: { projectId: number; actor: string; plans: readonly BuildPlan[] },
): Promise<{ created: CreatedBuild[]; refused: BuildPlan[] }> {
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
  await supersede(ctx, tx, opts, created, active);
  return { created, refused };
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
  opts: { projectId: number; actor: string },
  created: readonly CreatedBuild[],
  active: readonly ActiveMember[],
): Promise<void> {
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
        for (const b of queue.splice(0, decision.evictOldest)) cancels.push({ ref: b, reason: "queue_full" });
      }
      queue.push(ref);
      busy = true;
    }
  }
  for (const [key, group] of groupBy(cancels, (c) => `${c.ref.pipeline_id}|${c.reason}`)) {
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
    });
  }
}
