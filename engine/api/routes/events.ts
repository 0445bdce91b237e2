/** `GET /v1/events`: the event stream, filtered to what the caller may read. */
import { Router } from "express";
import { NotFoundError } from "../../../common/errors.ts";
import { StreamSlots } from "../../../common/stream-slots.ts";
import type { EngineContext } from "../../context.ts";
import { lastEventId, streamEvents } from "../../events/sse.ts";
import { findOperation } from "../../ops/operations.ts";
import { resolvePipeline, resolveProject } from "../../services/catalog.ts";
import { authenticateToken, readableProjectIds } from "../../services/identity.ts";
import type { EventFilter } from "../../store/events-repo.ts";
import { actorOf, queryText } from "../http.ts";

export function eventRoutes(ctx: EngineContext, options?: { heartbeatMs: number }): Router {
  const r = Router();
  const slots = new StreamSlots(ctx.settings.maxStreamsPerUser);

  r.get("/events", async (req, res) => {
    const actor = actorOf(res);
    const project = queryText(req.query.project, "project");
    const pipeline = queryText(req.query.pipeline, "pipeline");
    const operation = queryText(req.query.operation, "operation");
    const types = queryText(req.query.types, "types")?.split(",");
    // Permission is checked before the stream starts.
    const filter: EventFilter = types ? { types } : {};
    if (pipeline !== undefined) {
      if (project === undefined) throw new NotFoundError("pipeline needs project", undefined, "project_not_found");
      const resolved = await resolvePipeline(ctx, actor, { project, pipeline }, "read");
      filter.projectIds = [resolved.project.id];
      filter.pipelineId = resolved.pipeline.id;
    } else if (project !== undefined) {
      filter.projectIds = [(await resolveProject(ctx, actor, project, "read")).id];
    } else {
      const readable = await readableProjectIds(ctx, actor);
      if (readable) filter.projectIds = readable;
    }
    if (operation !== undefined) {
      const op = await findOperation(ctx, actor, operation);
      filter.operationId = op.id;
    }
    const after = lastEventId(req);
    const token = res.locals.token as string;
    const release = slots.take(String(actor.userId));
    res.once("close", release);
    await streamEvents(ctx, res, filter, after, {
      heartbeatMs: options?.heartbeatMs ?? 15_000,
      batch: 1000,
      // A revoked or expired token ends the stream at the next heartbeat.
      stillAuthorized: () =>
        authenticateToken(ctx, token).then(
          () => true,
          () => false,
        ),
    });
  });

  return r;
}
