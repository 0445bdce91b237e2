/** Bulk operations of every kind (batch-cancel, batch-rerun), operations and their items, and the audit log. */
import { type Request, type Response, Router } from "express";
import {
  AuditQuery,
  IdempotencyKey,
  OperationItemsQuery,
  OperationsQuery,
} from "../../../common/contract/operations.ts";
import type { EngineContext } from "../../context.ts";
import { OPERATION_KINDS } from "../../use-cases/operation-kinds.ts";
import type { OperationCaller } from "../../use-cases/operations/accept-once.ts";
import { getOperation, listAudit, listOperationItems, listOperations } from "../../use-cases/operations/read.ts";
import type { ScopeNames } from "../../use-cases/operations/selection.ts";
import { actorOf, limitParam, parse } from "../http.ts";

/**
 * Who is canceling, and the repeat key. The audit source follows from the token, never from
 * what the client says: a session (a person who signed in, as through the page) is `user`, any
 * other token `api`; only the engine's own policy is `concurrency`.
 */
export function operationCaller(req: Request, res: Response): OperationCaller {
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

  // Every kind of bulk operation, in one pipeline or across a project; each with a preview first.
  for (const path of ["/projects/:project/pipelines/:pipeline/builds", "/projects/:project/builds"]) {
    for (const [kind, handlers] of Object.entries(OPERATION_KINDS)) {
      r.post(`${path}/batch-${kind}/preview`, async (req, res) => {
        const names = req.params as ScopeNames;
        res.json(await handlers.preview(ctx, actorOf(res), names, parse(handlers.previewRequest, req.body ?? {})));
      });
      r.post(`${path}/batch-${kind}`, async (req, res) => {
        const names = req.params as ScopeNames;
        const op = await handlers.accept(
          ctx,
          operationCaller(req, res),
          names,
          parse(handlers.request, req.body ?? {}),
        );
        res.status(handlers.acceptedStatus).json(op);
      });
    }
  }

  r.get("/projects/:project/operations", async (req, res) => {
    res.json(await listOperations(ctx, actorOf(res), req.params.project, parse(OperationsQuery, req.query)));
  });

  r.get("/operations/:id", async (req, res) => {
    res.json(await getOperation(ctx, actorOf(res), req.params.id));
  });

  r.get("/operations/:id/items", async (req, res) => {
    const query = parse(OperationItemsQuery, req.query);
    res.json(
      await listOperationItems(ctx, actorOf(res), req.params.id, {
        outcome: query.outcome,
        cursor: query.cursor,
        limit: limitParam(query.limit, 100, 1000),
      }),
    );
  });

  r.get("/projects/:project/audit", async (req, res) => {
    res.json(await listAudit(ctx, actorOf(res), req.params.project, parse(AuditQuery, req.query)));
  });

  return r;
}
