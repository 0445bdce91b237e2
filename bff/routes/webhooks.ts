/**
 * A project's webhooks for its settings page (maintainers; the engine checks): thin routes that
 * validate with the shared schemas and call the engine as the signed-in user.
 */
import { type Response, Router } from "express";
import type { Page } from "../../common/dto.ts";
import { InputError } from "../../common/errors.ts";
import { parseInput } from "../../common/validation.ts";
import {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryDetail,
} from "../../common/webhooks.ts";
import type { EngineClient } from "../engine-client.ts";

function idOf(value: string | undefined, what: string): string {
  if (!value || !/^\d{1,16}$/.test(value))
    throw new InputError(`${what} must be a positive integer`, undefined, "invalid_id");
  return value;
}

export function webhookRoutes(engine: EngineClient): Router {
  const r = Router();
  const client = (res: Response) => engine.as(res.locals.sessionToken as string);
  const hooks = (project: string) => `/v1/projects/${encodeURIComponent(project)}/webhooks`;
  const hook = (project: string, id: string | undefined) => `${hooks(project)}/${idOf(id, "webhook id")}`;

  r.get("/projects/:project/webhooks", async (req, res) => {
    res.json(await client(res).request<{ items: Webhook[] }>("GET", hooks(req.params.project)));
  });

  r.post("/projects/:project/webhooks", async (req, res) => {
    const body = parseInput(CreateWebhookRequest, req.body ?? {});
    res.status(201).json(await client(res).request<Webhook>("POST", hooks(req.params.project), { body }));
  });

  r.get("/projects/:project/webhooks/:id", async (req, res) => {
    res.json(await client(res).request<Webhook>("GET", hook(req.params.project, req.params.id)));
  });

  r.patch("/projects/:project/webhooks/:id", async (req, res) => {
    const body = parseInput(UpdateWebhookRequest, req.body ?? {});
    res.json(await client(res).request<Webhook>("PATCH", hook(req.params.project, req.params.id), { body }));
  });

  r.delete("/projects/:project/webhooks/:id", async (req, res) => {
    await client(res).request<void>("DELETE", hook(req.params.project, req.params.id));
    res.status(204).end();
  });

  r.get("/projects/:project/webhooks/:id/deliveries", async (req, res) => {
    const query = new URLSearchParams();
    if (typeof req.query.cursor === "string") query.set("cursor", req.query.cursor);
    if (typeof req.query.limit === "string") query.set("limit", req.query.limit);
    const qs = query.size > 0 ? `?${query}` : "";
    const path = `${hook(req.params.project, req.params.id)}/deliveries${qs}`;
    res.json(await client(res).request<Page<WebhookDelivery>>("GET", path));
  });

  r.get("/projects/:project/webhooks/:id/deliveries/:delivery", async (req, res) => {
    const path = `${hook(req.params.project, req.params.id)}/deliveries/${idOf(req.params.delivery, "delivery id")}`;
    res.json(await client(res).request<WebhookDeliveryDetail>("GET", path));
  });

  r.post("/projects/:project/webhooks/:id/deliveries/:delivery/redeliver", async (req, res) => {
    const path = `${hook(req.params.project, req.params.id)}/deliveries/${idOf(req.params.delivery, "delivery id")}/redeliver`;
    res.status(202).json(await client(res).request<WebhookDelivery>("POST", path));
  });

  r.post("/projects/:project/webhooks/:id/pings", async (req, res) => {
    res
      .status(202)
      .json(await client(res).request<WebhookDelivery>("POST", `${hook(req.params.project, req.params.id)}/pings`));
  });

  return r;
}
