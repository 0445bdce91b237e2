/** Who am I, sign-in sessions (for the BFF), users, API and agent tokens, and project members. */
import { Router } from "express";
import { MemberRequest, NewUserRequest, TokenRequest } from "../../../common/contract/identity.ts";
import type { EngineContext } from "../../context.ts";
import {
  createAgentToken,
  createToken,
  createUser,
  listAgentTokens,
  listMembers,
  listTokens,
  listUsers,
  removeMember,
  revokeAgentToken,
  revokeToken,
  setMember,
  signOut,
  whoAmI,
} from "../../use-cases/users/users.ts";
import { actorOf, idParam, parse } from "../http.ts";

export function identityRoutes(ctx: EngineContext): Router {
  const r = Router();
  r.get("/me", async (_req, res) => {
    res.json(await whoAmI(ctx, actorOf(res)));
  });
  r.delete("/sessions/current", async (_req, res) => {
    await signOut(ctx, actorOf(res));
    res.status(204).end();
  });
  r.get("/users", async (_req, res) => {
    res.json({ items: await listUsers(ctx, actorOf(res)) });
  });
  r.post("/users", async (req, res) => {
    res.status(201).json(await createUser(ctx, actorOf(res), parse(NewUserRequest, req.body ?? {})));
  });
  r.get("/tokens", async (_req, res) => {
    res.json({ items: await listTokens(ctx, actorOf(res)) });
  });
  r.post("/tokens", async (req, res) => {
    res.status(201).json(await createToken(ctx, actorOf(res), parse(TokenRequest, req.body ?? {})));
  });
  r.delete("/tokens/:id", async (req, res) => {
    await revokeToken(ctx, actorOf(res), idParam(req.params.id, "token id"));
    res.status(204).end();
  });
  r.get("/agent-tokens", async (_req, res) => {
    res.json({ items: await listAgentTokens(ctx, actorOf(res)) });
  });
  r.post("/agent-tokens", async (req, res) => {
    res.status(201).json(await createAgentToken(ctx, actorOf(res), parse(TokenRequest, req.body ?? {})));
  });
  r.delete("/agent-tokens/:id", async (req, res) => {
    await revokeAgentToken(ctx, actorOf(res), idParam(req.params.id, "token id"));
    res.status(204).end();
  });
  r.get("/projects/:project/members", async (req, res) => {
    res.json({ items: await listMembers(ctx, actorOf(res), req.params.project) });
  });
  r.put("/projects/:project/members/:username", async (req, res) => {
    const { role } = parse(MemberRequest, req.body ?? {});
    res.json(await setMember(ctx, actorOf(res), req.params.project, req.params.username, role));
  });
  r.delete("/projects/:project/members/:username", async (req, res) => {
    await removeMember(ctx, actorOf(res), req.params.project, req.params.username);
    res.status(204).end();
  });
  return r;
}
