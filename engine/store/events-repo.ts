/** The outbox: events written in the same transaction as the change they describe. */
import { type Selectable, sql } from "kysely";
import type { Dialect } from "./db.ts";
import type { EventsTable } from "./schema.ts";
import { rowsFromJson } from "./sql.ts";
import type { Executor } from "./store.ts";

export type NewEvent = {
  type: string;
  projectId: number | null;
  pipelineId: number | null;
  buildId?: number | null;
  operationId?: string | null;
  payload: Record<string, unknown>;
};

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
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /**
   * Appends events in one statement. On PostgreSQL the transaction first takes the outbox lock
   * (held to commit), so a reader never sees a later `seq` before an earlier one commits.
   */
  async append(opts: { events: readonly NewEvent[]; now: number }): Promise<void> {
    if (opts.events.length === 0) return;
    if (this.dialect === "postgres") await sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`.execute(this.db);
    const rows = opts.events.map((e) => ({
      type: e.type,
      project_id: e.projectId,
      pipeline_id: e.pipelineId,
      build_id: e.buildId ?? null,
      operation_id: e.operationId ?? null,
      payload: JSON.stringify(e.payload),
      created_at: opts.now,
    }));
    await this.db
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
      .execute();
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

  async lastSeq(): Promise<number> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }
}
