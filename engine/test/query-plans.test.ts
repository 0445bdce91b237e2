/**
 * Queries every poll runs, read through the index meant for them (SQLite's plan; PostgreSQL
 * chooses by table size, so a small test table says nothing there).
 */
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../common/data-dir.ts";
import { JobsRepo } from "../store/jobs-repo.ts";
import type { Database } from "../store/schema.ts";
import { DATABASE_FREE, startTestEngine, type TestEngine } from "./harness.ts";

describe.runIf(DATABASE_FREE)("query plans on SQLite", () => {
  let t: TestEngine | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it("an agent's poll takes its undelivered stops through the pending-stops index, not through every job it ever ran", async () => {
    t = await startTestEngine({ db: { name: "sqlite" }, slots: 0 });
    const file = path.join(t.dataDir, DATABASE_FILE);
    const raw = new SQLite(file);
    const statements: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: raw }),
      log: (event) => void statements.push({ sql: event.query.sql, parameters: event.query.parameters }),
    });
    try {
      await new JobsRepo(db, "sqlite").takeStops({ agentId: "a-1", now: Date.now() });
      const [take] = statements;
      expect(take?.sql).toMatch(/^update "jobs"/);
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN ${take!.sql}`)
        .all(...(take!.parameters as unknown[]))
        .map((row) => (row as { detail: string }).detail);
      expect(plan.join("\n")).toMatch(/USING INDEX jobs_pending_stops/);
    } finally {
      await db.destroy();
    }
  });
});
