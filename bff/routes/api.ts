/** The page's API: thin routes — parse, call one service or engine call, answer. */
import crypto from "node:crypto";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import {
  type AuditResponse,
  type BuildResponse,
  CancellationPreviewRequest,
  type CancellationPreviewResponse,
  CancellationRequest,
  type CancellationResponse,
  type OperationResponse,
  type OperationsResponse,
  RerunPreviewRequest,
  type RerunPreviewResponse,
  RerunRequest,
  type RerunResponse,
} from "../../common/bff-api.ts";
import { AuditQuery, CancelRequest, OperationsQuery } from "../../common/dto.ts";
import { InputError } from "../../common/errors.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";
import { parseInput } from "../../common/validation.ts";
import type { EngineClient } from "../engine-client.ts";
import { auditCsv } from "../services/audit-csv.ts";
import { history, pipelines } from "../services/pages.ts";
import { buildsStream, logStream, operationStream, operationsStream } from "../services/streams.ts";

const Query = z.record(z.string(), z.string());

function engineOf(engine: EngineClient, res: Response): EngineClient {
  return engine.as(res.locals.sessionToken as string);
}

/** The project (and pipeline, unless the route is project-wide) named in the path. */
function scopeOf(req: Request): { project: string; pipeline: string | undefined } {
  const { project, pipeline } = req.params as { project: string; pipeline?: string };
  return { project, pipeline };
}

/** The browser sends one key per confirmed dialog: a double click makes one operation. */
function idempotencyKeyOf(req: Request): string {
  return req.get("Idempotency-Key") ?? crypto.randomUUID();
}

function buildId(value: string | undefined): number {
  const id = Number(value);
  if (!value || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InputError("build id must be a positive integer", undefined, "invalid_id");
  }
  return id;
}

export function apiRoutes(engine: EngineClient, slots: StreamSlots): Router {
  const r = Router();

  r.get("/projects/:project/pipelines", async (req, res) => {
    res.json(await pipelines(engineOf(engine, res), req.params.project));
  });

  r.get("/projects/:project/pipelines/:pipeline/history", async (req, res) => {
    const q = parseInput(Query, req.query);
    res.json(await history(engineOf(engine, res), req.params.project, req.params.pipeline, q));
  });

  r.get("/projects/:project/operations", async (req, res) => {
    const query = parseInput(OperationsQuery, req.query);
    res.json((await engineOf(engine, res).operations(req.params.project, query)) satisfies OperationsResponse);
  });

  r.get("/projects/:project/operations/events", async (req, res) => {
    await operationsStream(engineOf(engine, res), slots, req, res, req.params.project);
  });

  r.get("/projects/:project/audit", async (req, res) => {
    const query = parseInput(AuditQuery, req.query);
    res.json((await engineOf(engine, res).audit(req.params.project, query)) satisfies AuditResponse);
  });

  r.get("/projects/:project/audit.csv", async (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = parseInput(AuditQuery, req.query);
    await auditCsv(engineOf(engine, res), res, req.params.project, filters);
  });

  // Cancellations and re-runs in one pipeline, or across a project; each with a preview first.
  for (const scope of ["/projects/:project/pipelines/:pipeline", "/projects/:project"]) {
    r.post(`${scope}/cancellations/preview`, async (req, res) => {
      const request = parseInput(CancellationPreviewRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      res.json(
        (await engineOf(engine, res).previewCancel(project, pipeline, request)) satisfies CancellationPreviewResponse,
      );
    });

    r.post(`${scope}/cancellations`, async (req, res) => {
      const request = parseInput(CancellationRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      const operation = await engineOf(engine, res).batchCancel(project, pipeline, request, idempotencyKeyOf(req));
      res.status(202).json({ operation } satisfies CancellationResponse);
    });

    r.post(`${scope}/reruns/preview`, async (req, res) => {
      const request = parseInput(RerunPreviewRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      res.json((await engineOf(engine, res).previewRerun(project, pipeline, request)) satisfies RerunPreviewResponse);
    });

    r.post(`${scope}/reruns`, async (req, res) => {
      const request = parseInput(RerunRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      const operation = await engineOf(engine, res).batchRerun(project, pipeline, request, idempotencyKeyOf(req));
      res.status(201).json({ operation } satisfies RerunResponse);
    });
  }

  r.get("/operations/:id", async (req, res) => {
    res.json({ operation: await engineOf(engine, res).operation(req.params.id) } satisfies OperationResponse);
  });

  r.get("/operations/:id/items", async (req, res) => {
    res.json(await engineOf(engine, res).operationItems(req.params.id, parseInput(Query, req.query)));
  });

  r.get("/builds/:id", async (req, res) => {
    const client = engineOf(engine, res);
    const [build, me] = await Promise.all([client.build(buildId(req.params.id)), client.me()]);
    const permissions = me.projects.find((p) => p.name === build.project)?.permissions ?? {
      canRead: true,
      canTrigger: false,
      canCancel: false,
      canEdit: false,
      canAudit: false,
    };
    res.json({ build, permissions } satisfies BuildResponse);
  });

  r.post("/builds/:id/cancel", async (req, res) => {
    const request = parseInput(CancelRequest, req.body ?? {});
    const operation = await engineOf(engine, res).cancelBuild(
      buildId(req.params.id),
      request,
      req.get("Idempotency-Key"),
    );
    res.status(202).json({ operation } satisfies CancellationResponse);
  });

  r.get("/operations/:id/events", async (req, res) => {
    await operationStream(engineOf(engine, res), slots, req, res, req.params.id);
  });

  r.get("/projects/:project/pipelines/:pipeline/events", async (req, res) => {
    await buildsStream(engineOf(engine, res), slots, req, res, req.params);
  });

  r.get("/projects/:project/events", async (req, res) => {
    await buildsStream(engineOf(engine, res), slots, req, res, { project: req.params.project });
  });

  r.get("/builds/:id/log", async (req, res) => {
    await logStream(engineOf(engine, res), slots, req, res, buildId(req.params.id));
  });

  return r;
}
