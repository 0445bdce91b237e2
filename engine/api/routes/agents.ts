/** `GET /v1/agents`: the agents, for admins (the agent channel itself is in `agents/http-routes.ts`). */
import { Router } from "express";
import type { EngineContext } from "../../context.ts";
import { listAgents } from "../../use-cases/agents/list.ts";
import { actorOf } from "../http.ts";

export function agentListRoutes(ctx: EngineContext): Router {
  const r = Router();
  r.get("/agents", async (_req, res) => {
    res.json({ items: await listAgents(ctx, actorOf(res)) });
  });
  return r;
}
