/**
 * Webhooks: the requests that manage endpoints (zod, shared by engine, BFF and page), the shapes
 * the API answers with, and the header and event names receivers see.
 */
import { z } from "zod";

/** Events an endpoint may ask for. Per-build events arrive batched (`builds: [...]`). */
export const WEBHOOK_EVENTS = ["operation.completed", "build.canceled", "build.finished"] as const;
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

export type Webhook = {
  id: number;
  project: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  /** Set when the engine switched it off: `failing` (every attempt failed for 24 hours). */
  disabledReason: "failing" | null;
  disabledAt: string | null;
  /** The first failed attempt since the last success, while it keeps failing. */
  failingSince: string | null;
  /** The secret is never shown again; this says one is set. */
  secretSet: true;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastDelivery: WebhookDelivery | null;
};

export type DeliveryStatus = "pending" | "delivered" | "failed";

export type WebhookDelivery = {
  id: number;
  /** The `X-Sluice-Delivery` header: the same on every retry, new on a redelivery. */
  guid: string;
  event: DeliveryEvent;
  status: DeliveryStatus;
  /** Builds (or operations) the payload reports. */
  items: number;
  attempts: number;
  /** The last attempt's HTTP status, when the receiver answered. */
  responseStatus: number | null;
  durationMs: number | null;
  error: string | null;
  nextAttemptAt: string | null;
  redeliveryOf: number | null;
  createdAt: string;
  finishedAt: string | null;
};

export type WebhookAttempt = {
  attempt: number;
  startedAt: string;
  durationMs: number;
  responseStatus: number | null;
  /** The first kilobytes of the receiver's answer. */
  responseBody: string | null;
  error: string | null;
};

export type WebhookDeliveryDetail = WebhookDelivery & {
  /** The exact JSON body that was signed and sent. */
  payload: string;
  attemptLog: WebhookAttempt[];
};
