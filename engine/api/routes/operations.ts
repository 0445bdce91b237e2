/** Batch cancel, operations and their items, and the audit log. */
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import {
  AuditQuery,
  BatchCancelRequest,
  BatchPreviewRequest,
  BatchRerunPreviewRequest,
  BatchRerunRequest,
  OperationsQuery,
} from "../../../common/dto.ts";
import type { EngineContext } from "../../context.ts";
import { batchCancel, type CancelCaller, previewCancel } from "../../ops/cancel-service.ts";
import { getOperation, listAudit, listOperationItems, listOperations } from "../../ops/operations.ts";
import { batchRerun, previewRerun } from "../../ops/rerun-service.ts";
import { actorOf, limitParam, parse, queryText } from "../http.ts";

const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/**
 * Who is canceling, and the repeat key. The audit source follows from the token, never from
 * what the client says: a session (a person who signed in, as through the page) is `user`, any
 * other token `api`; only the engine's own policy is `concurrency`.
 */
export function cancelCaller(req: Request, res: Response): CancelCaller {
  const actor = actorOf(res);
  const key = req.get("Idempotency-Key");
  return {
    actor,
    source: actor.tokenKind === "session" ? "user" : "api",
    idempotencyKey: key === undefined ? undefined : parse(IdempotencyKey, key),
  };
}

export function operationRoutes(ctx: EngineContext): Router {
  const r = Router();

  // Bulk cancels and re-runs in one pipeline, or across a project; each with a preview first.
  for (const path of ["/projects/:project/pipelines/:pipeline/builds", "/projects/:project/builds"]) {
    r.post(`${path}/batch-cancel/preview`, async (req, res) => {
      const names = req.params as { project: string; pipeline?: string };
      res.json(await previewCancel(ctx, actorOf(res), names, parse(BatchPreviewRequest, req.body ?? {})));
    });
    r.post(`${path}/batch-cancel`, async (req, res) => {
      const names = req.params as { project: string; pipeline?: string };
      const op = await batchCancel(ctx, cancelCaller(req, res), names, parse(BatchCancelRequest, req.body ?? {}));
      res.status(202).json(op);
    });
    r.post(`${path}/batch-rerun/preview`, async (req, res) => {
      const names = req.params as { project: string; pipeline?: string };
      res.json(await previewRerun(ctx, actorOf(res), names, parse(BatchRerunPreviewRequest, req.body ?? {})));
    });
    r.post(`${path}/batch-rerun`, async (req, res) => {
      const names = req.params as { project: string; pipeline?: string };
      const op = await batchRerun(ctx, cancelCaller(req, res), names, parse(BatchRerunRequest, req.body ?? {}));
      res.status(201).json(op);
    });
  }

  r.get("/projects/:project/operations", async (req, res) => {
    res.json(await listOperations(ctx, actorOf(res), req.params.project, parse(OperationsQuery, req.query)));
  });

  r.get("/operations/:id", async (req, res) => {
    res.json(await getOperation(ctx, actorOf(res), req.params.id));
  });

  r.get("/operations/:id/items", async (req, res) => {
    res.json(
      await listOperationItems(ctx, actorOf(res), req.params.id, {
        outcome: queryText(req.query.outcome, "outcome"),
        cursor: queryText(req.query.cursor, "cursor"),
        limit: limitParam(req.query.limit, 100, 1000),
      }),
    );
  });

  r.get("/projects/:project/audit", async (req, res) => {
    res.json(await listAudit(ctx, actorOf(res), req.params.project, parse(AuditQuery, req.query)));
  });

  return r;
}
