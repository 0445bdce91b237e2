/** The cancel endpoints' services: a batch cancel, and a single cancel as a batch of one. */
import crypto from "node:crypto";
import type { OperationSource } from "../../common/constants.ts";
import type { BatchCancelRequest, CancelRequest, Operation } from "../../common/dto.ts";
import { InputError, NotFoundError } from "../../common/errors.ts";
import type { EngineContext } from "../context.ts";
import { resolvePipeline } from "../services/catalog.ts";
import { type Actor, authorize } from "../services/identity.ts";
import { toOperation } from "../services/mappers.ts";
import { type AcceptCancelInput, acceptCancel } from "./accept-cancel.ts";

export type CancelCaller = { actor: Actor; source: OperationSource; idempotencyKey?: string | undefined };

export async function batchCancel(
  ctx: EngineContext,
  caller: CancelCaller,
  names: { project: string; pipeline: string },
  request: BatchCancelRequest,
): Promise<Operation> {
  const buildIds = request.buildIds ? [...new Set(request.buildIds)] : undefined;
  if (buildIds && buildIds.length > ctx.settings.batchCancelMaxIds) {
    throw new InputError(
      `At most ${ctx.settings.batchCancelMaxIds} build ids per request; got ${buildIds.length}`,
      { limit: ctx.settings.batchCancelMaxIds },
      "too_many_builds",
    );
  }
  const { project, pipeline } = await resolvePipeline(ctx, caller.actor, names, "cancel");
  return accept(ctx, {
    projectId: project.id,
    pipelineId: pipeline.id,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets: buildIds ? { kind: "ids", buildIds } : { kind: "filter", filter: request.filter! },
    atomic: request.atomic,
    force: request.force,
    ...idempotency(caller, { pipeline: pipeline.id, ...request, buildIds }),
  });
}

export async function cancelBuild(
  ctx: EngineContext,
  caller: CancelCaller,
  buildId: number,
  request: CancelRequest,
): Promise<Operation> {
  const build = await ctx.store.builds.findById({ id: buildId });
  const project = build ? await ctx.store.projects.findProjectById({ id: build.project_id }) : undefined;
  if (!build || !project) throw new NotFoundError(`Build ${buildId} not found`, undefined, "build_not_found");
  await authorize(ctx, caller.actor, project, "cancel");
  return accept(ctx, {
    projectId: build.project_id,
    pipelineId: build.pipeline_id,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets: { kind: "ids", buildIds: [buildId] },
    atomic: true,
    force: request.force,
    ...idempotency(caller, { build: buildId, ...request }),
  });
}

function idempotency(caller: CancelCaller, body: unknown): Pick<AcceptCancelInput, "idempotency"> {
  if (!caller.idempotencyKey) return {};
  const requestHash = crypto.createHash("sha256").update(JSON.stringify(body)).digest("hex");
  return { idempotency: { key: caller.idempotencyKey, requestHash } };
}

async function accept(ctx: EngineContext, input: AcceptCancelInput): Promise<Operation> {
  try {
    return toOperation(await ctx.store.transaction((tx) => acceptCancel(ctx, tx, input)));
  } catch (err) {
    // Two requests with one Idempotency-Key raced; the loser returns the winner's operation.
    if (input.idempotency && isUniqueViolation(err)) {
      return toOperation(await ctx.store.transaction((tx) => acceptCancel(ctx, tx, input)));
    }
    throw err;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
