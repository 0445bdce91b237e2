/**
 * When a failed delivery is tried again: exponential backoff (the base, doubling per attempt, at
 * most `retryMaxDelayMs`) with jitter (a random half of the delay is taken off, so endpoints that
 * failed together do not retry together), until `retryForMs` after the delivery was created.
 * A formula rather than a retry library: the next attempt is a time stored with the delivery (it
 * survives restarts and moves between replicas), not a loop in one process.
 */
import type { WebhookSettings } from "../context.ts";

export function nextAttemptAt(opts: {
  /** Attempts made so far, the failed one included (1 after the first). */
  attempts: number;
  createdAt: number;
  now: number;
  settings: Pick<WebhookSettings, "retryBaseMs" | "retryMaxDelayMs" | "retryForMs">;
  random?: () => number;
}): number | null {
  const { retryBaseMs, retryMaxDelayMs, retryForMs } = opts.settings;
  const exponent = Math.min(opts.attempts - 1, 40);
  const delay = Math.min(retryMaxDelayMs, retryBaseMs * 2 ** exponent);
  const jittered = delay * (0.5 + 0.5 * (opts.random ?? Math.random)());
  const at = Math.round(opts.now + jittered);
  const giveUpAt = opts.createdAt + retryForMs;
  if (opts.now >= giveUpAt) return null;
  return Math.min(at, giveUpAt);
}
