/** The page's API: thin routes — parse, call one service or engine call, answer. */
import crypto from "node:crypto";
import { type Request, Router } from "express";
import { z } from "zod";
import {
  type AuditResponse,
  type BuildResponse,
  CancellationPreviewRequest,
  type CancellationPreviewResponse,
  CancellationRequest,
  type CancellationResponse,
  type OperationItemsResponse,
  type OperationResponse,
  type OperationsResponse,
  RerunPreviewRequest,
  type RerunPreviewResponse,
  RerunRequest,
  type RerunResponse,
} from "../../common/bff-api.ts";
import { AuditQuery, CancelRequest, OperationsQuery } from "../../common/dto.ts";
import type { EngineClient } from "../../common/engine-client.ts";
import { InputError } from "../../common/errors.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";
import { parseInput } from "../../common/validation.ts";
import { engineAs, validQuery } from "../engine.ts";
import { auditCsv } from "../services/audit-csv.ts";
import { history, pipelines } from "../services/pages.ts";
import { buildsStream, logStream, operationStream, operationsStream } from "../services/streams.ts";

const Query = z.record(z.string(), z.string());

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

type Scope = { project: string; pipeline: string | undefined };

/* A bulk action in one pipeline, or across the project when no pipeline is named. */

function previewCancel(engine: EngineClient, { project, pipeline }: Scope, body: CancellationPreviewRequest) {
  return pipeline === undefined
    ? engine.call("previewProjectCancel", { params: { project }, body })
    : engine.call("previewCancel", { params: { project, pipeline }, body });
}

function batchCancel(engine: EngineClient, { project, pipeline }: Scope, body: CancellationRequest, key: string) {
  const headers = { "Idempotency-Key": key };
  return pipeline === undefined
    ? engine.call("batchProjectCancel", { params: { project }, body, headers })
    : engine.call("batchCancel", { params: { project, pipeline }, body, headers });
}

function previewRerun(engine: EngineClient, { project, pipeline }: Scope, body: RerunPreviewRequest) {
  return pipeline === undefined
    ? engine.call("previewProjectRerun", { params: { project }, body })
    : engine.call("previewRerun", { params: { project, pipeline }, body });
}

function batchRerun(engine: EngineClient, { project, pipeline }: Scope, body: RerunRequest, key: string) {
  const headers = { "Idempotency-Key": key };
  return pipeline === undefined
    ? engine.call("batchProjectRerun", { params: { project }, body, headers })
    : engine.call("batchRerun", { params: { project, pipeline }, body, headers });
}

export function apiRoutes(engine: EngineClient, slots: StreamSlots): Router {
  const r = Router();

  r.get("/projects/:project/pipelines", async (req, res) => {
    res.json(await pipelines(engineAs(engine, res), req.params.project));
  });

  r.get("/projects/:project/pipelines/:pipeline/history", async (req, res) => {
    const q = parseInput(Query, req.query);
    res.json(await history(engineAs(engine, res), req.params.project, req.params.pipeline, q));
  });

  r.get("/projects/:project/operations", async (req, res) => {
    const query = validQuery(OperationsQuery, req.query);
    res.json(
      (await engineAs(engine, res).call("listOperations", {
        params: { project: req.params.project },
        query,
      })) satisfies OperationsResponse,
    );
  });

  r.get("/projects/:project/operations/events", async (req, res) => {
    await operationsStream(engineAs(engine, res), slots, req, res, req.params.project);
  });

  r.get("/projects/:project/audit", async (req, res) => {
    const query = validQuery(AuditQuery, req.query);
    res.json(
      (await engineAs(engine, res).call("listAudit", {
        params: { project: req.params.project },
        query,
      })) satisfies AuditResponse,
    );
  });

  r.get("/projects/:project/audit.csv", async (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = validQuery(AuditQuery, req.query);
    await auditCsv(engineAs(engine, res), res, req.params.project, filters);
  });

  // Cancellations and re-runs in one pipeline, or across a project; each with a preview first.
  for (const scope of ["/projects/:project/pipelines/:pipeline", "/projects/:project"]) {
    r.post(`${scope}/cancellations/preview`, async (req, res) => {
      const request = parseInput(CancellationPreviewRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      res.json(
        (await previewCancel(
          engineAs(engine, res),
          { project, pipeline },
          request,
        )) satisfies CancellationPreviewResponse,
      );
    });

    r.post(`${scope}/cancellations`, async (req, res) => {
      const request = parseInput(CancellationRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      const key = idempotencyKeyOf(req);
      const operation = await batchCancel(engineAs(engine, res), { project, pipeline }, request, key);
      res.status(202).json({ operation } satisfies CancellationResponse);
    });

    r.post(`${scope}/reruns/preview`, async (req, res) => {
      const request = parseInput(RerunPreviewRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      res.json(
        (await previewRerun(engineAs(engine, res), { project, pipeline }, request)) satisfies RerunPreviewResponse,
      );
    });

    r.post(`${scope}/reruns`, async (req, res) => {
      const request = parseInput(RerunRequest, req.body ?? {});
      const { project, pipeline } = scopeOf(req);
      const key = idempotencyKeyOf(req);
      const operation = await batchRerun(engineAs(engine, res), { project, pipeline }, request, key);
      res.status(201).json({ operation } satisfies RerunResponse);
    });
  }

  r.get("/operations/:id", async (req, res) => {
    const operation = await engineAs(engine, res).call("getOperation", { params: { id: req.params.id } });
    res.json({ operation } satisfies OperationResponse);
  });

  r.get("/operations/:id/items", async (req, res) => {
    const query = parseInput(Query, req.query);
    res.json(
      (await engineAs(engine, res).call("listOperationItems", {
        params: { id: req.params.id },
        query,
      })) satisfies OperationItemsResponse,
    );
  });

  r.get("/builds/:id", async (req, res) => {
    const client = engineAs(engine, res);
    const [build, me] = await Promise.all([
      client.call("getBuild", { params: { id: buildId(req.params.id) } }),
      client.call("me", {}),
    ]);
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
    const operation = await engineAs(engine, res).call("cancelBuild", {
      params: { id: buildId(req.params.id) },
      body: request,
      headers: { "Idempotency-Key": req.get("Idempotency-Key") },
    });
    res.status(202).json({ operation } satisfies CancellationResponse);
  });

  r.get("/operations/:id/events", async (req, res) => {
    await operationStream(engineAs(engine, res), slots, req, res, req.params.id);
  });

  r.get("/projects/:project/pipelines/:pipeline/events", async (req, res) => {
    await buildsStream(engineAs(engine, res), slots, req, res, req.params);
  });

  r.get("/projects/:project/events", async (req, res) => {
    await buildsStream(engineAs(engine, res), slots, req, res, { project: req.params.project });
  });

  r.get("/builds/:id/log", async (req, res) => {
    await logStream(engineAs(engine, res), slots, req, res, buildId(req.params.id));
  });

  return r;
}
