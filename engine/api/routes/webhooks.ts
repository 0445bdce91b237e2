/** A project's webhooks and their delivery log (maintainers). */
import { Router } from "express";
import { CreateWebhookRequest, DeliveriesQuery, UpdateWebhookRequest } from "../../../common/contract/webhooks.ts";
import type { EngineContext } from "../../context.ts";
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  ping,
  redeliver,
  updateWebhook,
} from "../../use-cases/webhooks/webhooks.ts";
import { actorOf, idParam, limitParam, parse } from "../http.ts";

export function webhookRoutes(ctx: EngineContext): Router {
  const r = Router();
  const base = "/projects/:project/webhooks";

  r.post(base, async (req, res) => {
    const hook = await createWebhook(
      ctx,
      actorOf(res),
      req.params.project,
      parse(CreateWebhookRequest, req.body ?? {}),
    );
    res.status(201).json(hook);
  });

  r.get(base, async (req, res) => {
    res.json({ items: await listWebhooks(ctx, actorOf(res), req.params.project) });
  });

  r.get(`${base}/:id`, async (req, res) => {
    res.json(await getWebhook(ctx, actorOf(res), req.params.project, idParam(req.params.id, "webhook id")));
  });

  r.patch(`${base}/:id`, async (req, res) => {
    const id = idParam(req.params.id, "webhook id");
    res.json(
      await updateWebhook(ctx, actorOf(res), req.params.project, id, parse(UpdateWebhookRequest, req.body ?? {})),
    );
  });

  r.delete(`${base}/:id`, async (req, res) => {
    await deleteWebhook(ctx, actorOf(res), req.params.project, idParam(req.params.id, "webhook id"));
    res.status(204).end();
  });

  r.get(`${base}/:id/deliveries`, async (req, res) => {
    const query = parse(DeliveriesQuery, req.query);
    res.json(
      await listDeliveries(ctx, actorOf(res), req.params.project, idParam(req.params.id, "webhook id"), {
        cursor: query.cursor,
        limit: limitParam(query.limit, 50, 200),
      }),
    );
  });

  r.get(`${base}/:id/deliveries/:delivery`, async (req, res) => {
    const id = idParam(req.params.id, "webhook id");
    res.json(await getDelivery(ctx, actorOf(res), req.params.project, id, idParam(req.params.delivery, "delivery id")));
  });

  r.post(`${base}/:id/deliveries/:delivery/redeliver`, async (req, res) => {
    const id = idParam(req.params.id, "webhook id");
    const delivery = idParam(req.params.delivery, "delivery id");
    res.status(202).json(await redeliver(ctx, actorOf(res), req.params.project, id, delivery));
  });

  r.post(`${base}/:id/pings`, async (req, res) => {
    res.status(202).json(await ping(ctx, actorOf(res), req.params.project, idParam(req.params.id, "webhook id")));
  });

  return r;
}
