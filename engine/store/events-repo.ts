/** The outbox: events written in the same transaction as the change they describe. */
import { type RawBuilder, type Selectable, sql } from "kysely";
import { groupBy } from "../../common/collections.ts";
import type { EventPayload, EventType } from "../../common/events.ts";
import type { BuildStatus } from "../../common/statuses.ts";
import type { TransitionEvent } from "../domain/transitions.ts";
import type { Dialect, EventsTable, Executor } from "./schema.ts";
import { buildsWithIds, rowsFromJson } from "./sql.ts";

/** An outbox row to write, in the caller's transaction; its payload is the contract's for its type. */
export type NewEvent = {
  [T in EventType]: {
    type: T;
    projectId: number | null;
    pipelineId: number | null;
    buildId?: number | null;
    operationId?: string | null;
    payload: EventPayload<T>;
  };
}[EventType];

export type EventRow = Selectable<EventsTable>;

export type EventFilter = {
  projectIds?: readonly number[];
  pipelineId?: number;
  operationId?: string;
  types?: readonly string[];
};

/** Any constant; PostgreSQL writers of the outbox take this lock so `seq` order is commit order. */
const OUTBOX_LOCK = 7_741_001;

export class EventsRepo {
  /** Writes waiting for the end of the transaction, in order. */
  private readonly pending: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
    /** Called for every write: readers are woken once the transaction commits. */
    private readonly written: () => void,
    /**
     * Inside a transaction, writes wait for `flush()` just before the commit, so that on
     * PostgreSQL the outbox lock is held for as short a time as possible.
     */
    private readonly deferred: boolean,
  ) {}

  private async write(statement: () => Promise<unknown>): Promise<void> {
    this.written();
    if (this.deferred) this.pending.push(statement);
    else await statement();
  }

  /**
   * Runs the waiting writes. On PostgreSQL the transaction first takes the outbox lock (held to
   * commit), so `seq` order is commit order: a reader never sees a later `seq` before an
   * earlier one commits.
   */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    if (this.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`.execute(this.db);
    for (const statement of this.pending.splice(0)) await statement();
  }

  /** Appends events in one statement. */
  async append(opts: { events: readonly NewEvent[]; now: number }): Promise<void> {
    if (opts.events.length === 0) return;
    const rows = opts.events.map((e) => ({
      type: e.type,
      project_id: e.projectId,
      pipeline_id: e.pipelineId,
      build_id: e.buildId ?? null,
      operation_id: e.operationId ?? null,
      payload: JSON.stringify(e.payload),
      created_at: opts.now,
    }));
    await this.write(() =>
      this.db
        .insertInto("events")
        .columns(["type", "project_id", "pipeline_id", "build_id", "operation_id", "payload", "created_at"])
        .expression(
          rowsFromJson(this.dialect, rows, {
            type: "text",
            project_id: "bigint",
            pipeline_id: "bigint",
            build_id: "bigint",
            operation_id: "text",
            payload: "text",
            created_at: "bigint",
          }),
        )
        .execute(),
    );
  }

  /**
   * One `build.status_changed` event per build that moved, built by the database from the
   * rows themselves just after their update (nothing per build travels from the engine). The
   * status a build moved from follows from the one it moved to when each target status has one
   * origin, as in a cancel (CANCELED ← QUEUED, CANCELING ← RUNNING): then one statement for all
   * of them; otherwise one per kind of move. `reason` overrides the build's own (its cancel
   * reason for cancels, else its status reason).
   */
  async appendBuildChanges(opts: {
    moved: readonly { id: number; from: BuildStatus; status: BuildStatus }[];
    event: TransitionEvent;
    reason?: string | null;
    now: number;
  }): Promise<void> {
    if (opts.moved.length === 0) return;
    const origins = new Map<BuildStatus, Set<BuildStatus>>();
    for (const b of opts.moved) origins.set(b.status, (origins.get(b.status) ?? new Set()).add(b.from));
    if ([...origins.values()].every((from) => from.size === 1)) {
      const from = sql.join(
        [...origins].map(([to, froms]) => sql`WHEN ${sql.lit(to)} THEN ${sql.lit([...froms][0])}`),
        sql` `,
      );
      await this.insertChanges(
        opts,
        sql`CASE b.status ${from} END`,
        opts.moved.map((b) => b.id),
      );
      return;
    }
    for (const [move, builds] of groupBy(opts.moved, (b) => `${b.from}>${b.status}`)) {
      const from = move.split(">")[0] as BuildStatus;
      await this.insertChanges(
        opts,
        sql.lit(from),
        builds.map((b) => b.id),
      );
    }
  }

  private async insertChanges(
    opts: { event: TransitionEvent; reason?: string | null; now: number },
    from: RawBuilder<unknown>,
    ids: readonly number[],
  ): Promise<void> {
    const cancel = opts.event === "cancel" || opts.event === "finishCancel";
    const text = (value: unknown) => sql`CAST(${value} AS TEXT)`;
    const reason = opts.reason !== undefined ? text(opts.reason) : cancel ? sql`b.cancel_reason` : sql`b.status_reason`;
    const operationId = cancel ? sql`b.cancel_operation_id` : sql`NULL`;
    const by = cancel ? sql`b.cancel_by` : sql`NULL`;
    const object = sql.raw(this.dialect === "postgres" ? "json_build_object" : "json_object");
    // Build, operation, project, pipeline and time are columns of the row (see `events/stream.ts`).
    const payload = sql`${object}('number', b.number, 'branch', b.branch, 'from', ${from}, 'to', b.status, 'reason', ${reason}, 'by', ${by})`;
    await this.write(() =>
      sql`INSERT INTO events (type, project_id, pipeline_id, build_id, operation_id, payload, created_at)
        SELECT 'build.status_changed', b.project_id, b.pipeline_id, b.id, ${operationId}, CAST(${payload} AS TEXT), ${opts.now}
        FROM ${buildsWithIds(this.dialect, ids)}
        ORDER BY b.id`.execute(this.db),
    );
  }

  async read(opts: { afterSeq: number; filter: EventFilter; limit: number }): Promise<EventRow[]> {
    let q = this.db.selectFrom("events").selectAll().where("seq", ">", opts.afterSeq);
    const f = opts.filter;
    if (f.projectIds) {
      if (f.projectIds.length === 0) return [];
      q = q.where("project_id", "in", f.projectIds as number[]);
    }
    if (f.pipelineId !== undefined) q = q.where("pipeline_id", "=", f.pipelineId);
    if (f.operationId !== undefined) q = q.where("operation_id", "=", f.operationId);
    if (f.types && f.types.length > 0) q = q.where("type", "in", f.types as string[]);
    return q.orderBy("seq").limit(opts.limit).execute();
  }

  /**
   * Deletes up to `limit` of the oldest events written before `before`, none past `upToSeq` (what
   * a durable reader has not passed yet stays); returns how many.
   */
  async prune(opts: { before: number; limit: number; upToSeq?: number | null }): Promise<number> {
    // Events are written in time order: when the first one is recent, nothing is old.
    const first = await this.db.selectFrom("events").select("created_at").orderBy("seq").limit(1).executeTakeFirst();
    if (!first || Number(first.created_at) >= opts.before) return 0;
    let oldest = this.db
      .selectFrom("events")
      .select("seq")
      .where("created_at", "<", opts.before)
      .orderBy("seq")
      .limit(opts.limit);
    if (opts.upToSeq != null) oldest = oldest.where("seq", "<=", opts.upToSeq);
    const result = await this.db.deleteFrom("events").where("seq", "in", oldest).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async lastSeq(): Promise<number> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }
}
