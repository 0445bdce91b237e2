/** Reading operations, their items and the audit log. */

import { ITEM_OUTCOMES, type ItemOutcome } from "../../../common/constants.ts";
import type { AuditEntry, AuditQuery, Operation, OperationItem, OperationsQuery, Page } from "../../../common/dto.ts";
import { InputError, NotFoundError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { countsOf, parseCounts } from "../../domain/operation-counts.ts";
import type { OperationPosition, OperationRow } from "../../store/operations-repo.ts";
import { resolveProject } from "../catalog/catalog.ts";
import { type Actor, authorize } from "../identity/identity.ts";
import { iso, toOperation, toOperationItem } from "../mappers.ts";

export async function findOperation(ctx: EngineContext, actor: Actor, id: string): Promise<OperationRow> {
  const op = await ctx.store.operations.find({ id });
  const project = op ? await ctx.store.projects.findProjectById({ id: op.project_id }) : undefined;
  if (!op || !project) throw new NotFoundError(`Operation ${id} not found`, undefined, "operation_not_found");
  await authorize(ctx, actor, project, "read");
  return op;
}

export async function getOperation(ctx: EngineContext, actor: Actor, id: string): Promise<Operation> {
  const op = toOperation(await findOperation(ctx, actor, id));
  if (op.status === "completed") return { ...op, stuck: 0 };
  return { ...op, stuck: (await ctx.store.operations.stuck({ id, now: ctx.now() })).size };
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
  const stuck = await ctx.store.operations.stuck({
    id,
    now: ctx.now(),
    buildIds: page.filter((r) => r.status === "CANCELING").map((r) => r.build_id),
  });
  return {
    items: page.map((row) => {
      const item = toOperationItem(row);
      const s = stuck.get(row.build_id);
      return s
        ? { ...item, stuck: { agent: s.agent, lastContactAt: iso(s.lastContact), forceFinalizeAt: iso(s.deadline) } }
        : item;
    }),
    nextCursor: rows.length > query.limit && last ? String(last.build_id) : null,
  };
}

/**
 * A project's operations, newest first, filtered; the cursor is where the last page ended (its
 * time and id), so operations started meanwhile never shift or repeat a page.
 */
export async function listOperations(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  query: OperationsQuery,
): Promise<Page<Operation>> {
  const project = await resolveProject(ctx, actor, projectName, "read");
  const pipeline = query.pipeline
    ? await ctx.store.projects.findPipeline({ projectId: project.id, name: query.pipeline })
    : undefined;
  if (query.pipeline && !pipeline)
    throw new NotFoundError(`Pipeline "${query.pipeline}" not found`, undefined, "pipeline_not_found");
  const requestedBy = query.mine ? actor.username : query.requestedBy;
  const rows = await ctx.store.operations.list({
    projectId: project.id,
    ...(pipeline ? { pipelineId: pipeline.id } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.source ? { sources: query.source } : {}),
    ...(requestedBy !== undefined ? { requestedBy } : {}),
    ...(query.cursor !== undefined ? { after: decodeOperationCursor(query.cursor) } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toOperation),
    nextCursor: rows.length > query.limit && last ? encodeOperationCursor(last) : null,
  };
}

function encodeOperationCursor(row: OperationRow): string {
  return Buffer.from(`${Number(row.created_at)}.${row.id}`, "utf8").toString("base64url");
}

function decodeOperationCursor(cursor: string): OperationPosition {
  const match = /^(\d{1,16})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  const createdAt = Number(match?.[1]);
  if (!match?.[2] || !Number.isSafeInteger(createdAt))
    throw new InputError("cursor is not valid", undefined, "invalid_cursor");
  return { createdAt, id: match[2] };
}

/** Who did what in a project, newest first: maintainers and admins only. */
export async function listAudit(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  query: AuditQuery,
): Promise<Page<AuditEntry>> {
  const project = await resolveProject(ctx, actor, projectName, "audit");
  const before = query.cursor === undefined ? undefined : Number(query.cursor);
  if (before !== undefined && !Number.isSafeInteger(before))
    throw new InputError("cursor is not valid", undefined, "invalid_cursor");
  const rows = await ctx.store.operations.listAudit({
    projectId: project.id,
    ...(query.actor !== undefined ? { actor: query.actor } : {}),
    ...(query.action !== undefined ? { action: query.action } : {}),
    ...(query.source !== undefined ? { sources: query.source } : {}),
    ...(before !== undefined ? { beforeId: before } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const single = await ctx.store.operations.onlyBuilds({
    operationIds: page.filter((r) => r.targets === 1).map((r) => r.operation_id),
  });
  const buildOf = new Map(single.map((b) => [b.operation_id, { id: Number(b.id), number: b.number }]));
  return {
    items: page.map((r) => ({
      id: r.id,
      project: r.project_name,
      pipeline: r.pipeline_name,
      action: r.action as AuditEntry["action"],
      actor: r.actor,
      source: r.source as AuditEntry["source"],
      reason: r.reason,
      operationId: r.operation_id,
      targets: r.targets,
      forced: Number(r.force) === 1,
      build: buildOf.get(r.operation_id) ?? null,
      outcome: { status: r.operation_status, ...countsOf(parseCounts(r.counts), r.pending) },
      createdAt: iso(r.created_at) as string,
    })),
    nextCursor: rows.length > query.limit && last ? String(last.id) : null,
  };
}
