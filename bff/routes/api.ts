/** The page's API: thin routes — parse, call one service or engine call, answer. */
import crypto from "node:crypto";
import { type Request, Router } from "express";
import type {
  BuildResponse,
  CancellationPreviewRequest,
  CancellationRequest,
  RerunPreviewRequest,
  RerunRequest,
} from "../../common/bff-api.ts";
import type { BuildDetail } from "../../common/dto.ts";
import type { EngineClient } from "../../common/engine-client.ts";
import { InputError } from "../../common/errors.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";
import { answer, bodyOf, queryOf } from "../contract.ts";
import { engineAs } from "../engine.ts";
import { auditCsv } from "../services/audit-csv.ts";
import { pageStream } from "../services/page-stream.ts";
import { history, pipelines } from "../services/pages.ts";

/** The project (and pipeline, unless the route is project-wide) named in the path. */
function scopeOf(req: Request): { project: string; pipeline: string | undefined } {
  const { project, pipeline } = req.params as { project: string; pipeline?: string };
  return { project, pipeline };
}

/** The browser sends one key per confirmed dialog: a double click makes one operation. */
function idempotencyKeyOf(req: Request): string {
  return req.get("Idempotency-Key") ?? crypto.randomUUID();
}

function buildId(value: string | undefined, what = "build id"): number {
  const id = Number(value);
  if (!value || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
    throw new InputError(`${what} must be a positive integer`, undefined, "invalid_id");
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
    answer(res, "pipelines", await pipelines(engineAs(engine, res), req.params.project));
  });

  r.get("/projects/:project/pipelines/:pipeline/history", async (req, res) => {
    const query = queryOf("history", req);
    answer(res, "history", await history(engineAs(engine, res), req.params.project, req.params.pipeline, query));
  });

  r.post("/projects/:project/pipelines/:pipeline/builds", async (req, res) => {
    const body = bodyOf("triggerBuild", req);
    const params = { project: req.params.project, pipeline: req.params.pipeline };
    const build = await engineAs(engine, res).call("triggerBuild", { params, body });
    answer(res, "triggerBuild", { build });
  });

  r.get("/projects/:project/operations", async (req, res) => {
    const query = queryOf("operations", req);
    const page = await engineAs(engine, res).call("listOperations", { params: { project: req.params.project }, query });
    answer(res, "operations", page);
  });

  r.get("/projects/:project/audit", async (req, res) => {
    const query = queryOf("audit", req);
    answer(
      res,
      "audit",
      await engineAs(engine, res).call("listAudit", { params: { project: req.params.project }, query }),
    );
  });

  r.get("/projects/:project/audit.csv", async (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = queryOf("auditCsv", req);
    await auditCsv(engineAs(engine, res), res, req.params.project, filters);
  });

  // Cancellations and re-runs in one pipeline, or across a project; each with a preview first.
  for (const [scope, perPipeline] of [
    ["/projects/:project/pipelines/:pipeline", true],
    ["/projects/:project", false],
  ] as const) {
    r.post(`${scope}/cancellations/preview`, async (req, res) => {
      const request = bodyOf("previewCancel", req);
      const preview = await previewCancel(engineAs(engine, res), scopeOf(req), request);
      answer(res, perPipeline ? "previewCancel" : "previewProjectCancel", preview);
    });

    r.post(`${scope}/cancellations`, async (req, res) => {
      const request = bodyOf("cancel", req);
      const operation = await batchCancel(engineAs(engine, res), scopeOf(req), request, idempotencyKeyOf(req));
      answer(res, perPipeline ? "cancel" : "projectCancel", { operation });
    });

    r.post(`${scope}/reruns/preview`, async (req, res) => {
      const request = bodyOf("previewRerun", req);
      const preview = await previewRerun(engineAs(engine, res), scopeOf(req), request);
      answer(res, perPipeline ? "previewRerun" : "previewProjectRerun", preview);
    });

    r.post(`${scope}/reruns`, async (req, res) => {
      const request = bodyOf("rerun", req);
      const operation = await batchRerun(engineAs(engine, res), scopeOf(req), request, idempotencyKeyOf(req));
      answer(res, perPipeline ? "rerun" : "projectRerun", { operation });
    });
  }

  r.get("/operations/:id", async (req, res) => {
    const operation = await engineAs(engine, res).call("getOperation", { params: { id: req.params.id } });
    answer(res, "operation", { operation });
  });

  r.get("/operations/:id/items", async (req, res) => {
    const query = queryOf("operationItems", req);
    const page = await engineAs(engine, res).call("listOperationItems", { params: { id: req.params.id }, query });
    answer(res, "operationItems", page);
  });

  /** A build with what the caller may do in its project. */
  async function buildResponse(
    client: ReturnType<typeof engineAs>,
    build: Promise<BuildDetail>,
  ): Promise<BuildResponse> {
    const [b, me] = await Promise.all([build, client.call("me", {})]);
    const permissions = me.projects.find((p) => p.name === b.project)?.permissions ?? {
      canRead: true,
      canTrigger: false,
      canCancel: false,
      canEdit: false,
      canAudit: false,
    };
    return { build: b, permissions };
  }

  r.get("/builds/:id", async (req, res) => {
    const client = engineAs(engine, res);
    const build = client.call("getBuild", { params: { id: buildId(req.params.id) } });
    answer(res, "build", await buildResponse(client, build));
  });

  /** The address people use: a build by its number in its pipeline. */
  r.get("/projects/:project/pipelines/:pipeline/builds/:number", async (req, res) => {
    const client = engineAs(engine, res);
    const { project, pipeline } = scopeOf(req);
    const number = String(buildId(req.params.number, "build number"));
    const build = client.call("getBuildByNumber", { params: { project, pipeline: pipeline as string, number } });
    answer(res, "buildByNumber", await buildResponse(client, build));
  });

  r.post("/builds/:id/cancel", async (req, res) => {
    const request = bodyOf("cancelBuild", req);
    const operation = await engineAs(engine, res).call("cancelBuild", {
      params: { id: buildId(req.params.id) },
      body: request,
      headers: { "Idempotency-Key": req.get("Idempotency-Key") },
    });
    answer(res, "cancelBuild", { operation });
  });

  r.get("/stream", async (req, res) => {
    await pageStream(engineAs(engine, res), slots, req, res);
  });

  return r;
}
