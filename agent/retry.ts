/**
 * Retrying calls to the engine while it is away (restarting, failing over, out of disk): backoff
 * with jitter, until the call answers, the answer is final, or the agent stops.
 *
 * Hand-written on purpose: p-retry (the kept library) never retries a TypeError outside its list
 * of network errors, while fetch reports a connection reset mid-body as `TypeError: terminated`,
 * which must be retried here; the loop is a few lines. Webhook redelivery has its own schedule
 * (`engine/webhooks/retry-schedule.ts`) because its attempts are rows in the database, not a loop.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../common/errors.ts";

/** Whether an error means "try again later" rather than "this will never work". */
export function isTransient(err: unknown): boolean {
  if (err instanceof AppError) return err.status >= 500 || err.status === 408 || err.status === 429;
  // fetch's network failures (connection refused or reset, DNS, aborted by a timeout).
  return err instanceof TypeError || (err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError";
}

export async function retrying<T>(
  call: () => Promise<T>,
  opts: { stopped: () => boolean; onRetry?: (err: unknown, attempt: number) => void; maxDelayMs?: number },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err) || opts.stopped()) throw err;
      opts.onRetry?.(err, attempt);
      const cap = Math.min(opts.maxDelayMs ?? 5000, 100 * 2 ** Math.min(attempt, 10));
      await sleep(cap / 2 + Math.random() * (cap / 2));
    }
  }
}
