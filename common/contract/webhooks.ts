/**
 * Webhooks: the requests that manage endpoints (zod, shared by engine, BFF and page), the shapes
 * the API answers with, and the header and event names receivers see.
 */
import { z } from "zod";
import { list, page, QueryText, Time } from "./shared.ts";

/** Events an endpoint may ask for. Per-build events arrive batched (`builds: [...]`). */
export const WEBHOOK_EVENTS = ["operation.completed", "operation.stuck", "build.canceled", "build.finished"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** `ping` is sent on request (the settings page's "Send test"), to any endpoint. */
export type DeliveryEvent = WebhookEvent | "ping";

export const PER_BUILD_EVENTS: readonly WebhookEvent[] = ["build.canceled", "build.finished"];

export const WEBHOOK_HEADERS = {
  event: "X-Sluice-Event",
  delivery: "X-Sluice-Delivery",
  hook: "X-Sluice-Hook-ID",
  signature: "X-Sluice-Signature-256",
} as const;

export const MIN_SECRET_LENGTH = 16;

export const WebhookUrl = z
  .string()
  .max(2000, "must be at most 2000 characters")
  .pipe(z.url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" }));

export const WebhookSecret = z
  .string()
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
  .max(256, "must be at most 256 characters");

const Events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, "must name at least one event")
  .transform((events) => [...new Set(events)]);

export const CreateWebhookRequest = z.strictObject({
  url: WebhookUrl,
  secret: WebhookSecret,
  events: Events,
  active: z.boolean().default(true),
});
export type CreateWebhookRequest = z.input<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = z
  .strictObject({
    url: WebhookUrl.optional(),
    secret: WebhookSecret.optional(),
    events: Events.optional(),
    /** `true` also re-enables an endpoint the engine disabled for failing. */
    active: z.boolean().optional(),
  })
  .refine((r) => Object.values(r).some((v) => v !== undefined), { message: "change at least one field" });
export type UpdateWebhookRequest = z.input<typeof UpdateWebhookRequest>;

/**
 * `refused`: the address policy refused the request (a private or loopback address while
 * `SLUICE_WEBHOOK_ALLOW_PRIVATE` is off); nothing was sent, it is not retried, and its error
 * starts with `webhook_url_not_allowed`.
 */
export const DeliveryStatus = z.enum(["pending", "delivered", "failed", "refused"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const WebhookDelivery = z.object({
  id: z.number().int(),
  /** The `X-Sluice-Delivery` header: the same on every retry, new on a redelivery. */
  guid: z.string(),
  event: z.enum([...WEBHOOK_EVENTS, "ping"]),
  status: DeliveryStatus,
  /** Builds (or operations) the payload reports. */
  items: z.number().int(),
  attempts: z.number().int(),
  /** The last attempt's HTTP status, when the receiver answered. */
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
  nextAttemptAt: Time.nullable(),
  redeliveryOf: z.number().int().nullable(),
  createdAt: Time,
  finishedAt: Time.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const Webhook = z.object({
  id: z.number().int(),
  project: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  active: z.boolean(),
  /** Set when the engine switched it off: `failing` (every attempt failed for 24 hours). */
  disabledReason: z.literal("failing").nullable(),
  disabledAt: Time.nullable(),
  /** The first failed attempt since the last success, while it keeps failing. */
  failingSince: Time.nullable(),
  /** The secret is never shown again; this says one is set. */
  secretSet: z.literal(true),
  createdBy: z.string(),
  createdAt: Time,
  updatedAt: Time,
  lastDelivery: WebhookDelivery.nullable(),
});
export type Webhook = z.infer<typeof Webhook>;

export const WebhookAttempt = z.object({
  attempt: z.number().int(),
  startedAt: Time,
  durationMs: z.number(),
  responseStatus: z.number().int().nullable(),
  /** The first kilobytes of the receiver's answer. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDeliveryDetail = WebhookDelivery.extend({
  /** The exact JSON body that was signed and sent. */
  payload: z.string(),
  attemptLog: z.array(WebhookAttempt),
});
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetail>;

export const WebhookList = list(Webhook);
export const WebhookDeliveryPage = page(WebhookDelivery);

/** `GET .../webhooks/{id}/deliveries`: `cursor`, `limit` (1–200); checked by the route. */
export const DeliveriesQuery = z.object({ cursor: QueryText.optional(), limit: QueryText.optional() });
