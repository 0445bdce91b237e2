/**
 * A project's repositories for its page (maintainers; the engine checks): the hook URL, a new hook
 * secret shown once, the inbound deliveries with what they did, and sending one again. The hook URL is the engine's
 * (`/v1/hooks/…` on the engine's address as this BFF reaches it): providers post to the engine,
 * never to the BFF.
 */
import { Router } from "express";
import type { EngineClient } from "../../common/engine-client.ts";
import { answer, paramsOf, queryOf } from "../contract.ts";
import { engineAs } from "../engine.ts";

export function repositoryRoutes(engine: EngineClient): Router {
  const r = Router();

  r.get("/projects/:project/repositories", async (req, res) => {
    const list = await engineAs(engine, res).call("listRepositories", { params: { project: req.params.project } });
    answer(res, "repositories", list);
  });

  r.post("/projects/:project/repositories/:repository/hook-secret", async (req, res) => {
    const rotated = await engineAs(engine, res).call("rotateHookSecret", { params: req.params });
    answer(res, "rotateHookSecret", rotated);
  });

  r.get("/projects/:project/repositories/:repository/deliveries", async (req, res) => {
    const { cursor, limit } = queryOf("hookDeliveries", req);
    const page = await engineAs(engine, res).call("listHookDeliveries", {
      params: req.params,
      query: { cursor, limit },
    });
    answer(res, "hookDeliveries", page);
  });

  r.post("/projects/:project/repositories/:repository/deliveries/:delivery/redeliver", async (req, res) => {
    const params = paramsOf("redeliverHook", req);
    answer(res, "redeliverHook", await engineAs(engine, res).call("redeliverHook", { params }));
  });

  return r;
}
