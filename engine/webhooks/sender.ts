/**
 * Sends due webhook deliveries. Each endpoint gets at most `ratePerMinute` requests a minute
 * (its `next_send_at` slot, taken in the database, so engines sharing one respect it together);
 * different endpoints are served side by side. Every attempt is recorded; a failed one is
 * retried with backoff and jitter for 24 hours, and an endpoint failing for 24 hours is
 * disabled. A claimed delivery whose engine dies is due again after the claim runs out.
 */
import type { EngineContext, WebhookSettings } from "../context.ts";
import { TOPICS } from "../ports/wakeups.ts";
import type { DeliveryRow } from "../store/webhooks-repo.ts";
import { webhookSettings } from "../use-cases/webhooks/settings.ts";
import { postWebhook } from "./http-post.ts";
import { nextAttemptAt } from "./retry-schedule.ts";
import { signBody } from "./signature.ts";

/** A claim outlives the request's timeout, so a live engine's attempt is never taken over. */
const CLAIM_MARGIN_MS = 20_000;
const MAX_ENDPOINTS_AT_ONCE = 16;
/** Requests under way at once, over all endpoints. */
const MAX_IN_FLIGHT = 64;
const IDLE_WAIT_MS = 1000;
const PRUNE_EVERY_MS = 3_600_000;

export const USER_AGENT = "Sluice-Hookshot/1";

class SlotTaken extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WebhookSender {
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly settings: WebhookSettings;
  private lastPrune = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly ctx: EngineContext) {
    this.settings = webhookSettings(ctx.settings);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const woken = this.ctx.bus.wait(TOPICS.webhooks, IDLE_WAIT_MS, signal);
      try {
        if ((await this.startDue()) > 0) continue;
        // As many requests under way as allowed: the next one to end wakes the loop.
        if (this.inFlight.size >= MAX_IN_FLIGHT) {
          await woken;
          continue;
        }
        await this.prune();
        const next = await this.ctx.store.webhooks.nextDueAt();
        const wait = next === null ? IDLE_WAIT_MS : Math.min(IDLE_WAIT_MS, next - this.ctx.now());
        if (wait <= 0) continue;
        await Promise.race([woken, sleep(wait)]);
      } catch (err) {
        if (signal.aborted) break;
        this.ctx.log.warn("webhook sending failed; retrying", { err });
        await woken;
      }
    }
    // Requests under way finish (each within the timeout) and are recorded.
    await Promise.all(this.inFlight);
  }

  /**
   * Claims one due delivery for each endpoint whose rate allows a request now and sends them
   * side by side, without waiting for the answers; returns how many it started.
   */
  private async startDue(): Promise<number> {
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0) return 0;
    const now = this.ctx.now();
    const endpoints = await this.ctx.store.webhooks.sendable({ now, limit: Math.min(room, MAX_ENDPOINTS_AT_ONCE) });
    const claimed = (await Promise.all(endpoints.map((id) => this.claim(id, now)))).filter(
      (c): c is Claimed => c !== undefined,
    );
    for (const c of claimed) {
      const sending: Promise<void> = this.send(c)
        .catch((err) => this.ctx.log.warn("recording a webhook attempt failed", { err }))
        .finally(() => {
          this.inFlight.delete(sending);
          this.ctx.bus.publish(TOPICS.webhooks);
        });
      this.inFlight.add(sending);
    }
    return claimed.length;
  }

  private async claim(webhookId: number, now: number): Promise<Claimed | undefined> {
    const intervalMs = 60_000 / this.settings.ratePerMinute;
    try {
      return await this.ctx.store.transaction(async (tx) => {
        if (!(await tx.webhooks.takeSendSlot({ webhookId, now, intervalMs }))) return undefined;
        const delivery = await tx.webhooks.claimDue({
          webhookId,
          now,
          leaseMs: this.settings.timeoutMs + CLAIM_MARGIN_MS,
        });
        // Nothing due after all (another engine took it): give the slot back.
        if (!delivery) throw new SlotTaken();
        const hook = await tx.webhooks.findById({ id: webhookId });
        return hook ? { delivery, url: hook.url, secret: hook.secret, slotAt: now } : undefined;
      });
    } catch (err) {
      if (err instanceof SlotTaken) return undefined;
      throw err;
    }
  }

  private async send({ delivery, url, secret, slotAt }: Claimed): Promise<void> {
    const result = await postWebhook({
      url,
      body: delivery.body,
      headers: deliveryHeaders(delivery, secret),
      timeoutMs: this.settings.timeoutMs,
      allowPrivate: this.settings.allowPrivate,
    });
    this.ctx.metrics.webhookAttempt({
      outcome: result.ok ? "success" : result.status === null && result.refused ? "refused" : "failure",
      durationMs: result.durationMs,
    });
    // Refused by the address policy: recorded as such and never retried (nothing was sent).
    const refused = result.status === null && result.refused;
    await this.ctx.store.transaction(async (tx) => {
      const now = this.ctx.now();
      const attempts = delivery.attempts + 1;
      const error = result.status === null ? result.error : result.ok ? null : `HTTP ${result.status}`;
      await tx.webhooks.insertAttempt({
        delivery_id: delivery.id,
        attempt: attempts,
        started_at: slotAt,
        duration_ms: result.durationMs,
        response_status: result.status,
        response_body: result.status === null ? null : result.body,
        error,
      });
      const retryAt =
        result.ok || refused
          ? null
          : nextAttemptAt({ attempts, createdAt: Number(delivery.created_at), now, settings: this.settings });
      await tx.webhooks.finishAttempt({
        id: delivery.id,
        status: result.ok ? "delivered" : refused ? "refused" : retryAt === null ? "failed" : "pending",
        nextAttemptAt: retryAt,
        responseStatus: result.status,
        durationMs: result.durationMs,
        error,
        now,
      });
      if (result.ok) {
        await tx.webhooks.markHealthy({ id: delivery.webhook_id });
        return;
      }
      // The endpoint did not fail: it was not asked.
      if (refused) return;
      const failingSince = await tx.webhooks.markFailing({ id: delivery.webhook_id, now });
      if (now - failingSince >= this.settings.disableAfterMs) {
        await tx.webhooks.disable({ id: delivery.webhook_id, now, reason: "webhook_disabled" });
        this.ctx.log.warn("disabled a webhook that kept failing", {
          webhookId: delivery.webhook_id,
          failingSince: new Date(failingSince).toISOString(),
        });
      }
    });
  }

  private async prune(): Promise<void> {
    const now = this.ctx.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await this.ctx.store.webhooks.pruneDeliveries({ before: now - this.settings.logRetentionMs, limit: 10_000 });
  }
}

/** `slotAt`: the start of the send slot the attempt took (the rate limit spaces these). */
type Claimed = { delivery: DeliveryRow; url: string; secret: string; slotAt: number };

/** The headers of a delivery, as GitHub's: event, delivery id, hook id and the body's signature. */
export function deliveryHeaders(delivery: DeliveryRow, secret: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "X-Sluice-Event": delivery.event,
    "X-Sluice-Delivery": delivery.guid,
    "X-Sluice-Hook-ID": String(delivery.webhook_id),
    "X-Sluice-Signature-256": signBody(secret, delivery.body),
  };
}
