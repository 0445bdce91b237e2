/**
 * Sign-in limits that an attacker cannot turn against users: counted per (username, address)
 * and per address, growing waits instead of a lockout, a success clears only its own count,
 * and forwarded addresses are believed only from proxies (or a BFF) that are trusted.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../common/config.ts";
import { SignInLimiter, type SignInLimits } from "../store/sign-in-limiter.ts";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASE_FREE, DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { expectRefusal } from "./security-helpers.ts";

const LIMITS: SignInLimits = {
  freeAttemptsPerUser: 3,
  freeAttemptsPerAddress: 8,
  // Long enough that a loaded machine's slow requests never outlast a wait the test expects.
  minDelaySeconds: 5,
  maxDelaySeconds: 60,
  windowSeconds: 600,
};

type Attempt = { status: number; body: any; headers: Headers };

function signInFrom(t: TestEngine, username: string, password: string, headers: Record<string, string> = {}) {
  return t.api.as(undefined).post("/v1/sessions", { username, password }, headers) as Promise<Attempt>;
}

async function createUsers(t: TestEngine, names: string[]) {
  for (const username of names) {
    const r = await t.api.post("/v1/users", { username, password: `${username}-password` });
    if (r.status !== 201) throw new Error(`user: ${r.status}`);
  }
}

describe.each(DATABASES)("the sign-in limiter's waits on $name", (db) => {
  let t: TestEngine;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    pool = db.url ? new pg.Pool({ connectionString: db.url, options: `-c search_path="${t.pgSchema}"` }) : undefined;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await pool?.end();
    await t?.destroy();
  });

  it("double with every attempt past the free ones, up to the cap, and a success starts over", async () => {
    let now = 1_700_000_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    const limiter = new SignInLimiter(pool ? { kind: "postgres", pool } : { kind: "memory" }, {
      ...LIMITS,
      freeAttemptsPerUser: 2,
      freeAttemptsPerAddress: 100,
      minDelaySeconds: 1,
      maxDelaySeconds: 8,
    });
    const waits: number[] = [];
    const attempt = () =>
      limiter.attempt("alice", "203.0.113.9").then(
        () => 0,
        (err) => err.retryAfterSeconds as number,
      );
    // Two free attempts; the third at once has to wait.
    expect([await attempt(), await attempt()]).toEqual([0, 0]);
    for (let i = 0; i < 5; i++) {
      const wait = await attempt();
      waits.push(wait);
      now += wait * 1000;
      expect(await attempt()).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8]);
    now += 8000;
    await limiter.succeeded(await limiter.attempt("alice", "203.0.113.9"));
    expect([await attempt(), await attempt()]).toEqual([0, 0]);
    vi.restoreAllMocks();
  });
});

describe.each(DATABASES)("sign-in limits over HTTP on $name", (db) => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0, settings: { trustProxy: ["loopback"], signInLimits: LIMITS } });
    await createUsers(t, ["alice", "mallory", ...Array.from({ length: 10 }, (_, i) => `user${i}`)]);
  });
  afterAll(async () => {
    await t?.destroy();
  });
  const from = (address: string) => ({ "X-Forwarded-For": address });
  const except = db.url ? ["sign_in_limits"] : [];

  it("wrong passwords from one address make that address wait, with Retry-After; nothing else changes", async () => {
    const a = from("198.51.100.1");
    for (let i = 0; i < 3; i++) expect((await signInFrom(t, "alice", "wrong", a)).status).toBe(401);
    const before = await databaseSnapshot(t, { except });
    const limited = await signInFrom(t, "alice", "alice-password", a);
    expectRefusal(limited, 429, "too_many_attempts");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await databaseSnapshot(t, { except })).toEqual(before);
    // The wait passes: the right password works again from there.
    await waitFor(async () => (await signInFrom(t, "alice", "alice-password", a)).status === 201, {
      timeoutMs: 30_000,
    });
  });

  it("no lockout of a named user: another address signs in at once", async () => {
    const attacker = from("198.51.100.2");
    for (let i = 0; i < 10; i++) expect([401, 429]).toContain((await signInFrom(t, "user0", "wrong", attacker)).status);
    expect((await signInFrom(t, "user0", "wrong", attacker)).status).toBe(429);
    expect((await signInFrom(t, "user0", "user0-password", from("198.51.100.3"))).status).toBe(201);
  });

  it("signing in to one's own account between guesses resets neither the guessed user's count nor the address's", async () => {
    const a = from("198.51.100.4");
    for (let i = 0; i < 3; i++) {
      expect((await signInFrom(t, "user1", "wrong", a)).status).toBe(401);
      expect((await signInFrom(t, "mallory", "mallory-password", a)).status).toBe(201);
    }
    expectRefusal(await signInFrom(t, "user1", "wrong", a), 429, "too_many_attempts");
  });

  it("an address guessing across many usernames waits; another address does not", async () => {
    const a = from("198.51.100.5");
    for (let i = 2; i < 9; i++) {
      expect((await signInFrom(t, `user${i}`, "wrong", a)).status).toBe(401);
      expect((await signInFrom(t, "mallory", "mallory-password", a)).status).toBe(201);
    }
    // The address's eighth failure; the ninth attempt, for a user it never tried, waits.
    expect((await signInFrom(t, "user9", "wrong", a)).status).toBe(401);
    expectRefusal(await signInFrom(t, "alice", "wrong", a), 429, "too_many_attempts");
    expect((await signInFrom(t, "user9", "wrong", from("198.51.100.6"))).status).toBe(401);
  });

  it("an IPv6 client is counted by its /64: moving inside it does not help", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await signInFrom(t, "alice", "wrong", from(`2001:db8:1:2::${i + 1}`))).status).toBe(401);
    }
    expectRefusal(await signInFrom(t, "alice", "wrong", from("2001:db8:1:2:ffff::9")), 429, "too_many_attempts");
    expect((await signInFrom(t, "alice", "alice-password", from("2001:db8:1:3::1"))).status).toBe(201);
  });
});

describe.each(DATABASES)("the documented sign-in limit on $name", (db) => {
  let t: TestEngine;
  beforeAll(async () => {
    // The defaults, as the README states them: five attempts, then 429.
    t = await startTestEngine({ db, slots: 0 });
    await createUsers(t, ["alice"]);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("five wrong passwords answer 401; the sixth at once answers 429 with Retry-After, even with the right password", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signInFrom(t, "alice", "wrong")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const before = await databaseSnapshot(t, { except: db.url ? ["sign_in_limits"] : [] });
    const sixth = await signInFrom(t, "alice", "alice-password");
    expectRefusal(sixth, 429, "too_many_attempts");
    expect(Number(sixth.headers.get("retry-after"))).toBe(1);
    expect(await databaseSnapshot(t, { except: db.url ? ["sign_in_limits"] : [] })).toEqual(before);
  });
});

describe.each(DATABASES)("forwarded addresses on $name", (db) => {
  const engines: TestEngine[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0)) await t.destroy();
  });

  it("X-Forwarded-For is ignored unless SLUICE_TRUST_PROXY trusts the proxy (it is off by default)", async () => {
    const t = await startTestEngine({ db, slots: 0, settings: { signInLimits: LIMITS } });
    engines.push(t);
    await createUsers(t, ["alice"]);
    for (let i = 0; i < 3; i++) {
      expect((await signInFrom(t, "alice", "wrong", { "X-Forwarded-For": `192.0.2.${i}` })).status).toBe(401);
    }
    expectRefusal(await signInFrom(t, "alice", "wrong", { "X-Forwarded-For": "192.0.2.99" }), 429, "too_many_attempts");
  });

  it("a BFF's forwarded browser address counts only with the BFF key", async () => {
    const t = await startTestEngine({ db, slots: 0, settings: { signInLimits: LIMITS, bffKey: "the-bff-key" } });
    engines.push(t);
    await createUsers(t, ["alice"]);
    const browser = (address: string, key: string) => ({ "X-Sluice-Client-Address": address, "X-Sluice-Bff-Key": key });
    for (let i = 0; i < 3; i++) {
      expect((await signInFrom(t, "alice", "wrong", browser(`192.0.2.${i}`, "forged"))).status).toBe(401);
    }
    expectRefusal(await signInFrom(t, "alice", "wrong", browser("192.0.2.99", "forged")), 429, "too_many_attempts");
    for (let i = 0; i < 3; i++) {
      expect((await signInFrom(t, "alice", "wrong", browser("192.0.2.200", "the-bff-key"))).status).toBe(401);
    }
    expectRefusal(
      await signInFrom(t, "alice", "wrong", browser("192.0.2.200", "the-bff-key")),
      429,
      "too_many_attempts",
    );
    expect((await signInFrom(t, "alice", "alice-password", browser("192.0.2.201", "the-bff-key"))).status).toBe(201);
  });
});

describe.runIf(DATABASE_FREE)("SLUICE_TRUST_PROXY", () => {
  it("is off unless set; takes hops or addresses, subnets and names; never everyone", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SLUICE_TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadConfig({ SLUICE_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ SLUICE_TRUST_PROXY: "loopback, 10.1.0.0/16,fd00::1" }).trustProxy).toEqual([
      "loopback",
      "10.1.0.0/16",
      "fd00::1",
    ]);
    for (const everyone of ["true", "*", "0.0.0.0/0 ; rm"]) {
      expect(() => loadConfig({ SLUICE_TRUST_PROXY: everyone })).toThrow(/SLUICE_TRUST_PROXY/);
    }
  });
});

describe.each(DATABASES.filter((d) => d.name === "postgres"))("two engines on one $name database", (db) => {
  const engines: TestEngine[] = [];
  afterAll(async () => {
    for (const t of engines.reverse()) await t.destroy();
  });

  it("share the sign-in counts: going from one replica to the other gains an attacker nothing", async () => {
    const settings = { trustProxy: ["loopback"], signInLimits: LIMITS };
    const first = await startTestEngine({ db, slots: 0, settings });
    engines.push(first);
    const second = await startTestEngine({ db, slots: 0, settings, pgSchema: first.pgSchema as string });
    engines.push(second);
    await createUsers(first, ["alice"]);
    const a = { "X-Forwarded-For": "198.51.100.77" };
    for (const t of [first, second, first]) expect((await signInFrom(t, "alice", "wrong", a)).status).toBe(401);
    expectRefusal(await signInFrom(second, "alice", "wrong", a), 429, "too_many_attempts");
    expectRefusal(await signInFrom(first, "alice", "wrong", a), 429, "too_many_attempts");
  });
});
