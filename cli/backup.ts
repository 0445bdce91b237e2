/**
 * `sluice backup <file>` and `sluice restore <file>` for the embedded SQLite database: an online
 * copy (SQLite's backup API, consistent while the engine runs and writes) that also carries the
 * data dir's small files — the in-process agent's id, the generated admin secrets — so a restored
 * instance is the same instance. PostgreSQL is backed up with its own tools (the message says how).
 */
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import type { Config } from "../common/config.ts";
import { DATABASE_FILE, prepareDataDir, tightenDatabaseFiles } from "../common/data-dir.ts";
import { EXIT } from "./exit-codes.ts";

/** The table in a backup file holding the data dir's other files. */
const FILES_TABLE = "sluice_backup_files";

const PG_BACKUP = `This instance uses PostgreSQL (DATABASE_URL): back it up with PostgreSQL's own tools, while it runs:
  pg_dump --format=custom --file=sluice.dump "$DATABASE_URL"
and restore into a new, empty database before starting the engines on it:
  createdb sluice_restored && pg_restore --no-owner --dbname=postgres://…/sluice_restored sluice.dump
Keep the data dir's files (admin-token, admin-password, agent-id) with the dump.
`;

type Write = (text: string) => void;

export async function backup(config: Config, file: string, err: Write, out: Write): Promise<number> {
  if (config.databaseUrl) {
    err(PG_BACKUP);
    return EXIT.failed;
  }
  const source = path.join(config.dataDir, DATABASE_FILE);
  if (!fs.existsSync(source)) {
    err(`error: no Sluice database in ${config.dataDir} (SLUICE_DATA_DIR)\n`);
    return EXIT.failed;
  }
  const target = path.resolve(file);
  if (fs.existsSync(target)) {
    err(`error: ${target} exists: a backup never overwrites a file\n`);
    return EXIT.failed;
  }
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  const copy = new SQLite(partial);
  try {
    copy.exec(`CREATE TABLE ${FILES_TABLE} (name TEXT PRIMARY KEY, content BLOB NOT NULL)`);
    const insert = copy.prepare(`INSERT INTO ${FILES_TABLE} (name, content) VALUES (?, ?)`);
    for (const name of dataDirFiles(config.dataDir)) {
      insert.run(name, fs.readFileSync(path.join(config.dataDir, name)));
    }
    copy.pragma("journal_mode = DELETE");
    const summary = summarize(copy);
    copy.close();
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, target);
    out(`Backed up ${config.dataDir} to ${target}: ${summary}\n`);
    err("The backup holds the instance's secrets (admin token, webhook secrets): keep it like the data dir.\n");
    return EXIT.ok;
  } catch (e) {
    if (copy.open) copy.close();
    fs.rmSync(partial, { force: true });
    throw e;
  }
}

export async function restore(config: Config, file: string, err: Write, out: Write): Promise<number> {
  if (config.databaseUrl) {
    err(PG_BACKUP);
    return EXIT.failed;
  }
  const dataDir = path.resolve(config.dataDir);
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    err(`error: ${dataDir} is not empty: restore into an empty data dir (SLUICE_DATA_DIR)\n`);
    return EXIT.failed;
  }
  const source = new SQLite(path.resolve(file), { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(
      (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    if (!tables.has(FILES_TABLE) || !tables.has("kysely_migration")) {
      err(`error: ${file} is not a Sluice backup (made by sluice backup)\n`);
      return EXIT.failed;
    }
    prepareDataDir(dataDir);
    const target = path.join(dataDir, DATABASE_FILE);
    await source.backup(target);
    const files = source.prepare(`SELECT name, content FROM ${FILES_TABLE}`).all() as {
      name: string;
      content: Buffer;
    }[];
    for (const f of files) {
      if (f.name !== path.basename(f.name)) continue;
      fs.writeFileSync(path.join(dataDir, f.name), f.content, { mode: 0o600 });
    }
    const restored = new SQLite(target);
    restored.exec(`DROP TABLE ${FILES_TABLE}`);
    restored.pragma("journal_mode = WAL");
    const summary = summarize(restored);
    restored.close();
    tightenDatabaseFiles(dataDir);
    out(`Restored ${path.resolve(file)} into ${dataDir}: ${summary}\n`);
    err(
      "Start the engine on it (SLUICE_DATA_DIR): builds that were running when the backup was taken end as after a crash.\n",
    );
    return EXIT.ok;
  } finally {
    source.close();
  }
}

/** The data dir's own small files (not the database and its journals, not folders). */
function dataDirFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith(DATABASE_FILE))
    .map((e) => e.name);
}

/** "1,204 builds, 12 operations, schema 0014_…". */
function summarize(db: SQLite.Database): string {
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const last = db.prepare("SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1").get() as
    | { name: string }
    | undefined;
  return `${count("builds").toLocaleString("en")} builds, ${count("operations").toLocaleString("en")} operations, schema ${last?.name ?? "?"}`;
}
