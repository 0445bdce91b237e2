/** Triggering, history, a build's detail and log, and the single cancel. */
import { Router } from "express";
import {
  BuildCountsQuery,
  BuildHistoryQuery,
  BuildLogQuery,
  CancelRequest,
  TriggerRequest,
} from "../../../common/contract/builds.ts";
import { formatBytes } from "../../../common/format.ts";
import { logNote } from "../../../common/log-notes.ts";
import type { EngineContext } from "../../context.ts";
import { buildCounts, buildHistory, getBuild, getBuildByNumber, getBuildLog } from "../../use-cases/builds/read.ts";
import { triggerBuild } from "../../use-cases/builds/trigger.ts";
import { cancelBuild } from "../../use-cases/cancel/cancel.ts";
import { actorOf, idParam, limitParam, parse } from "../http.ts";
import { operationCaller } from "./operations.ts";

export function buildRoutes(ctx: EngineContext): Router {
  const r = Router();

  r.post("/projects/:project/pipelines/:pipeline/builds", async (req, res) => {
    const source = req.get("X-Sluice-Source") === "user" ? "user" : "api";
    const build = await triggerBuild(ctx, actorOf(res), req.params, parse(TriggerRequest, req.body ?? {}), source);
    res.status(201).json(build);
  });

  r.get("/projects/:project/pipelines/:pipeline/builds", async (req, res) => {
    const query = parse(BuildHistoryQuery, req.query);
    res.json(
      await buildHistory(ctx, actorOf(res), req.params, {
        status: query.status,
        branch: query.branch,
        trigger: query.trigger,
        pullRequest: query.pullRequest === undefined ? undefined : Number(query.pullRequest),
        cursor: query.cursor,
        limit: limitParam(query.limit, 50, 200),
      }),
    );
  });

  r.get("/projects/:project/pipelines/:pipeline/builds/counts", async (req, res) => {
    res.json(await buildCounts(ctx, actorOf(res), req.params, { branch: parse(BuildCountsQuery, req.query).branch }));
  });

  // After `/builds/counts`: a number, as people name builds.
  r.get("/projects/:project/pipelines/:pipeline/builds/:number", async (req, res) => {
    const { project, pipeline } = req.params;
    const number = idParam(req.params.number, "build number");
    res.json(await getBuildByNumber(ctx, actorOf(res), { project, pipeline }, number));
  });

  r.get("/builds/:id", async (req, res) => {
    res.json(await getBuild(ctx, actorOf(res), idParam(req.params.id, "build id")));
  });

  r.get("/builds/:id/log", async (req, res) => {
    const { after, job, limit, format } = parse(BuildLogQuery, req.query);
    const page = await getBuildLog(ctx, actorOf(res), idParam(req.params.id, "build id"), {
      after: after === undefined ? undefined : idParam(after, "after"),
      jobId: job === undefined ? undefined : idParam(job, "job"),
      limit: limitParam(limit, 10_000, 10_000),
    });
    if (format === "json") {
      res.json(page);
      return;
    }
    const dropped = page.droppedBytes > 0 && after === undefined ? truncationSummary(page.droppedBytes) : "";
    res.type("text/plain").send(page.chunks.map((c) => c.text).join("") + dropped);
  });

  r.post("/builds/:id/cancel", async (req, res) => {
    const op = await cancelBuild(
      ctx,
      operationCaller(req, res),
      idParam(req.params.id, "build id"),
      parse(CancelRequest, req.body ?? {}),
    );
    res.status(202).json(op);
  });

  return r;
}

function truncationSummary(droppedBytes: number): string {
  return logNote("logTruncated", formatBytes(droppedBytes));
}
