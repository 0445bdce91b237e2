/**
 * The store: the engine's one door to the database. Services see repositories whose methods
 * take one options object; only the Kysely code behind them writes SQL.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import { AgentsRepo } from "./agents-repo.ts";
import { BuildsRepo } from "./builds-repo.ts";
import type { DatabaseHandle, Dialect } from "./db.ts";
import { EventsRepo } from "./events-repo.ts";
import { IdentityRepo } from "./identity-repo.ts";
import { JobsRepo } from "./jobs-repo.ts";
import { LogsRepo } from "./logs-repo.ts";
import { OperationsRepo } from "./operations-repo.ts";
import { ProjectsRepo } from "./projects-repo.ts";
import { QueueRepo } from "./queue-repo.ts";
import type { Database } from "./schema.ts";

export type Executor = Kysely<Database> | Transaction<Database>;

export class Store {
  readonly projects: ProjectsRepo;
  readonly builds: BuildsRepo;
  readonly jobs: JobsRepo;
  readonly operations: OperationsRepo;
  readonly events: EventsRepo;
  readonly queue: QueueRepo;
  readonly identity: IdentityRepo;
  readonly agents: AgentsRepo;
  readonly logs: LogsRepo;

  private constructor(
    private readonly handle: DatabaseHandle,
    private readonly executor: Executor,
    private readonly commitHooks: (() => void)[] | null,
  ) {
    const args = [executor, handle.dialect] as const;
    this.projects = new ProjectsRepo(...args);
    this.builds = new BuildsRepo(...args);
    this.jobs = new JobsRepo(...args);
    this.operations = new OperationsRepo(...args);
    this.events = new EventsRepo(...args);
    this.queue = new QueueRepo(...args);
    this.identity = new IdentityRepo(...args);
    this.agents = new AgentsRepo(...args);
    this.logs = new LogsRepo(...args);
  }

  static open(handle: DatabaseHandle): Store {
    return new Store(handle, handle.db, null);
  }

  get dialect(): Dialect {
    return this.handle.dialect;
  }

  get inTransaction(): boolean {
    return this.commitHooks !== null;
  }

  /** Statements executed on this database so far (for tests and benchmarks). */
  statements(): number {
    return this.handle.statements();
  }

  withStatementCounter<T>(counter: { count: number }, fn: () => T): T {
    return this.handle.withStatementCounter(counter, fn);
  }

  /** Counts the statements `fn` executes (concurrent work is not counted). */
  countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
    return this.handle.countStatements(fn);
  }

  /** Runs `fn` in one transaction; inside a transaction it joins the current one. */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.commitHooks) return fn(this);
    const hooks: (() => void)[] = [];
    const result = await this.handle.db.transaction().execute((trx) => fn(new Store(this.handle, trx, hooks)));
    for (const hook of hooks) hook();
    return result;
  }

  /** Runs `hook` once the current transaction commits (at once outside a transaction). */
  afterCommit(hook: () => void): void {
    if (this.commitHooks) this.commitHooks.push(hook);
    else hook();
  }

  /**
   * PostgreSQL: serializes transactions that touch the same `key` (a concurrency group, the
   * scheduler) until commit. SQLite transactions are serialized already.
   */
  async lockKey(key: string): Promise<void> {
    if (this.dialect !== "postgres") return;
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(this.executor);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
