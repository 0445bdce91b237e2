/**
 * A dropped database connection is survived (PostgreSQL): idle or in the middle of a bulk cancel,
 * `pg_terminate_backend` on every connection of an engine neither ends the process nor loses work;
 * the LISTEN connection comes back, so another replica's events still wake this one's streams.
 */
import crypto from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { collectEvents, DATABASES, processesWithArg, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const POSTGRES = DATABASES.filter((d) => d.url);

/** Terminates every connection of one engine (its connections carry its application name). */
async function terminateConnections(url: string, t: TestEngine): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1",
      [t.applicationName],
    );
    return rows.length;
  } finally {
    await client.end();
  }
}

// PostgreSQL only: skipped whole (not an empty file) in the suite's SQLite project.
describe.skipIf(POSTGRES.length === 0)("on PostgreSQL", () => {
  describe.each(POSTGRES)("database connections dropped on $name", (db) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    it("idle: the engine keeps answering, and its LISTEN connection comes back (another replica's events still wake its streams)", async () => {
      const a = await startTestEngine({ db, slots: 0 });
      cleanups.push(() => a.destroy());
      // A second replica on the same schema whose streams only wake on NOTIFY (no early heartbeat).
      const b = await startTestEngine({ db, slots: 0, pgSchema: a.pgSchema as string, heartbeatMs: 600_000 });
      cleanups.push(() => b.stop());
      const p = await a.api.pipeline("acme", "idle", {
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
      });

      expect(await terminateConnections(db.url as string, b)).toBeGreaterThan(0);
      await waitFor(async () => (await fetch(`${b.engine.url}/healthz/ready`)).status === 200, { what: "ready again" });

      let created = 0;
      const seen = collectEvents(b.api, "project=acme&types=build.created", {
        onOpen: async () => {
          created = (await a.api.trigger(p)).id;
        },
        until: (events) => events.some((e) => e.data.buildId === created),
        timeoutMs: 30_000,
      });
      const { events } = await seen;
      expect(events.map((e) => e.data.buildId)).toContain(created);
      expect((await b.api.get(`${p}/builds/counts`)).status).toBe(200);
    });

    it("in the middle of a bulk cancel: the operation completes, every build is CANCELED, no process is left", async () => {
      const t = await startTestEngine({ db, slots: 20 });
      cleanups.push(() => t.destroy());
      const nonce = String(crypto.randomInt(100_000, 999_999_999));
      const p = await t.api.pipeline("acme", "busy", {
        cancelGraceSeconds: 2,
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 300.${nonce}` }] }] }],
      });
      for (let i = 0; i < 20; i++) await t.api.trigger(p);
      await waitFor(async () => (await processesWithArg(`300.${nonce}`)).length === 20, { what: "20 running" });

      const res = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING"] } });
      expect(res.status).toBe(202);
      await terminateConnections(db.url as string, t);

      const op = await waitFor(
        async () => {
          const r = await t.api.get(`/v1/operations/${res.body.id}`);
          return r.status === 200 && r.body.status === "completed" ? r.body : null;
        },
        { what: "the operation to complete", timeoutMs: 60_000 },
      );
      expect(op.counts).toEqual({
        canceled: 20,
        alreadyFinished: 0,
        failed: 0,
        protected: 0,
        created: 0,
        skipped: 0,
        pending: 0,
      });
      expect((await t.api.get(`${p}/builds/counts`)).body.CANCELED).toBe(20);
      expect(await processesWithArg(`300.${nonce}`)).toEqual([]);
    });
  });
});
