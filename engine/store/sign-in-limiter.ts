/**
 * The sign-in limiter, for the engine's `POST /v1/sessions` and so for the BFF's sign-in too.
 * Attempts are counted per (username, address) and per address with rate-limiter-flexible.
 * Past a few free attempts each further one waits, and the wait doubles with every attempt
 * (1 s, 2 s, 4 s ... up to a cap; the scheme of the library's ExpressBruteFlexible): with five
 * free attempts, five wrong passwords answer 401 and a sixth at once 429. There is
 * no flat lockout of an account: what one address does never slows another address down. A
 * successful sign-in clears its own (username, address) count and is not counted against its
 * address. On PostgreSQL the counts live in the database, shared by every engine replica; on
 * SQLite (one process) in memory.
 */
import crypto from "node:crypto";
import net from "node:net";
import type pg from "pg";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { RateLimitedError } from "../../common/errors.ts";

export type SignInLimits = {
  /** Attempts one username gets from one address before each further one waits. */
  freeAttemptsPerUser: number;
  /** Failed attempts one address gets, over all usernames, before each further one waits. */
  freeAttemptsPerAddress: number;
  /** The first wait; each further attempt's wait doubles, up to `maxDelaySeconds`. */
  minDelaySeconds: number;
  maxDelaySeconds: number;
  /** Counts are forgotten this long after they started. */
  windowSeconds: number;
};

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  freeAttemptsPerUser: 5,
  freeAttemptsPerAddress: 50,
  minDelaySeconds: 1,
  maxDelaySeconds: 15 * 60,
  windowSeconds: 24 * 3600,
};

/** The table the PostgreSQL store keeps its counts in (migration 011 creates it). */
export const SIGN_IN_LIMITS_TABLE = "sign_in_limits";

export type LimiterStore = { kind: "memory" } | { kind: "postgres"; pool: pg.Pool };

type LimiterOptions = { keyPrefix: string; points: number; duration: number; clearExpired?: boolean };

function limiterFor(store: LimiterStore) {
  return (opts: LimiterOptions): RateLimiterAbstract => {
    const base = { keyPrefix: opts.keyPrefix, points: opts.points, duration: opts.duration };
    if (store.kind === "memory") return new RateLimiterMemory(base);
    return new RateLimiterPostgres({
      ...base,
      storeClient: store.pool,
      storeType: "pool",
      tableName: SIGN_IN_LIMITS_TABLE,
      tableCreated: true,
      // One of the limiters sharing the table deletes expired rows (every five minutes).
      clearExpiredByTimeout: opts.clearExpired ?? false,
    });
  };
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** How an attempt got through a ladder: on a free attempt, or through the gate (closing it behind). */
type Charge = { key: string; via: "free" | "gate" };

/** One key's ladder: free attempts, then one attempt per wait, the wait doubling each time. */
class Ladder {
  private readonly free: RateLimiterAbstract;
  private readonly gate: RateLimiterAbstract;
  private readonly waited: RateLimiterAbstract;

  constructor(
    make: (opts: LimiterOptions) => RateLimiterAbstract,
    prefix: string,
    freeAttempts: number,
    private readonly limits: SignInLimits,
    clearExpired: boolean,
  ) {
    this.free = make({
      keyPrefix: `${prefix}_free`,
      points: freeAttempts,
      duration: limits.windowSeconds,
      clearExpired,
    });
    this.gate = make({ keyPrefix: `${prefix}_gate`, points: 1, duration: limits.maxDelaySeconds });
    this.waited = make({ keyPrefix: `${prefix}_waits`, points: 1, duration: limits.windowSeconds });
  }

  /**
   * Counts an attempt that may go ahead, or answers the seconds to wait (and counts nothing more).
   * The last free attempt closes the gate behind it: with five free attempts the sixth, made at
   * once, waits.
   */
  async attempt(key: string): Promise<Charge | { wait: number }> {
    const closed = await this.gate.get(key);
    if (closed && closed.consumedPoints >= 1 && closed.msBeforeNext > 0) return { wait: seconds(closed.msBeforeNext) };
    try {
      const counted = await this.free.consume(key);
      if (counted.remainingPoints > 0) return { key, via: "free" };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
    }
    // The last free attempt, or one after the wait: it goes ahead and closes the gate behind it.
    const waits = (await this.waited.get(key))?.consumedPoints ?? 0;
    const wait = Math.min(this.limits.maxDelaySeconds, this.limits.minDelaySeconds * 2 ** waits);
    const gate = await this.gate.penalty(key, 1, { customDuration: wait });
    if (gate.consumedPoints !== 1) {
      // An attempt racing this one took the gate first.
      await this.free.reward(key, 1);
      return { wait: seconds(gate.msBeforeNext) };
    }
    await this.waited.penalty(key, 1);
    return { key, via: "gate" };
  }

  /** Forgets the key: a successful sign-in starts its (username, address) count over. */
  async clear(key: string): Promise<void> {
    await Promise.all([this.free.delete(key), this.gate.delete(key), this.waited.delete(key)]);
  }

  /** Takes an attempt back as if it had not been made (a success is not held against its address). */
  async undo(charge: Charge): Promise<void> {
    await this.free.reward(charge.key, 1);
    if (charge.via === "gate") await Promise.all([this.gate.delete(charge.key), this.waited.reward(charge.key, 1)]);
  }
}

/** What `SignInLimiter.attempt` counted, for `succeeded` to take back. */
export type SignInPass = { user: Charge; address: Charge };

export class SignInLimiter {
  private readonly perUser: Ladder;
  private readonly perAddress: Ladder;

  constructor(store: LimiterStore, limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS) {
    const make = limiterFor(store);
    this.perUser = new Ladder(make, "signin_user", limits.freeAttemptsPerUser, limits, true);
    this.perAddress = new Ladder(make, "signin_addr", limits.freeAttemptsPerAddress, limits, false);
  }

  /** Counts a sign-in attempt, or throws 429 `too_many_attempts` with the seconds to wait. */
  async attempt(username: string, address: string): Promise<SignInPass> {
    const byAddress = await this.perAddress.attempt(addressKey(address));
    if ("wait" in byAddress) throw tooMany(byAddress.wait);
    const byUser = await this.perUser.attempt(userKey(username, address));
    if ("wait" in byUser) {
      // Refused before any password was tried: not held against the address.
      await this.perAddress.undo(byAddress);
      throw tooMany(byUser.wait);
    }
    return { user: byUser, address: byAddress };
  }

  /** The attempt succeeded: its (username, address) count starts over, and its address is not charged. */
  async succeeded(pass: SignInPass): Promise<void> {
    await Promise.all([this.perUser.clear(pass.user.key), this.perAddress.undo(pass.address)]);
  }
}

function tooMany(wait: number): RateLimitedError {
  return new RateLimitedError(
    "Too many sign-in attempts from here; wait before trying again",
    wait,
    "too_many_attempts",
  );
}

function hashed(...parts: string[]): string {
  return crypto.createHash("sha256").update(parts.join("\n")).digest("base64url");
}

function userKey(username: string, address: string): string {
  return hashed(username.toLowerCase(), normalizeAddress(address));
}

function addressKey(address: string): string {
  return hashed(normalizeAddress(address));
}

/**
 * One key per client: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, the smallest block
 * one subscriber usually holds (an attacker picks any address inside it).
 */
export function normalizeAddress(address: string): string {
  const bare = address.replace(/%.*$/, "");
  if (bare.startsWith("::ffff:") && net.isIPv4(bare.slice(7))) return bare.slice(7);
  if (!net.isIPv6(bare)) return bare;
  return `${ipv6Groups(bare).slice(0, 4).join(":")}::/64`;
}

function ipv6Groups(address: string): string[] {
  const split = (part: string | undefined) =>
    (part ? part.split(":") : []).flatMap((group) => {
      if (!net.isIPv4(group)) return [group];
      const [a, b, c, d] = group.split(".").map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const [head, tail] = address.split("::");
  const start = split(head);
  const end = split(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - start.length - end.length).fill("0");
  return [...start, ...zeros, ...end].map((g) => Number.parseInt(g, 16).toString(16));
}
