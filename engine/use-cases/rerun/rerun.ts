/**
 * The re-run endpoints' use-cases: preview a bulk re-run, and accept one (pipeline- or
 * project-wide): resolve the scope → check the request → name the builds → create the new ones in
 * one transaction. Re-running needs the right to trigger.
 */
import type { BatchPreview, BatchRerunPreviewRequest, BatchRerunRequest, Operation } from "../../../common/dto.ts";
import { BUILD_STATUSES } from "../../../common/statuses.ts";
import type { EngineContext } from "../../context.ts";
import type { Actor } from "../identity/identity.ts";
import { acceptOnce, idempotency, type OperationCaller } from "../operations/accept-once.ts";
import { preview, recordOf, type ScopeNames, type Selected, selectFor, selectionOf } from "../operations/selection.ts";
import { type AcceptRerunInput, acceptRerun } from "./accept.ts";

export async function previewRerun(
  ctx: EngineContext,
  actor: Actor,
  names: ScopeNames,
  request: BatchRerunPreviewRequest,
): Promise<BatchPreview> {
  return preview(ctx, actor, names, request, { action: "trigger", statuses: BUILD_STATUSES });
}

export async function batchRerun(
  ctx: EngineContext,
  caller: OperationCaller,
  names: ScopeNames,
  request: BatchRerunRequest,
): Promise<Operation> {
  const { scope, snapshot, selected } = await selectFor(ctx, caller.actor, names, "trigger", request);
  const input: AcceptRerunInput = {
    projectId: scope.project.id,
    pipelineId: scope.pipeline?.id ?? null,
    selection: recordOf(request, snapshot),
    actor: caller.actor.username,
    source: caller.source,
    reason: request.reason ?? null,
    buildIds: await buildIdsOf(ctx, selected),
    rerunOf: request.fromOperation,
    pipelines: scope.pipelines,
    limited: true,
    ...idempotency(caller, "batch-rerun", {
      scope: names,
      ...selectionOf(request),
      reason: request.reason,
      snapshot: request.snapshot,
    }),
  };
  return acceptOnce(ctx, input, (tx) => acceptRerun(ctx, tx, input));
}

/** The builds to run again: a filter is frozen now (bound by the preview's snapshot, if any). */
async function buildIdsOf(ctx: EngineContext, selected: Selected): Promise<number[]> {
  if (selected.kind === "ids") return selected.buildIds;
  return (await ctx.store.builds.lockMatching(selected.match)).map((b) => b.id);
}
