/**
 * Limits that hold under pressure: open streams per user, a project's running operations found
 * by a query on that project (others cannot crowd them out), and ids outside the pipeline
 * answered 404 before anything is locked.
 */
import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../common/sse-parser.ts";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { expectRefusal, userWithRoles } from "./security-helpers.ts";
import { seedBuilds } from "./seed.ts";

/** Opens an event stream and keeps it open until `close` is called. */
async function openStream(t: TestEngine, token: string, query = "project=acme") {
  const abort = new AbortController();
  const res = await fetch(`${t.engine.url}/v1/events?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const body = res.ok && res.body ? res.body : undefined;
  const reading = body ? readSse(body, () => {}, abort.signal).catch(() => {}) : Promise.resolve();
  return {
    status: res.status,
    headers: res.headers,
    json: body ? undefined : await res.json(),
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

describe.each(DATABASES)("open streams per user on $name", (db) => {
  let t: TestEngine;
  let dev: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxStreamsPerUser: 3 } });
    await t.api.pipeline("acme", "web", sleepPipeline());
    dev = await userWithRoles(t, "dev", { acme: "developer" });
    viewer = await userWithRoles(t, "viewer", { acme: "viewer" });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("beyond SLUICE_MAX_STREAMS_PER_USER a user gets 429 with Retry-After; others are not affected; a closed stream frees its place", async () => {
    const open = [await openStream(t, dev), await openStream(t, dev), await openStream(t, dev, "")];
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    const before = await databaseSnapshot(t);
    const refused = await openStream(t, dev);
    expectRefusal({ status: refused.status, body: refused.json }, 429, "too_many_streams");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await databaseSnapshot(t)).toEqual(before);
    const other = await openStream(t, viewer);
    expect(other.status).toBe(200);
    await open[0]!.close();
    const again = await waitFor(async () => {
      const s = await openStream(t, dev);
      if (s.status === 200) return s;
      await s.close();
      return undefined;
    });
    for (const s of [...open.slice(1), other, again]) await s.close();
  });
});

describe.each(DATABASES)("a project's running operations on $name", (db) => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("are found however many newer operations other projects have running", async () => {
    await t.api.pipeline("acme", "web", sleepPipeline());
    await t.api.pipeline("rival", "web", sleepPipeline());
    const store = t.engine.ctx.store;
    const operation = (project: string, createdAt: number) => async () => {
      const p = (await store.projects.findProject({ name: project }))!;
      const pl = (await store.projects.findPipeline({ projectId: p.id, name: "web" }))!;
      const id = crypto.randomUUID();
      await store.operations.insert({
        operation: {
          id,
          kind: "cancel",
          status: "running",
          source: "api",
          project_id: p.id,
          pipeline_id: pl.id,
          scope: "pipeline",
          selection: null,
          requested_by: "admin",
          reason: null,
          force: 0,
          limited: 1,
          total: 1,
          counts: "{}",
          pending: 1,
          idempotency_key: null,
          request_hash: null,
          rerun_by: null,
          rerun_of: null,
          stuck_at: null,
          stuck_said: 0,
          created_at: createdAt,
          completed_at: null,
        },
      });
      return id;
    };
    const now = Date.now();
    const mine = await operation("acme", now)();
    for (let i = 1; i <= 120; i++) await operation("rival", now + i)();
    const listed = await t.api.get("/v1/projects/acme/operations?pipeline=web&mine=1");
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: any) => o.id)).toEqual([mine]);
    expect((await t.api.get("/v1/projects/acme/operations")).body.items.map((o: any) => o.id)).toEqual([mine]);
  });
});

describe.each(DATABASES.filter((d) => d.name === "postgres"))(
  "ids outside the pipeline on $name (row locks exist on PostgreSQL only)",
  (db) => {
    let t: TestEngine;
    let client: pg.Client;
    let own: number[];
    let foreign: number;
    beforeAll(async () => {
      t = await startTestEngine({ db, slots: 0 });
      await t.api.pipeline("acme", "web", sleepPipeline());
      await t.api.pipeline("rival", "web", sleepPipeline());
      await userWithRoles(t, "dev", { acme: "developer" });
      own = await seedBuilds(t, "/v1/projects/acme/pipelines/web", 2, { status: () => "QUEUED" });
      [foreign] = (await seedBuilds(t, "/v1/projects/rival/pipelines/web", 1, { status: () => "QUEUED" })) as [number];
      client = new pg.Client({ connectionString: db.url, options: `-c search_path="${t.pgSchema}"` });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await t?.destroy();
    });

    /** Sends `request` while another transaction holds `locked`: did it answer, or wait for the lock? */
    async function whileLocked(locked: number[], request: () => Promise<{ status: number; body: any }>) {
      await client.query("BEGIN");
      await client.query("SELECT id FROM builds WHERE id = ANY($1::bigint[]) FOR UPDATE", [locked]);
      try {
        const answer = request();
        const waiting = waitFor(
          async () => {
            // Only this engine's connections: other suites on the same server wait on their own locks.
            const { rows } = await client.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = $1",
              [t.applicationName],
            );
            return rows[0].n > 0;
          },
          { timeoutMs: 60_000 },
        );
        const first = await Promise.race([answer.then(() => "answered"), waiting.then(() => "waited for a lock")]);
        await client.query("ROLLBACK");
        return { first, res: await answer };
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    }

    it("a batch cancel naming another project's build answers 404 without waiting for its lock", async () => {
      const dev = await t.api.as(undefined).post("/v1/sessions", { username: "dev", password: "dev-password" });
      const api = t.api.as(dev.body.token);
      const before = await databaseSnapshot(t);
      const { first, res } = await whileLocked([foreign], () =>
        api.post("/v1/projects/acme/pipelines/web/builds/batch-cancel", { buildIds: [...own, foreign] }),
      );
      expect(first).toBe("answered");
      expectRefusal(res, 404, "builds_not_found");
      expect(await databaseSnapshot(t)).toEqual(before);
    });

    it("and without locking its own pipeline's builds first", async () => {
      const before = await databaseSnapshot(t);
      const { first, res } = await whileLocked(own, () =>
        t.api.post("/v1/projects/acme/pipelines/web/builds/batch-cancel", { buildIds: [...own, foreign] }),
      );
      expect(first).toBe("answered");
      expectRefusal(res, 404, "builds_not_found");
      expect(await databaseSnapshot(t)).toEqual(before);
    });
  },
);
