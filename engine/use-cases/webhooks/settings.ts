/** Webhook settings with their defaults filled in. */
import type { EngineSettings, WebhookSettings } from "../../context.ts";

const HOUR = 3_600_000;

export const WEBHOOK_DEFAULTS: WebhookSettings = {
  allowPrivate: false,
  ratePerMinute: 60,
  batchSize: 1000,
  timeoutMs: 10_000,
  retryBaseMs: 10_000,
  retryMaxDelayMs: HOUR,
  retryForMs: 24 * HOUR,
  disableAfterMs: 24 * HOUR,
  logRetentionMs: 30 * 24 * HOUR,
};

export function webhookSettings(settings: EngineSettings): WebhookSettings {
  return { ...WEBHOOK_DEFAULTS, ...settings.webhooks };
}
