/**
 * Managing a project's webhooks (maintainers): endpoints, their delivery log, redelivery and a
 * test ping. Deliveries themselves are made by `webhooks/dispatcher.ts` and `webhooks/sender.ts`.
 */
import crypto from "node:crypto";
import { ConflictError, InputError, NotFoundError } from "../../../common/errors.ts";
import type {
  CreateWebhookRequest,
  DeliveryEvent,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookEvent,
} from "../../../common/webhooks.ts";
import type { EngineContext } from "../../context.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import type { ProjectRow } from "../../store/projects-repo.ts";
import type { DeliveryRow, WebhookRow } from "../../store/webhooks-repo.ts";
import { resolveProject } from "../catalog/catalog.ts";
import type { Actor } from "../identity/identity.ts";
import { iso } from "../mappers.ts";
import { cursorId, pageOf } from "../paging.ts";
import { checkHost } from "./address-policy.ts";
import { webhookSettings } from "./settings.ts";

type Created = Required<Pick<CreateWebhookRequest, "url" | "secret" | "active">> & { events: WebhookEvent[] };
type Update = Omit<UpdateWebhookRequest, "events"> & { events?: WebhookEvent[] | undefined };

export async function createWebhook(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  request: Created,
): Promise<Webhook> {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  await checkUrl(ctx, request.url);
  const row = await ctx.store.webhooks.insert({
    projectId: project.id,
    url: request.url,
    secret: request.secret,
    events: request.events,
    active: request.active,
    createdBy: actor.username,
    // Events from now on: what happened before the endpoint existed is not sent to it.
    fromSeq: await ctx.store.events.lastSeq(),
    now: ctx.now(),
  });
  return toWebhook(project, row, null);
}

export async function listWebhooks(ctx: EngineContext, actor: Actor, projectName: string): Promise<Webhook[]> {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  const rows = await ctx.store.webhooks.list({ projectId: project.id });
  const last = new Map(
    (await ctx.store.webhooks.lastDeliveries({ webhookIds: rows.map((r) => r.id) })).map((d) => [d.webhook_id, d]),
  );
  return rows.map((row) => toWebhook(project, row, last.get(row.id) ?? null));
}

export async function getWebhook(ctx: EngineContext, actor: Actor, projectName: string, id: number): Promise<Webhook> {
  const { project, hook } = await resolveWebhook(ctx, actor, projectName, id);
  const [last] = await ctx.store.webhooks.lastDeliveries({ webhookIds: [hook.id] });
  return toWebhook(project, hook, last ?? null);
}

export async function updateWebhook(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
  request: Update,
): Promise<Webhook> {
  const { project, hook } = await resolveWebhook(ctx, actor, projectName, id);
  if (request.url !== undefined) await checkUrl(ctx, request.url);
  const now = ctx.now();
  const reenabled = request.active === true && hook.active === 0;
  const row = await ctx.store.webhooks.update({
    id: hook.id,
    set: {
      ...(request.url !== undefined ? { url: request.url } : {}),
      ...(request.secret !== undefined ? { secret: request.secret } : {}),
      ...(request.events !== undefined ? { events: JSON.stringify(request.events) } : {}),
      ...(request.active !== undefined ? { active: request.active ? 1 : 0 } : {}),
      // Switched on again: it starts with a clean record.
      ...(reenabled ? { disabled_reason: null, disabled_at: null, failing_since: null } : {}),
      updated_at: now,
    },
  });
  if (reenabled) ctx.bus.publish(TOPICS.webhooks);
  const [last] = await ctx.store.webhooks.lastDeliveries({ webhookIds: [hook.id] });
  return toWebhook(project, row, last ?? null);
}

export async function deleteWebhook(ctx: EngineContext, actor: Actor, projectName: string, id: number): Promise<void> {
  const { hook } = await resolveWebhook(ctx, actor, projectName, id);
  await ctx.store.webhooks.remove({ id: hook.id });
}

export async function listDeliveries(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
  opts: { cursor: string | undefined; limit: number },
): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  const { hook } = await resolveWebhook(ctx, actor, projectName, id);
  const beforeId = opts.cursor === undefined ? undefined : cursorId(opts.cursor);
  const rows = await ctx.store.webhooks.deliveries({
    webhookId: hook.id,
    ...(beforeId !== undefined ? { beforeId } : {}),
    limit: opts.limit + 1,
  });
  return pageOf(rows, opts.limit, toDelivery);
}

export async function getDelivery(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
  deliveryId: number,
): Promise<WebhookDeliveryDetail> {
  const { hook } = await resolveWebhook(ctx, actor, projectName, id);
  const delivery = await ctx.store.webhooks.delivery({ id: deliveryId, webhookId: hook.id });
  if (!delivery) throw new NotFoundError(`Delivery ${deliveryId} not found`, undefined, "delivery_not_found");
  const attempts = await ctx.store.webhooks.attempts({ deliveryId: delivery.id });
  return {
    ...toDelivery(delivery),
    payload: delivery.body,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: iso(a.started_at) as string,
      durationMs: a.duration_ms,
      responseStatus: a.response_status,
      responseBody: a.response_body,
      error: a.error,
    })),
  };
}

/** Sends a delivery's payload again as a new delivery (a new `X-Sluice-Delivery`), as GitHub does. */
export async function redeliver(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
  deliveryId: number,
): Promise<WebhookDelivery> {
  const { hook } = await resolveWebhook(ctx, actor, projectName, id);
  requireActive(hook);
  const original = await ctx.store.webhooks.delivery({ id: deliveryId, webhookId: hook.id });
  if (!original) throw new NotFoundError(`Delivery ${deliveryId} not found`, undefined, "delivery_not_found");
  return newDelivery(ctx, hook, {
    event: original.event as DeliveryEvent,
    body: original.body,
    items: original.items,
    redeliveryOf: original.id,
  });
}

/** A `ping` delivery, to check the endpoint and its signature check. */
export async function ping(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
): Promise<WebhookDelivery> {
  const { project, hook } = await resolveWebhook(ctx, actor, projectName, id);
  requireActive(hook);
  const body = JSON.stringify({
    event: "ping",
    project: project.name,
    webhook: { id: hook.id, url: hook.url, events: JSON.parse(hook.events) as string[] },
  });
  return newDelivery(ctx, hook, { event: "ping", body, items: 0, redeliveryOf: null });
}

async function newDelivery(
  ctx: EngineContext,
  hook: WebhookRow,
  opts: { event: DeliveryEvent; body: string; items: number; redeliveryOf: number | null },
): Promise<WebhookDelivery> {
  const now = ctx.now();
  const guid = crypto.randomUUID();
  await ctx.store.webhooks.insertDeliveries({
    deliveries: [
      {
        guid,
        webhook_id: hook.id,
        event: opts.event,
        body: opts.body,
        items: opts.items,
        redelivery_of: opts.redeliveryOf,
        created_at: now,
      },
    ],
    now,
  });
  ctx.bus.publish(TOPICS.webhooks);
  const created = await ctx.store.webhooks.deliveryByGuid({ guid });
  if (!created) throw new Error(`delivery ${guid} was not written`);
  return toDelivery(created);
}

function requireActive(hook: WebhookRow): void {
  if (hook.active === 0) {
    throw new ConflictError(
      "webhook_disabled",
      hook.disabled_reason === "failing"
        ? "This webhook was disabled because it kept failing; enable it first"
        : "This webhook is switched off; enable it first",
    );
  }
}

async function resolveWebhook(
  ctx: EngineContext,
  actor: Actor,
  projectName: string,
  id: number,
): Promise<{ project: ProjectRow; hook: WebhookRow }> {
  const project = await resolveProject(ctx, actor, projectName, "edit");
  const hook = await ctx.store.webhooks.find({ id, projectId: project.id });
  if (!hook) throw new NotFoundError(`Webhook ${id} not found in "${project.name}"`, undefined, "webhook_not_found");
  return { project, hook };
}

/** Only http(s) to public addresses, unless private ones are allowed; checked again on every send. */
async function checkUrl(ctx: EngineContext, url: string): Promise<void> {
  const host = new URL(url).hostname;
  const verdict = await checkHost(host, webhookSettings(ctx.settings).allowPrivate);
  if (verdict.ok) return;
  if (verdict.reason === "unresolvable") {
    throw new InputError(`url: the host ${host} cannot be resolved`, { field: "url" }, "webhook_url_unresolvable");
  }
  throw new InputError(
    `url: ${host} is a private or loopback address (${verdict.address}); webhooks go to public addresses only (SLUICE_WEBHOOK_ALLOW_PRIVATE=1 allows private ones)`,
    { field: "url", address: verdict.address },
    "webhook_url_not_allowed",
  );
}

function toWebhook(project: ProjectRow, row: WebhookRow, last: DeliveryRow | null): Webhook {
  return {
    id: row.id,
    project: project.name,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEvent[],
    active: row.active === 1,
    disabledReason: row.disabled_reason === "failing" ? "failing" : null,
    disabledAt: iso(row.disabled_at),
    failingSince: iso(row.failing_since),
    secretSet: true,
    createdBy: row.created_by,
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
    lastDelivery: last ? toDelivery(last) : null,
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    guid: row.guid,
    event: row.event as DeliveryEvent,
    status: row.status,
    items: row.items,
    attempts: row.attempts,
    responseStatus: row.response_status,
    durationMs: row.duration_ms,
    error: row.error,
    nextAttemptAt: row.status === "pending" ? iso(row.next_attempt_at) : null,
    redeliveryOf: row.redelivery_of,
    createdAt: iso(row.created_at) as string,
    finishedAt: iso(row.finished_at),
  };
}
