/**
 * A project's webhooks for its settings page (maintainers; the engine checks): thin routes that
 * validate with the shared schemas and call the engine as the signed-in user.
 */
import { Router } from "express";
import type { EngineClient } from "../../common/engine-client.ts";
import { InputError } from "../../common/errors.ts";
import { answer, bodyOf, queryOf } from "../contract.ts";
import { engineAs } from "../engine.ts";

function idOf(value: string | undefined, what: string): string {
  if (!value || !/^\d{1,16}$/.test(value))
    throw new InputError(`${what} must be a positive integer`, undefined, "invalid_id");
  return value;
}

export function webhookRoutes(engine: EngineClient): Router {
  const r = Router();
  const hook = (params: { project: string; id?: string }) => ({
    project: params.project,
    id: idOf(params.id, "webhook id"),
  });
  const delivery = (params: { project: string; id?: string; delivery?: string }) => ({
    ...hook(params),
    delivery: idOf(params.delivery, "delivery id"),
  });

  r.get("/projects/:project/webhooks", async (req, res) => {
    answer(
      res,
      "webhooks",
      await engineAs(engine, res).call("listWebhooks", { params: { project: req.params.project } }),
    );
  });

  r.post("/projects/:project/webhooks", async (req, res) => {
    const body = bodyOf("createWebhook", req);
    const webhook = await engineAs(engine, res).call("createWebhook", {
      params: { project: req.params.project },
      body,
    });
    answer(res, "createWebhook", webhook);
  });

  r.get("/projects/:project/webhooks/:id", async (req, res) => {
    answer(res, "webhook", await engineAs(engine, res).call("getWebhook", { params: hook(req.params) }));
  });

  r.patch("/projects/:project/webhooks/:id", async (req, res) => {
    const body = bodyOf("updateWebhook", req);
    answer(res, "updateWebhook", await engineAs(engine, res).call("updateWebhook", { params: hook(req.params), body }));
  });

  r.delete("/projects/:project/webhooks/:id", async (req, res) => {
    await engineAs(engine, res).call("deleteWebhook", { params: hook(req.params) });
    answer(res, "deleteWebhook", undefined);
  });

  r.get("/projects/:project/webhooks/:id/deliveries", async (req, res) => {
    const { cursor, limit } = queryOf("deliveries", req);
    const page = await engineAs(engine, res).call("listDeliveries", {
      params: hook(req.params),
      query: { cursor, limit },
    });
    answer(res, "deliveries", page);
  });

  r.get("/projects/:project/webhooks/:id/deliveries/:delivery", async (req, res) => {
    answer(res, "delivery", await engineAs(engine, res).call("getDelivery", { params: delivery(req.params) }));
  });

  r.post("/projects/:project/webhooks/:id/deliveries/:delivery/redeliver", async (req, res) => {
    answer(res, "redeliver", await engineAs(engine, res).call("redeliver", { params: delivery(req.params) }));
  });

  r.post("/projects/:project/webhooks/:id/pings", async (req, res) => {
    answer(res, "pingWebhook", await engineAs(engine, res).call("pingWebhook", { params: hook(req.params) }));
  });

  return r;
}
