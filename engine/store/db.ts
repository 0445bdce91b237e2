/** Opens the database (SQLite file by default, PostgreSQL when a URL is given) and migrates it. */
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  type DatabaseIntrospector,
  Kysely,
  type LogEvent,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type TableMetadata,
} from "kysely";
import pg from "pg";
import { DATABASE_FILE, prepareDataDir, reasonOf, tightenDatabaseFiles } from "../../common/data-dir.ts";
import { migrations } from "./migrations.ts";
import type { Database, Dialect } from "./schema.ts";

export type DatabaseHandle = {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Runs `fn` and counts the statements it (and only it, not concurrent work) executed. */
  countStatements: <T>(fn: () => Promise<T>) => Promise<{ result: T; statements: number }>;
  /** Runs `fn` (and all it starts) with `counter` counting its statements. */
  withStatementCounter: <T>(counter: { count: number }, fn: () => T) => T;
  /** The PostgreSQL pool, for LISTEN/NOTIFY; undefined on SQLite. */
  pool?: pg.Pool;
  close: () => Promise<void>;
};

export type DatabaseOptions = {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL only: a schema to create and use (tests run each suite in a fresh one). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL `application_name` of every connection (what `pg_stat_activity` shows). */
  applicationName?: string;
  /** An idle PostgreSQL connection failed (it is replaced on the next use). */
  onConnectionError?: (err: Error) => void;
  /** Every statement that ran (or failed), with how long it took (the metrics). */
  onQuery?: (sql: string, durationMs: number) => void;
  /** PostgreSQL: a statement unanswered this long ends its connection (default 10 s; not during migrations). */
  answerTimeoutMs?: number;
};

/**
 * A PostgreSQL statement unanswered for this long ends its connection. A partition drops packets
 * rather than resetting connections, so without it a request would hang until the network heals;
 * with it the request fails as with a dropped connection (503, retried by agents and the BFF).
 */
const ANSWER_TIMEOUT_MS = 10_000;

const INT8_OID = 20;
const CHECKPOINT_INTERVAL_MS = 1000;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const scope = new AsyncLocalStorage<{ count: number }>();
  const log = (event: LogEvent) => {
    options.onQuery?.(event.query.sql, event.queryDurationMillis);
    if (event.level !== "query") return;
    const counter = scope.getStore();
    if (counter) counter.count++;
  };
  const handle = options.databaseUrl ? await openPostgres(options, log) : openSqlite(options, log);
  const { error, results } = await migrate(handle, options.schema);
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    await handle.close();
    throw new Error(`Migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
  // Migrations may run long on a big database; everything after them answers in seconds.
  handle.answerTimeout.ms = options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
  const countStatements = async <T>(fn: () => Promise<T>) => {
    const counter = { count: 0 };
    const result = await scope.run(counter, fn);
    return { result, statements: counter.count };
  };
  const withStatementCounter = <T>(counter: { count: number }, fn: () => T) => scope.run(counter, fn);
  const { answerTimeout: _, ...rest } = handle;
  return { ...rest, countStatements, withStatementCounter };
}

type OpenHandle = Omit<DatabaseHandle, "countStatements" | "withStatementCounter"> & {
  /** 0: statements may take as long as they take. */
  answerTimeout: { ms: number };
};

/** Runs the migrations (on PostgreSQL through `ScopedPostgresDialect`'s introspector). */
function migrate(handle: OpenHandle, schema: string | undefined) {
  const migrator = new Migrator({
    db: handle.db,
    provider: migrations(handle.dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  return migrator.migrateToLatest();
}

/**
 * The migrator asks the dialect's introspector whether its tables exist. Kysely 0.28's lists
 * every table of the database, checking `has_schema_privilege` by schema name, so a schema another
 * session drops during that scan (other engines' or test suites' schemas) fails the start with
 * "schema … does not exist". This one looks only at the schemas on the search path.
 */
class ScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    const tables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string; schema: string; is_view: boolean }>`
        SELECT c.relname AS name, n.nspname AS schema, c.relkind IN ('v', 'm') AS is_view
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY(current_schemas(false))`.execute(db);
      return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.is_view, columns: [] }));
    };
    return {
      getSchemas: async () =>
        (await sql<{ name: string }>`SELECT nspname AS name FROM pg_catalog.pg_namespace`.execute(db)).rows,
      getTables: tables,
      getMetadata: async () => ({ tables: await tables() }),
    };
  }
}

function openSqlite(options: DatabaseOptions, log: (e: LogEvent) => void): OpenHandle {
  prepareDataDir(options.dataDir);
  const filePath = path.join(options.dataDir, DATABASE_FILE);
  let file: SQLite.Database;
  try {
    file = new SQLite(filePath);
    file.pragma("journal_mode = WAL");
  } catch (err) {
    throw new Error(`Cannot open the database ${filePath}: ${reasonOf(err)}`);
  }
  tightenDatabaseFiles(options.dataDir);
  file.pragma("synchronous = NORMAL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  // Checkpoint the WAL on a timer rather than inside whichever commit crosses the threshold,
  // so a large transaction (a bulk cancel) does not also pay for copying pages back.
  file.pragma("wal_autocheckpoint = 0");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }), log });
  const checkpoints = setInterval(() => {
    sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(db).catch(() => {});
  }, CHECKPOINT_INTERVAL_MS);
  checkpoints.unref();
  const close = async () => {
    clearInterval(checkpoints);
    await db.destroy();
  };
  return { db, dialect: "sqlite", close, answerTimeout: { ms: 0 } };
}

/**
 * Kysely's SQLite driver prepares every statement each time it runs; preparing costs more than
 * running most of ours. Statements are kept by their SQL text (a few hundred distinct ones; the
 * least recently used go first). Kysely runs them synchronously to completion (no streaming
 * here), so one prepared statement is never in use twice at once.
 */
function withStatementCache(file: SQLite.Database, size = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string): SQLite.Statement {
      let statement = cache.get(text);
      if (statement) cache.delete(text);
      else statement = file.prepare(text);
      cache.set(text, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return statement;
    },
    close(): void {
      cache.clear();
      file.close();
    },
  };
}

/** PostgreSQL's bigint (ids, counts, times in ms) read as a JavaScript number, every other type as pg reads it. */
function int8AsNumber(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, "text", Number);
  return types;
}

async function openPostgres(options: DatabaseOptions, log: (e: LogEvent) => void): Promise<OpenHandle> {
  if (options.schema) {
    const admin = new pg.Client({ connectionString: options.databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // A server that does not answer fails a request in seconds (503), rather than hanging it.
    connectionTimeoutMillis: 5000,
    application_name: options.applicationName ?? "sluice",
    ...(options.schema ? { options: `-c search_path="${options.schema}"` } : {}),
    types: int8AsNumber(),
  });
  // A connection that drops (server restart, pg_terminate_backend) emits 'error': on the pool
  // while idle, on the client itself while checked out between two queries of a transaction.
  // Without listeners either would end the process; the query in flight fails and the pool
  // replaces the connection.
  const dropped = (err: Error) => options.onConnectionError?.(err);
  const answerTimeout = { ms: 0 };
  pool.on("error", dropped);
  pool.on("connect", (client) => {
    client.on("error", dropped);
    endWhenUnanswered(client, answerTimeout);
  });
  const db = new Kysely<Database>({ dialect: new ScopedPostgresDialect({ pool }), log });
  return {
    db,
    dialect: "postgres",
    pool,
    answerTimeout,
    close: () => closeWithin(db.destroy(), CLOSE_WAIT_MS),
  };
}

/**
 * Ends a connection whose statement has had no answer for `timeout.ms`: its query fails with
 * "Connection terminated" (a dropped connection, 503) and the pool replaces the connection. pg's
 * own `query_timeout` fails the query but keeps the connection, with the unanswered statement still
 * ahead of every later one on it.
 */
function endWhenUnanswered(client: pg.PoolClient, timeout: { ms: number }): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (timeout.ms > 0 && result instanceof Promise) {
      const timer = setTimeout(() => {
        (
          client as unknown as { connection: { stream: { destroy: (err?: Error) => void } } }
        ).connection.stream.destroy();
      }, timeout.ms);
      timer.unref();
      result.then(
        () => clearTimeout(timer),
        () => clearTimeout(timer),
      );
    }
    return result;
  };
}

/** How long a stopping engine waits for the pool's connections to be given back. */
const CLOSE_WAIT_MS = 5000;

/**
 * `pool.end()` waits for every checked-out connection; one whose query will never settle (its
 * server connection was terminated mid-query) would hold a stopping engine forever. Past the wait
 * the engine stops anyway: the server already dropped that connection.
 */
async function closeWithin(closing: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([closing.catch(() => {}), waited]);
  clearTimeout(timer);
}
