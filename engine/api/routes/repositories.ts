/** A project's repositories (maintainers), and the door their providers' events come in by. */
import express, { type Request, Router } from "express";
import { HookDeliveriesQuery, PutRepositoryRequest } from "../../../common/contract/repositories.ts";
import type { EngineContext } from "../../context.ts";
import { receiveHook } from "../../use-cases/repositories/receive-hook.ts";
import { redeliverHook } from "../../use-cases/repositories/redeliver-hook.ts";
import {
  getRepository,
  listHookDeliveries,
  listRepositories,
  putRepository,
  rotateHookSecret,
} from "../../use-cases/repositories/repositories.ts";
import { actorOf, idParam, limitParam, parse } from "../http.ts";

/** The most an inbound hook may send: 1 MiB, as the rest of the API (413 beyond). */
const HOOK_BODY_LIMIT = "1mb";

/** `http(s)://host` the caller reached the engine at: hook URLs are built on it. */
function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

export function repositoryRoutes(ctx: EngineContext): Router {
  const r = Router();
  const base = "/projects/:project/repositories";

  r.get(base, async (req, res) => {
    res.json({ items: await listRepositories(ctx, actorOf(res), req.params.project, baseUrl(req)) });
  });

  r.put(`${base}/:repository`, async (req, res) => {
    const { repository, created } = await putRepository(
      ctx,
      actorOf(res),
      { project: req.params.project, repository: req.params.repository },
      parse(PutRepositoryRequest, req.body ?? {}),
      baseUrl(req),
    );
    res.status(created ? 201 : 200).json(repository);
  });

  r.get(`${base}/:repository`, async (req, res) => {
    res.json(await getRepository(ctx, actorOf(res), req.params, baseUrl(req)));
  });

  r.post(`${base}/:repository/hook-secret`, async (req, res) => {
    res.status(201).json(await rotateHookSecret(ctx, actorOf(res), req.params, baseUrl(req)));
  });

  r.get(`${base}/:repository/deliveries`, async (req, res) => {
    const query = parse(HookDeliveriesQuery, req.query);
    res.json(
      await listHookDeliveries(ctx, actorOf(res), req.params, {
        cursor: query.cursor,
        limit: limitParam(query.limit, 50, 200),
      }),
    );
  });

  r.post(`${base}/:repository/deliveries/:delivery/redeliver`, async (req, res) => {
    const delivery = idParam(req.params.delivery, "delivery id");
    res.status(202).json(await redeliverHook(ctx, actorOf(res), { ...req.params, delivery }));
  });

  return r;
}

/**
 * `POST /v1/hooks/{project}/{repository}`: no token — the provider's signature over the raw body
 * is the authentication, so the body is kept as bytes (never parsed before it is verified).
 */
export function inboundHookRoutes(ctx: EngineContext): Router {
  const r = Router();
  r.post("/hooks/:project/:repository", express.raw({ type: () => true, limit: HOOK_BODY_LIMIT }), async (req, res) => {
    const accepted = await receiveHook(ctx, req.params, {
      headers: req.headers as Record<string, string | undefined>,
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      contentType: req.get("content-type"),
    });
    res.status(202).json(accepted);
  });
  return r;
}
