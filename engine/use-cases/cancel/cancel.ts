/**
 * The cancel endpoints' use-cases: preview a bulk cancel, accept one (pipeline- or project-wide),
 * and a single cancel as a batch of one. Each reads as steps: resolve the scope → check the
 * request → name the targets → accept in one transaction.
 */
import type {
  BatchCancelRequest,
  BatchPreview,
  BatchPreviewRequest,
  CancelRequest,
  Operation,
} from "../../../common/dto.ts";
import { NotFoundError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import type { PipelineDefinition } from "../../domain/pipeline-definition.ts";
import type { PipelineRow } from "../../store/projects-repo.ts";
import { type Actor, authorize } from "../identity/identity.ts";
import { acceptOnce, idempotency, type OperationCaller } from "../operations/accept-once.ts";
import { checkBulkCancelRole, checkConfirmCount } from "../operations/guardrails.ts";
import { preview, recordOf, resolveScope, type ScopeNames, selectFor, selectionOf } from "../operations/selection.ts";
import { type AcceptCancelInput, acceptCancel } from "./accept.ts";

const ACTIVE = ["QUEUED", "RUNNING"] as const;

export async function previewCancel(
  ctx: EngineContext,
  actor: Actor,
  names: ScopeNames,
  request: BatchPreviewRequest,
): Promise<BatchPreview> {
  const scope = await resolveScope(ctx, actor, names, "cancel");
  await checkBulkCancelRole(ctx, actor, scope.project);
  return preview(ctx, actor, names, request, { action: "cancel", statuses: ACTIVE });
}

export async function batchCancel(
  ctx: EngineContext,
  caller: OperationCaller,
  names: ScopeNames,
  request: BatchCancelRequest,
): Promise<Operation> {
  const { scope, snapshot, selected } = await selectFor(ctx, caller.actor, names, "cancel", request);
  await checkBulkCancelRole(ctx, caller.actor, scope.project);
  // The number to type is the preview's: a request sent without one (a machine's) is not asked.
  checkConfirmCount(snapshot?.confirm, request.confirmCount);
  return accept(ctx, {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    selection: recordOf(request, snapshot),
    // A forced cancel stops what is already stopping: never held back by the limit.
    limited: !request.force,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets: selected,
    atomic: request.atomic,
    force: request.force,
    mayProtect: [...scope.pipelines.values()].some(hasProtectedJob),
    ...idempotency(caller, "batch-cancel", {
      scope: names,
      ...selectionOf(request),
      reason: request.reason,
      snapshot: request.snapshot,
      atomic: request.atomic,
      force: request.force,
    }),
  });
}

/** A single cancel: a batch of one, never refused by the running-operations limit. */
export async function cancelBuild(
  ctx: EngineContext,
  caller: OperationCaller,
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
    limited: false,
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    targets: { kind: "ids", buildIds: [buildId] },
    atomic: true,
    force: request.force,
    ...idempotency(caller, "cancel-build", { build: buildId, ...request }),
  });
}

/** Whether a pipeline's definition has a job with `interruptible: false`. */
function hasProtectedJob(pipeline: PipelineRow): boolean {
  const definition = JSON.parse(pipeline.definition) as PipelineDefinition;
  return definition.stages.some((stage) => stage.jobs.some((job) => job.interruptible === false));
}

function accept(ctx: EngineContext, input: AcceptCancelInput): Promise<Operation> {
  return acceptOnce(ctx, input, (tx) => acceptCancel(ctx, tx, input));
}
