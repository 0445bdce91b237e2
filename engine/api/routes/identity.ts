/** Who am I. */
import { Router } from "express";
import type { EngineContext } from "../../context.ts";
import { whoAmI } from "../../services/users.ts";
import { actorOf } from "../http.ts";

export function identityRoutes(ctx: EngineContext): Router {
  const r = Router();
  r.get("/me", async (_req, res) => {
    res.json(await whoAmI(ctx, actorOf(res)));
  });
  return r;
}
