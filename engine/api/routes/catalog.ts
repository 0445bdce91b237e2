/** Projects and pipelines. */
import { Router } from "express";
import { ProjectRequest } from "../../../common/contract/catalog.ts";
import { ResourceName } from "../../../common/contract/shared.ts";
import { InputError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import {
  getPipeline,
  getProject,
  listPipelines,
  listProjects,
  putPipeline,
  putProject,
} from "../../use-cases/catalog/catalog.ts";
import { actorOf, parse } from "../http.ts";

export function catalogRoutes(ctx: EngineContext): Router {
  const r = Router();

  r.get("/projects", async (_req, res) => {
    res.json({ items: await listProjects(ctx, actorOf(res)) });
  });

  r.put("/projects/:project", async (req, res) => {
    const name = parse(ResourceName, req.params.project);
    const { project, created } = await putProject(ctx, actorOf(res), name, parse(ProjectRequest, req.body ?? {}));
    res.status(created ? 201 : 200).json(project);
  });

  r.get("/projects/:project", async (req, res) => {
    res.json(await getProject(ctx, actorOf(res), req.params.project));
  });

  r.get("/projects/:project/pipelines", async (req, res) => {
    res.json({ items: await listPipelines(ctx, actorOf(res), req.params.project) });
  });

  r.put("/projects/:project/pipelines/:pipeline", async (req, res) => {
    const names = { project: req.params.project, pipeline: parse(ResourceName, req.params.pipeline) };
    if (
      req.body === undefined ||
      (typeof req.body === "object" && Object.keys(req.body).length === 0 && !req.is("json"))
    ) {
      throw new InputError("Send the pipeline as application/yaml or application/json", undefined, "missing_body");
    }
    const { pipeline, created } = await putPipeline(ctx, actorOf(res), names, req.body);
    res.status(created ? 201 : 200).json(pipeline);
  });

  r.get("/projects/:project/pipelines/:pipeline", async (req, res) => {
    res.json(await getPipeline(ctx, actorOf(res), req.params));
  });

  return r;
}
