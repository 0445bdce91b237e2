/**
 * Sign-in through the BFF: the engine's limits apply per browser address (the BFF forwards it
 * with its key), an attacker cannot lock a user out, and the 429's Retry-After reaches the browser.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "../../engine/test/db-snapshot.ts";
import { DATABASES } from "../../engine/test/harness.ts";
import { expectRefusal } from "../../engine/test/security-helpers.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

const LIMITS = {
  freeAttemptsPerUser: 3,
  freeAttemptsPerAddress: 8,
  minDelaySeconds: 30,
  maxDelaySeconds: 600,
  windowSeconds: 600,
};

const signIn = (stack: Stack, username: string, password: string, address?: string) =>
  new Browser(stack.bff.url).request(
    "POST",
    "/api/session",
    { username, password },
    address ? { "X-Forwarded-For": address } : {},
  );

describe.each(DATABASES)("sign-in through the BFF on $name", (db) => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.destroy();
  });

  async function setup(trustProxy: false | string[]) {
    stack = await startStack({ db, slots: 0, trustProxy, settings: { signInLimits: LIMITS } });
    await stack.engine.api.put("/v1/projects/acme", {});
    for (const name of ["dev", "mallory", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]) {
      await addUser(stack, name, {});
    }
  }

  it("the documented limit: five wrong passwords answer 401, the sixth at once 429 with Retry-After", async () => {
    stack = await startStack({ db, slots: 0 });
    await addUser(stack, "dev", {});
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(stack, "dev", "wrong")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const sixth = await signIn(stack, "dev", "dev-password");
    expectRefusal(sixth, 429, "too_many_attempts");
    expect(Number(sixth.headers.get("retry-after"))).toBe(1);
  });

  it("wrong passwords from one browser address never lock the user out from another; the 429 carries Retry-After", async () => {
    await setup(["loopback"]);
    let lastGuessSent = 0;
    for (let i = 0; i < 8; i++) {
      lastGuessSent = Date.now();
      await signIn(stack, "dev", "wrong", "203.0.113.1");
    }
    const before = await databaseSnapshot(stack.engine, { except: ["sign_in_limits"] });
    const limited = await signIn(stack, "dev", "dev-password", "203.0.113.1");
    // The 30 s wait counts from the last guess, so on a slow machine part of it has passed.
    const secondsSinceLastGuess = Math.ceil((Date.now() - lastGuessSent) / 1000);
    expectRefusal(limited, 429, "too_many_attempts");
    expect(await databaseSnapshot(stack.engine, { except: ["sign_in_limits"] })).toEqual(before);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(30 - secondsSinceLastGuess);
    expect((await signIn(stack, "dev", "dev-password", "203.0.113.2")).status).toBe(200);
  });

  it("signing in to one's own account between guesses resets nothing for the address", async () => {
    await setup(["loopback"]);
    for (let i = 1; i <= 7; i++) {
      expect((await signIn(stack, `u${i}`, "wrong", "203.0.113.3")).status).toBe(401);
      expect((await signIn(stack, "mallory", "mallory-password", "203.0.113.3")).status).toBe(200);
    }
    // The address's eighth failure: the next attempt, whoever it names, waits.
    expect((await signIn(stack, "dev", "wrong", "203.0.113.3")).status).toBe(401);
    expectRefusal(await signIn(stack, "u1", "wrong", "203.0.113.3"), 429, "too_many_attempts");
    expect((await signIn(stack, "u1", "u1-password", "203.0.113.4")).status).toBe(200);
  });

  it("without SLUICE_TRUST_PROXY the BFF ignores X-Forwarded-For: rotating it gets an attacker nowhere", async () => {
    await setup(false);
    for (let i = 0; i < 3; i++) expect((await signIn(stack, "dev", "wrong", `198.18.0.${i}`)).status).toBe(401);
    expectRefusal(await signIn(stack, "dev", "wrong", "198.18.0.99"), 429, "too_many_attempts");
  });
});
