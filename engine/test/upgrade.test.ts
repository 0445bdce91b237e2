/**
 * Upgrades: the current engine opens a database the previous version left — builds running on a
 * remote agent, a bulk cancel accepted and not yet settled — migrates it forward under them and
 * finishes them. Migrations only go forward and the newest one only adds tables or columns (so a
 * replica of the previous version keeps working beside an upgraded one during a rolling restart).
 *
 * The fixture: the previous version's schema is built from every migration but the newest, and
 * the database the test ran is brought to exactly that schema (what the newest migration added
 * removed, its row too), which the test checks table by table and column by column.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../agent/agent.ts";
import { DATABASE_FILE } from "../../common/data-dir.ts";
import { migrations } from "../store/migrations.ts";
import type { Dialect } from "../store/schema.ts";
import {
  DATABASES,
  processesWithArg,
  startRemoteAgent,
  startTestEngine,
  type TestDatabase,
  waitFor,
} from "./harness.ts";
import { CuttableProxy } from "./proxy.ts";

type Schema = Record<string, string[]>;
const MIGRATION_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

/** The database of an engine's data dir or PostgreSQL schema, with Kysely. */
function open(db: TestDatabase, where: { dataDir: string; pgSchema?: string | undefined }): Kysely<any> {
  if (db.url) {
    const pool = new pg.Pool({ connectionString: db.url, max: 2, options: `-c search_path="${where.pgSchema}"` });
    return new Kysely({ dialect: new PostgresDialect({ pool }) });
  }
  fs.mkdirSync(where.dataDir, { recursive: true });
  return new Kysely({ dialect: new SqliteDialect({ database: new SQLite(path.join(where.dataDir, DATABASE_FILE)) }) });
}

/** Every table and its columns (sorted), migration bookkeeping left out. */
async function schemaOf(k: Kysely<any>, dialect: Dialect, pgSchema?: string): Promise<Schema> {
  const rows =
    dialect === "postgres"
      ? (
          await sql<{ t: string; c: string }>`SELECT table_name AS t, column_name AS c FROM information_schema.columns
            WHERE table_schema = ${pgSchema}`.execute(k)
        ).rows
      : (
          await sql<{ t: string; c: string }>`SELECT m.name AS t, p.name AS c FROM sqlite_master m
            JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`.execute(k)
        ).rows;
  const schema: Schema = {};
  for (const { t, c } of rows) {
    if (MIGRATION_TABLES.has(t)) continue;
    schema[t] = [...(schema[t] ?? []), c];
  }
  for (const columns of Object.values(schema)) columns.sort();
  return schema;
}

/** The names of the indexes the migrations made (not those the database makes for keys). */
async function indexesOf(k: Kysely<any>, dialect: Dialect, pgSchema?: string): Promise<string[]> {
  const rows =
    dialect === "postgres"
      ? (
          await sql<{ n: string }>`SELECT i.indexname AS n FROM pg_indexes i
            WHERE i.schemaname = ${pgSchema} AND NOT EXISTS (SELECT 1 FROM pg_constraint c
              WHERE c.conname = i.indexname AND c.connamespace = ${pgSchema}::regnamespace)`.execute(k)
        ).rows
      : (
          await sql<{ n: string }>`SELECT name AS n FROM sqlite_master
            WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`.execute(k)
        ).rows;
  return rows.map((r) => r.n).sort();
}

/** Every migration but the newest, and the newest's name. */
async function olderMigrations(dialect: Dialect) {
  const all = await migrations(dialect).getMigrations();
  const names = Object.keys(all).sort();
  const newest = names[names.length - 1] as string;
  const older = Object.fromEntries(names.slice(0, -1).map((n) => [n, all[n]!]));
  return { newest, provider: { getMigrations: async () => older } };
}

describe.each(DATABASES)("upgrading on $name", (db) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("the current engine opens the previous version's database with builds running and a bulk cancel under way, migrates it forward, and finishes them", async () => {
    const dialect: Dialect = db.url ? "postgres" : "sqlite";
    const first = await startTestEngine({ db, slots: 0 });
    const root = path.dirname(first.dataDir);
    const port = Number(new URL(first.engine.url).port);
    const proxy = await new CuttableProxy({ host: "127.0.0.1", port }).start();
    const agents: Agent[] = [];
    cleanups.push(async () => {
      for (const a of agents) await a.stop(0);
      await proxy.cut();
    });
    agents.push(
      await startRemoteAgent(first, {
        name: `upgrade-${crypto.randomBytes(3).toString("hex")}`,
        slots: 4,
        urls: [proxy.url],
      }),
    );

    const n = String(crypto.randomInt(100_000, 999_999_999));
    const mark = path.join(root, `finish-${n}`);
    const p = await first.api.pipeline("acme", "upgrade", {
      cancelGraceSeconds: 1,
      params: { MARK: {} },
      stages: [
        {
          name: "s",
          jobs: [{ name: "j", steps: [{ run: `while [ ! -f "$MARK" ]; do sleep 0.1; done; sleep 0.${n}` }] }],
        },
      ],
    });
    const builds = [];
    for (let i = 0; i < 4; i++) builds.push(await first.api.trigger(p, { params: { MARK: mark } }));
    await waitFor(async () => (await first.api.get(`${p}/builds/counts`)).body.RUNNING === 4, { what: "4 running" });
    const [c1, c2, r1, r2] = builds.map((b) => b.id as number) as [number, number, number, number];

    // The agent cannot be reached: the cancel is accepted and left to settle after the upgrade.
    await proxy.cut();
    const res = await first.api.post(`${p}/builds/batch-cancel`, { buildIds: [c1, c2], reason: "upgrade" });
    expect(res.status).toBe(202);
    await first.stop();

    // The previous version's schema, from its migrations, next to the database as it is now.
    const { newest, provider } = await olderMigrations(dialect);
    const fixtureSchema = db.url ? `t_${crypto.randomBytes(6).toString("hex")}` : undefined;
    const fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-older-"));
    cleanups.push(() => fs.rmSync(fixtureDir, { recursive: true, force: true }));
    if (fixtureSchema) {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA "${fixtureSchema}"`);
      cleanups.push(async () => {
        await admin.query(`DROP SCHEMA IF EXISTS "${fixtureSchema}" CASCADE`);
        await admin.end();
      });
    }
    const older = open(db, { dataDir: fixtureDir, pgSchema: fixtureSchema });
    const migrated = await new Migrator({
      db: older,
      provider,
      ...(fixtureSchema ? { migrationTableSchema: fixtureSchema } : {}),
    }).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    const previous = await schemaOf(older, dialect, fixtureSchema);
    const previousIndexes = await indexesOf(older, dialect, fixtureSchema);
    await older.destroy();

    const current = open(db, { dataDir: first.dataDir, pgSchema: first.pgSchema });
    const now = await schemaOf(current, dialect, first.pgSchema);
    // The newest migration only adds (tables, columns): every column of the previous version is there.
    for (const [table, columns] of Object.entries(previous))
      expect(now[table], table).toEqual(expect.arrayContaining(columns));
    const added = Object.keys(now).filter((t) => !(t in previous));
    for (const table of added)
      await sql`DROP TABLE ${sql.table(table)}${sql.raw(db.url ? " CASCADE" : "")}`.execute(current);
    // An index the newest migration made on a column it added goes first (SQLite refuses to drop
    // a column an index names).
    for (const index of await indexesOf(current, dialect, first.pgSchema))
      if (!previousIndexes.includes(index)) await sql`DROP INDEX IF EXISTS ${sql.ref(index)}`.execute(current);
    for (const [table, columns] of Object.entries(previous)) {
      for (const column of (now[table] ?? []).filter((c) => !columns.includes(c))) {
        await sql`ALTER TABLE ${sql.table(table)} DROP COLUMN ${sql.ref(column)}`.execute(current);
      }
    }
    await current.deleteFrom("kysely_migration").where("name", "=", newest).execute();
    expect(await schemaOf(current, dialect, first.pgSchema)).toEqual(previous);
    expect(await indexesOf(current, dialect, first.pgSchema)).toEqual(previousIndexes);
    await current.destroy();

    // The upgraded engine, on the same port: it migrates forward under the running builds.
    const upgraded = await startTestEngine({
      db,
      slots: 0,
      root,
      port,
      ...(first.pgSchema ? { pgSchema: first.pgSchema } : {}),
    });
    cleanups.push(() => upgraded.destroy());
    const check = open(db, { dataDir: upgraded.dataDir, pgSchema: upgraded.pgSchema });
    expect(
      (await check.selectFrom("kysely_migration").select("name").where("name", "=", newest).execute()).length,
    ).toBe(1);
    await check.destroy();
    for (const id of [r1, r2]) expect((await upgraded.api.build(id)).status).toBe("RUNNING");
    for (const id of [c1, c2]) expect((await upgraded.api.build(id)).status).toBe("CANCELING");

    await proxy.restore();
    const op = await waitFor(
      async () => {
        const r = await upgraded.api.get(`/v1/operations/${res.body.id}`);
        return r.body.status === "completed" ? r.body : null;
      },
      { what: "the bulk cancel to complete", timeoutMs: 60_000 },
    );
    expect(op.counts).toMatchObject({ canceled: 2, failed: 0, pending: 0 });
    for (const id of [c1, c2]) expect((await upgraded.api.build(id)).statusReason).toBeNull();
    fs.writeFileSync(mark, "");
    for (const id of [r1, r2]) await upgraded.api.waitForStatus(id, "SUCCEEDED", 60_000);
    expect(await processesWithArg(`0.${n}`)).toEqual([]);
  });
});
