import { describe, expect, it } from "vitest";
import { WEBHOOK_DEFAULTS } from "../use-cases/webhooks/settings.ts";
import { nextAttemptAt } from "./retry-schedule.ts";

const HOUR = 3_600_000;

describe("webhook retry schedule", () => {
  it("doubles from 10 s with a random half taken off, and never waits more than an hour", () => {
    const at = (attempts: number, random: number) =>
      nextAttemptAt({ attempts, createdAt: 0, now: 0, settings: WEBHOOK_DEFAULTS, random: () => random }) as number;
    expect([1, 2, 3, 4].map((n) => at(n, 1))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect([1, 2, 3, 4].map((n) => at(n, 0))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(at(20, 1)).toBe(HOUR);
    expect(at(200, 0.5)).toBe(0.75 * HOUR);
  });

  it("keeps retrying until 24 hours after the delivery was created, then gives up", () => {
    const settings = WEBHOOK_DEFAULTS;
    let now = 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = nextAttemptAt({ attempts, createdAt: 0, now, settings, random: () => 1 });
      if (next === null) break;
      expect(next).toBeGreaterThan(now);
      now = next;
    }
    expect(now).toBe(24 * HOUR);
    // 10 s, 20 s, ... up to an hour, then hourly: about 30 attempts in the day.
    expect(attempts).toBeGreaterThan(25);
    expect(attempts).toBeLessThan(40);
  });
});
