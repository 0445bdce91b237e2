/**
 * Failed sign-ins are slowed down and limited per username and per address: after `maxFailures`
 * within `windowMs`, further attempts answer 429 until the window has passed.
 */
import { RateLimitedError } from "../common/errors.ts";

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    /** Each failure answers no sooner than this, so guessing is slow even below the limit. */
    readonly failureDelayMs = 500,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length > 0) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  check(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.maxFailures) {
        const retryAfter = Math.ceil(((recent[0] as number) + this.windowMs - now) / 1000);
        throw new RateLimitedError(
          "Too many failed sign-ins; wait before trying again",
          retryAfter,
          "too_many_attempts",
        );
      }
    }
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
