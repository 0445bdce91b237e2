/**
 * Every row of every table, read over a connection of its own (not the engine's), so a test can
 * show that a refused request changed nothing at all.
 */
import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import type { TestEngine } from "./harness.ts";

export type DatabaseSnapshot = Record<string, unknown[]>;

/**
 * Bookkeeping that moves on its own between two snapshots: the webhook dispatcher's place in the
 * outbox passes events written before the request under test. A request that wrote events shows
 * in `events` itself.
 */
const BACKGROUND = ["outbox_cursors"];

/** `except`: tables whose change is the point of the request (the sign-in limiter's counts). */
export async function databaseSnapshot(t: TestEngine, opts: { except?: string[] } = {}): Promise<DatabaseSnapshot> {
  const skip = new Set([...BACKGROUND, ...(opts.except ?? [])]);
  const tables = t.db.url ? await postgresTables(t.db.url, t.pgSchema as string) : sqliteTables(t.dataDir);
  return Object.fromEntries(Object.entries(tables).filter(([name]) => !skip.has(name)));
}

function sqliteTables(dataDir: string): DatabaseSnapshot {
  const file = new SQLite(path.join(dataDir, "sluice.db"), { readonly: true });
  try {
    const names = file
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[];
    return Object.fromEntries(
      names.map(({ name }) => [name, file.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]),
    );
  } finally {
    file.close();
  }
}

async function postgresTables(url: string, schema: string): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [schema],
    );
    const out: DatabaseSnapshot = {};
    for (const { table_name: name } of rows) {
      out[name] = (await client.query(`SELECT * FROM "${schema}"."${name}" ORDER BY 1, 2`)).rows;
    }
    return out;
  } finally {
    await client.end();
  }
}
