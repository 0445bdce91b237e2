/** `GET /v1/events`: the event stream, filtered to what the caller may read. */
import { Router } from "express";
import { EventsQuery } from "../../../common/contract/events.ts";
import { NotFoundError } from "../../../common/errors.ts";
import { resumeId } from "../../../common/sse.ts";
import { StreamSlots } from "../../../common/stream-slots.ts";
import type { EngineContext } from "../../context.ts";
import { streamEvents } from "../../events/stream.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { EventFilter } from "../../store/events-repo.ts";
import { resolvePipeline, resolveProject } from "../../use-cases/catalog/catalog.ts";
import { type Actor, authenticateToken, readableProjectIds } from "../../use-cases/identity/identity.ts";
import { findOperation } from "../../use-cases/operations/read.ts";
import { actorOf, parse } from "../http.ts";

type StreamScope = { project: string | undefined; pipeline: string | undefined; operation: string | undefined };
type ReadableScope = Pick<EventFilter, "projectIds" | "pipelineId" | "operationId">;

/** What a stream of `scope` may carry for `actor`; throws (404) when they may not read it. */
async function readableScope(ctx: EngineContext, actor: Actor, scope: StreamScope): Promise<ReadableScope> {
  const readable: ReadableScope = {};
  if (scope.pipeline !== undefined) {
    if (scope.project === undefined) throw new NotFoundError("pipeline needs project", undefined, "project_not_found");
    const resolved = await resolvePipeline(ctx, actor, { project: scope.project, pipeline: scope.pipeline }, "read");
    readable.projectIds = [resolved.project.id];
    readable.pipelineId = resolved.pipeline.id;
  } else if (scope.project !== undefined) {
    readable.projectIds = [(await resolveProject(ctx, actor, scope.project, "read")).id];
  } else {
    const ids = await readableProjectIds(ctx, actor);
    if (ids) readable.projectIds = ids;
  }
  if (scope.operation !== undefined) readable.operationId = (await findOperation(ctx, actor, scope.operation)).id;
  return readable;
}

/**
 * Whether the stream may go on: its token still works for the same user, and every project the
 * stream carries is still readable (a project that became readable since is not added).
 */
async function stillReadable(
  ctx: EngineContext,
  token: string,
  actor: Actor,
  scope: StreamScope,
  granted: ReadableScope,
): Promise<boolean> {
  try {
    const now = await authenticateToken(ctx, token);
    if (now.userId !== actor.userId || now.tokenKind !== actor.tokenKind) return false;
    const readable = await readableScope(ctx, now, scope);
    if (readable.projectIds === undefined) return true;
    if (granted.projectIds === undefined) return false;
    const ids = new Set(readable.projectIds);
    return granted.projectIds.every((id) => ids.has(id));
  } catch {
    return false;
  }
}

export function eventRoutes(ctx: EngineContext, options?: { heartbeatMs: number }): Router {
  const r = Router();
  const slots = new StreamSlots(ctx.settings.maxStreamsPerUser);

  r.get("/events", async (req, res) => {
    const actor = actorOf(res);
    const query = parse(EventsQuery, req.query);
    const scope: StreamScope = { project: query.project, pipeline: query.pipeline, operation: query.operation };
    const types = query.types?.split(",");
    // Permission is checked before the stream starts, and again whenever the caller's identity changes.
    const readable = await readableScope(ctx, actor, scope);
    const filter: EventFilter = { ...readable, ...(types ? { types } : {}) };
    const after = resumeId(req);
    const token = res.locals.token as string;
    const release = slots.take(String(actor.userId));
    res.once("close", release);
    await streamEvents(ctx, res, filter, after, {
      heartbeatMs: options?.heartbeatMs ?? 15_000,
      batch: 1000,
      access: {
        changed: TOPICS.identity(actor.userId),
        expiresAt: actor.expiresAt,
        stillAuthorized: () => stillReadable(ctx, token, actor, scope, readable),
      },
    });
  });

  return r;
}
