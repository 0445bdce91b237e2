/**
 * The store: the engine's one door to the database. Services see repositories whose methods
 * take one options object; only the Kysely code behind them writes SQL.
 */
import { sql } from "kysely";
import type { TransitionEvent } from "../domain/transitions.ts";
import { AgentsRepo } from "./agents-repo.ts";
import { type BuildRef, BuildsRepo, type BuildUpdates, type MovedBuild } from "./builds-repo.ts";
import { CommitStatusesRepo } from "./commit-statuses-repo.ts";
import { CountsRepo } from "./counts-repo.ts";
import type { DatabaseHandle } from "./db.ts";
import { EventsRepo } from "./events-repo.ts";
import { IdentityRepo } from "./identity-repo.ts";
import { JobsRepo } from "./jobs-repo.ts";
import { LogsRepo } from "./logs-repo.ts";
import { OperationsRepo } from "./operations-repo.ts";
import { ProjectsRepo } from "./projects-repo.ts";
import { QueueRepo } from "./queue-repo.ts";
import { RepositoriesRepo } from "./repositories-repo.ts";
import type { Dialect, Executor } from "./schema.ts";
import { SecretsRepo } from "./secrets-repo.ts";
import { StatsRepo } from "./stats-repo.ts";
import { WebhooksRepo } from "./webhooks-repo.ts";

export class Store {
  readonly projects: ProjectsRepo;
  readonly counts: CountsRepo;
  readonly builds: BuildsRepo;
  readonly jobs: JobsRepo;
  readonly operations: OperationsRepo;
  readonly events: EventsRepo;
  readonly queue: QueueRepo;
  readonly identity: IdentityRepo;
  readonly agents: AgentsRepo;
  readonly logs: LogsRepo;
  readonly secrets: SecretsRepo;
  readonly webhooks: WebhooksRepo;
  readonly stats: StatsRepo;
  readonly repositories: RepositoriesRepo;
  readonly commitStatuses: CommitStatusesRepo;

  private constructor(
    private readonly handle: DatabaseHandle,
    private readonly executor: Executor,
    private readonly commitHooks: (() => void)[] | null,
    private readonly onEvents: () => void,
    private readonly preCommitHooks: (() => Promise<void>)[] = [],
  ) {
    const args = [executor, handle.dialect] as const;
    this.projects = new ProjectsRepo(...args);
    this.counts = new CountsRepo(...args, commitHooks ? (hook) => this.beforeCommit(hook) : null);
    this.builds = new BuildsRepo(...args, this.counts);
    this.jobs = new JobsRepo(...args);
    this.operations = new OperationsRepo(...args);
    this.events = new EventsRepo(...args, () => this.afterCommit(onEvents), commitHooks !== null);
    this.queue = new QueueRepo(...args);
    this.identity = new IdentityRepo(...args);
    this.agents = new AgentsRepo(...args);
    this.logs = new LogsRepo(...args);
    this.secrets = new SecretsRepo(...args);
    this.webhooks = new WebhooksRepo(...args);
    this.stats = new StatsRepo(executor);
    this.repositories = new RepositoriesRepo(...args);
    this.commitStatuses = new CommitStatusesRepo(...args);
  }

  /** `onEvents` runs after each commit that wrote outbox events (it wakes their readers). */
  static open(handle: DatabaseHandle, opts: { onEvents?: () => void } = {}): Store {
    return new Store(handle, handle.db, null, opts.onEvents ?? (() => {}));
  }

  get dialect(): Dialect {
    return this.handle.dialect;
  }

  get inTransaction(): boolean {
    return this.commitHooks !== null;
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
    const result = await this.handle.db.transaction().execute(async (trx) => {
      const tx = new Store(this.handle, trx, hooks, this.onEvents);
      const value = await fn(tx);
      for (const hook of tx.preCommitHooks) await hook();
      await tx.events.flush();
      return value;
    });
    for (const hook of hooks) hook();
    return result;
  }

  /**
   * The one way a build's status changes: a conditional update generated from the transition
   * table (rows not in one of the event's from-statuses are left alone), and a
   * `build.status_changed` event for every build that moved, in the same transaction.
   */
  async transition(opts: {
    ids: readonly number[];
    event: TransitionEvent;
    now: number;
    set?: BuildUpdates;
    /** The reason the events carry, when not the build's own (cancel or status reason). */
    reason?: string | null;
    /** The statuses of `ids` as locked in this transaction (see `BuildsRepo.updateStatus`). */
    known?: ReadonlyMap<number, BuildRef>;
  }): Promise<MovedBuild[]> {
    const moved = await this.builds.updateStatus(opts);
    await this.events.appendBuildChanges({
      moved,
      event: opts.event,
      now: opts.now,
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    });
    return moved;
  }

  /**
   * Runs `hook` at the end of the current transaction, before its events are written and it
   * commits: for writes to rows many transactions share, whose locks should be held briefly.
   */
  beforeCommit(hook: () => Promise<void>): void {
    if (!this.commitHooks) throw new Error("beforeCommit needs a transaction");
    this.preCommitHooks.push(hook);
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
    await this.lockKeys([key]);
  }

  /** `lockKey` for several keys in one statement, always in the same order (no deadlocks). */
  async lockKeys(keys: readonly string[]): Promise<void> {
    if (this.dialect !== "postgres" || keys.length === 0) return;
    const sorted = [...new Set(keys)].sort();
    // unnest keeps the array's (sorted) order.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${sorted}::text[]) AS k`.execute(
      this.executor,
    );
  }

  /** Whether the database answers within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<boolean> {
    const answered = sql`SELECT 1`.execute(this.executor).then(
      () => true,
      () => false,
    );
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([answered, timedOut]);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
