/** Reading operations, their items and the audit log. */

import { ITEM_OUTCOMES, type ItemOutcome } from "../../common/constants.ts";
import type { AuditEntry, Operation, OperationItem, Page } from "../../common/dto.ts";
import { InputError, NotFoundError } from "../../common/errors.ts";
import type { EngineContext } from "../context.ts";
import { countsOf, parseCounts } from "../domain/operation-counts.ts";
import { resolveProject } from "../services/catalog.ts";
import { type Actor, authorize } from "../services/identity.ts";
import { iso, toOperation, toOperationItem } from "../services/mappers.ts";
import type { OperationRow } from "../store/operations-repo.ts";

export async function findOperation(ctx: EngineContext, actor: Actor, id: string): Promise<OperationRow> {
  const op = await ctx.store.operations.find({ id });
  const project = op ? await ctx.store.projects.findProjectById({ id: op.project_id }) : undefined;
  if (!op || !project) throw new NotFoundError(`Operation ${id} not found`, undefined, "operation_not_found");
  await authorize(ctx, actor, project, "read");
  return op;
}

export async function getOperation(ctx: EngineContext, actor: Actor, id: string): Promise<Operation> {
  return toOperation(await findOperation(ctx, actor, id));
}

export async function listOperationItems(
  ctx: EngineContext,
  actor: Actor,
  id: string,
  query: { outcome?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<OperationItem>> {
  await findOperation(ctx, actor, id);
  if (query.outcome !== undefined && !(ITEM_OUTCOMES as readonly string[]).includes(query.outcome)) {
    throw new InputError(`outcome must be one of ${ITEM_OUTCOMES.join(", ")}`);
  }
  const after = query.cursor === undefined ? undefined : Number(query.cursor);
  if (after !== undefined && !Number.isSafeInteger(after))
    throw new InputError("cursor is not valid", undefined, "invalid_cursor");
  const rows = await ctx.store.operations.items({
    id,
    ...(query.outcome ? { outcome: query.outcome as ItemOutcome } : {}),
    ...(after !== undefined ? { afterBuildId: after } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toOperationItem),
    nextCursor: rows.length > query.limit && last ? String(last.build_id) : null,
  };
}

export async function listRunningOperations(
  ctx: EngineContext,
  actor: Actor,
  query: { project: string; pipeline?: string; mine: boolean },
): Promise<Operation[]> {
  const project = await resolveProject(ctx, actor, query.project, "read");
  const pipeline = query.pipeline
    ? await ctx.store.projects.findPipeline({ projectId: project.id, name: query.pipeline })
    : undefined;
  if (query.pipeline && !pipeline)
    throw new NotFoundError(`Pipeline "${query.pipeline}" not found`, undefined, "pipeline_not_found");
  const rows = await ctx.store.operations.listRunning({
    projectId: project.id,
    ...(query.mine ? { requestedBy: actor.username } : {}),
    ...(pipeline ? { pipelineId: pipeline.id } : {}),
  });
  return rows.map(toOperation);
}

export async function listAudit(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  query: { cursor?: string | undefined; limit: number },
): Promise<Page<AuditEntry>> {
  const project = await resolveProject(ctx, actor, projectName, "read");
  const before = query.cursor === undefined ? undefined : Number(query.cursor);
  if (before !== undefined && !Number.isSafeInteger(before))
    throw new InputError("cursor is not valid", undefined, "invalid_cursor");
  const rows = await ctx.store.operations.listAudit({
    projectId: project.id,
    ...(before !== undefined ? { beforeId: before } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      project: r.project_name,
      action: r.action as AuditEntry["action"],
      actor: r.actor,
      source: r.source as AuditEntry["source"],
      reason: r.reason,
      operationId: r.operation_id,
      targets: r.targets,
      outcome: { status: r.operation_status, ...countsOf(parseCounts(r.counts), r.pending) },
      createdAt: iso(r.created_at) as string,
    })),
    nextCursor: rows.length > query.limit && last ? String(last.id) : null,
  };
}
