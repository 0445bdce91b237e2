/**
 * What a stored delivery does, in one transaction with its row's outcome (a crash before the
 * commit leaves it pending, and the durable task runs it again): a push triggers the pipelines that
 * follow the branch, superseding through their concurrency group; a deleted branch or a closed
 * pull request cancels its active builds; an opened or updated pull request triggers the pipelines
 * that follow pull requests. Every build and cancel goes through the existing primitives
 * (`createBuilds`, `acceptCancel`), source `repository`, one operation per delivery.
 */
import type { HookEffects } from "../../../common/contract/repositories.ts";
import type { BuildStatus } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import { branchMatches } from "../../domain/branch-filter.ts";
import { isProtectedBranch } from "../../domain/bulk-selection.ts";
import type { HookEvent } from "../../domain/hooks/providers.ts";
import { resolveParams } from "../../domain/params.ts";
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { BuildMatch } from "../../store/builds-repo.ts";
import type { PipelineRow } from "../../store/projects-repo.ts";
import type { HookDeliveryRow, RepositoryRow } from "../../store/repositories-repo.ts";
import type { Store } from "../../store/store.ts";
import { type BuildOrigin, type BuildPlan, createBuilds, planBuild } from "../builds/create-builds.ts";
import { acceptCancel } from "../cancel/accept.ts";
import { protectedBranchesOf } from "../catalog/project-settings.ts";

/** The durable task that processes a stored delivery (its ref is the delivery's id). */
export const HOOK_TASK = "process-hook-delivery";

/** `[skip ci]` and the spellings GitHub and GitLab accept, in the head commit's message. */
const SKIP_CI = /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i;
const CANCELABLE: BuildStatus[] = ["QUEUED", "RUNNING"];

type Outcome = { status: HookDeliveryRow["status"]; reason: string | null; effects: HookEffects };

/** Runs a delivery's effects once; true when the task is done. */
export async function processHookDelivery(ctx: EngineContext, ref: string): Promise<boolean> {
  const id = Number(ref);
  if (!Number.isSafeInteger(id)) return true;
  const triggered = await ctx.store.transaction(async (tx) => {
    const delivery = await tx.repositories.lockDelivery({ id });
    if (delivery?.status !== "pending") return 0;
    const repository = await tx.repositories.findById({ id: delivery.repository_id });
    if (!repository) return 0;
    const outcome = await actOn(ctx, tx, repository, JSON.parse(delivery.payload) as HookEvent);
    await tx.repositories.finishDelivery({ id, ...outcome, now: ctx.now() });
    if (outcome.effects.created.length > 0) tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
    return outcome.effects.created.length;
  });
  if (triggered > 0) ctx.metrics.buildsTriggered("repository", triggered);
  return true;
}

async function actOn(ctx: EngineContext, tx: Store, repository: RepositoryRow, event: HookEvent): Promise<Outcome> {
  const actor = event.sender || `repository:${repository.name}`;
  switch (event.kind) {
    case "push": {
      if (SKIP_CI.test(event.message)) return ignored("[skip ci] in the head commit's message");
      const wanted = (await followers(tx, repository)).filter(
        ({ definition }) =>
          definition.on?.push &&
          branchMatches(event.branch, {
            branches: definition.on.push.branches,
            ignore: definition.on.push.branchesIgnore,
          }),
      );
      if (wanted.length === 0) return ignored(`no pipeline follows pushes to ${event.branch}`);
      return trigger(ctx, tx, repository, wanted, {
        branch: event.branch,
        commit: event.commit,
        actor,
        origin: {
          repositoryId: repository.id,
          kind: "push",
          pullRequest: null,
          message: event.message,
          author: event.author || null,
        },
        supersedeReason: `superseded by a push to ${event.branch} (${event.commit.slice(0, 7)})`,
      });
    }
    case "pull_request": {
      if (event.action === "closed") {
        return cancel(ctx, tx, {
          projectId: repository.project_id,
          actor,
          match: {
            projectId: repository.project_id,
            statuses: CANCELABLE,
            pullRequest: { repositoryId: repository.id, number: event.number },
          },
          reason: `pull request #${event.number} was ${event.merged ? "merged" : "closed"}`,
          none: `no active builds of pull request #${event.number}`,
        });
      }
      if (SKIP_CI.test(event.message)) return ignored("[skip ci] in the pull request's title");
      const wanted = (await followers(tx, repository)).filter(
        ({ definition }) =>
          definition.on?.pullRequest &&
          branchMatches(event.baseBranch, {
            branches: definition.on.pullRequest.branches,
            ignore: definition.on.pullRequest.branchesIgnore,
          }),
      );
      if (wanted.length === 0) return ignored(`no pipeline follows pull requests into ${event.baseBranch}`);
      return trigger(ctx, tx, repository, wanted, {
        branch: event.headBranch,
        commit: event.commit,
        actor,
        origin: {
          repositoryId: repository.id,
          kind: "pull_request",
          pullRequest: event.number,
          message: event.message,
          author: event.author || null,
        },
        supersedeReason: `superseded by an update of pull request #${event.number}`,
      });
    }
    case "branch_deleted":
      return cancel(ctx, tx, {
        projectId: repository.project_id,
        actor,
        match: { projectId: repository.project_id, statuses: CANCELABLE, branch: event.branch },
        reason: `branch ${event.branch} was deleted`,
        none: `no active builds on ${event.branch}`,
      });
    case "ping":
      return ignored("ping");
    case "other":
      return ignored(event.why);
    default: {
      const never: never = event;
      throw new Error(`unknown hook event ${JSON.stringify(never)}`);
    }
  }
}

function ignored(reason: string): Outcome {
  return { status: "ignored", reason, effects: { created: [], operationId: null, canceled: 0 } };
}

type Follower = { pipeline: PipelineRow; definition: PipelineDefinition };

/** The project's pipelines that follow this repository (`repository: NAME`). */
async function followers(tx: Store, repository: RepositoryRow): Promise<Follower[]> {
  const pipelines = await tx.projects.listPipelines({ projectId: repository.project_id });
  return pipelines
    .map((pipeline) => ({ pipeline, definition: JSON.parse(pipeline.definition) as PipelineDefinition }))
    .filter(({ definition }) => definition.repository === repository.name && definition.on !== undefined);
}

/** One build per pipeline for the commit; what they supersede is one operation. */
async function trigger(
  ctx: EngineContext,
  tx: Store,
  repository: RepositoryRow,
  wanted: readonly Follower[],
  opts: { branch: string; commit: string; actor: string; origin: BuildOrigin; supersedeReason: string },
): Promise<Outcome> {
  const now = ctx.now();
  const plans: BuildPlan[] = [];
  const problems: string[] = [];
  for (const { pipeline, definition } of wanted) {
    try {
      const params = resolveParams(definition.params ?? {}, {});
      plans.push(
        planBuild({
          pipeline,
          definition,
          branch: opts.branch,
          commit: opts.commit,
          params,
          actor: opts.actor,
          now,
          origin: opts.origin,
        }),
      );
    } catch (err) {
      problems.push(`${pipeline.name}: ${(err as Error).message}`);
    }
  }
  const { created, refused, cancels } = await createBuilds(ctx, tx, {
    projectId: repository.project_id,
    actor: opts.actor,
    plans,
    supersede: { source: "repository", reason: opts.supersedeReason },
  });
  const names = new Map(wanted.map((w) => [w.pipeline.id, w.pipeline.name]));
  for (const plan of refused) problems.push(`${names.get(plan.build.pipeline_id)}: its concurrency group is busy`);
  const effects: HookEffects = {
    created: created.map((c) => ({
      buildId: c.id,
      pipeline: names.get(c.plan.build.pipeline_id) ?? "",
      number: c.number,
    })),
    operationId: cancels[0]?.id ?? null,
    canceled: cancels.reduce((n, op) => n + op.total, 0),
  };
  if (created.length === 0)
    return { status: "ignored", reason: problems.join("; ") || "no build was created", effects };
  return { status: "processed", reason: problems.length > 0 ? problems.join("; ") : null, effects };
}

/** The matching active builds, canceled as one operation (protected jobs left running). */
async function cancel(
  ctx: EngineContext,
  tx: Store,
  opts: { projectId: number; actor: string; match: BuildMatch; reason: string; none: string },
): Promise<Outcome> {
  const matching = await tx.builds.lockMatching(opts.match);
  // An automatic cancel never reaches a branch the project protects.
  const project = await tx.projects.findProjectById({ id: opts.projectId });
  const patterns = project ? protectedBranchesOf(project) : [];
  const targets = matching.filter((b) => !isProtectedBranch(b.branch, patterns));
  if (targets.length === 0) {
    const reason = matching.length > 0 ? `${opts.none}: the rest are on protected branches` : opts.none;
    return { status: "processed", reason, effects: { created: [], operationId: null, canceled: 0 } };
  }
  const pipelines = new Set(targets.map((t) => t.pipeline_id));
  const operation = await acceptCancel(ctx, tx, {
    projectId: opts.projectId,
    pipelineId: pipelines.size === 1 ? (targets[0]?.pipeline_id ?? null) : null,
    limited: false,
    actor: opts.actor,
    source: "repository",
    reason: opts.reason,
    targets: { kind: "refs", refs: targets },
    atomic: false,
    force: false,
  });
  return {
    status: "processed",
    reason: null,
    effects: { created: [], operationId: operation.id, canceled: operation.total },
  };
}
