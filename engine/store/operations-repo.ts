/** Bulk operations, their per-build items, and the audit log. */
import { sql } from "kysely";
import type { ItemOutcome } from "../../common/constants.ts";
import type { AuditEntriesTable, Dialect, Executor, OperationsTable } from "./schema.ts";
import { buildsWithIds, idsIn, rowsFromJson } from "./sql.ts";

export type OperationRow = OperationsTable & { project_name: string; pipeline_name: string | null };
/** Where a page of operations ended. */
export type OperationPosition = { createdAt: number; id: string };

export class OperationsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  private withNames() {
    return this.db
      .selectFrom("operations as o")
      .leftJoin("pipelines as pl", "pl.id", "o.pipeline_id")
      .innerJoin("projects as pr", "pr.id", "o.project_id")
      .selectAll("o")
      .select(["pl.name as pipeline_name", "pr.name as project_name"]);
  }

  async find(opts: { id: string }): Promise<OperationRow | undefined> {
    return this.withNames().where("o.id", "=", opts.id).executeTakeFirst();
  }

  /**
   * The operation, its row locked until the transaction ends (PostgreSQL; SQLite runs one
   * transaction at a time): a transaction completing it waits, or has committed already.
   */
  async lock(opts: { id: string }): Promise<OperationRow | undefined> {
    const q = this.withNames().where("o.id", "=", opts.id);
    return (this.dialect === "postgres" ? q.forUpdate("o") : q).executeTakeFirst();
  }

  async findMany(opts: { ids: readonly string[] }): Promise<OperationRow[]> {
    if (opts.ids.length === 0) return [];
    return this.withNames()
      .where("o.id", "in", opts.ids as string[])
      .execute();
  }

  async findByIdempotencyKey(opts: { requestedBy: string; key: string }): Promise<OperationRow | undefined> {
    return this.withNames()
      .where("o.requested_by", "=", opts.requestedBy)
      .where("o.idempotency_key", "=", opts.key)
      .executeTakeFirst();
  }

  /**
   * A project's operations, newest first (`created_at`, then `id`, both descending), starting
   * after `after` — the last one of the previous page — so new operations never shift a page.
   */
  async list(opts: {
    projectId: number;
    pipelineId?: number;
    status?: OperationsTable["status"];
    sources?: readonly string[];
    requestedBy?: string;
    after?: OperationPosition;
    limit: number;
  }): Promise<OperationRow[]> {
    let q = this.withNames().where("o.project_id", "=", opts.projectId);
    if (opts.pipelineId !== undefined) q = q.where("o.pipeline_id", "=", opts.pipelineId);
    if (opts.status !== undefined) q = q.where("o.status", "=", opts.status);
    if (opts.sources !== undefined) q = q.where("o.source", "in", opts.sources);
    if (opts.requestedBy !== undefined) q = q.where("o.requested_by", "=", opts.requestedBy);
    const after = opts.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb("o.created_at", "<", after.createdAt),
          eb.and([eb("o.created_at", "=", after.createdAt), eb("o.id", "<", after.id)]),
        ]),
      );
    }
    return q.orderBy("o.created_at", "desc").orderBy("o.id", "desc").limit(opts.limit).execute();
  }

  /** The caller's running operations that count against the per-user limit (bulk ones: `limited`). */
  async countRunningLimited(opts: { requestedBy: string }): Promise<number> {
    const row = await this.db
      .selectFrom("operations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("requested_by", "=", opts.requestedBy)
      .where("status", "=", "running")
      .where("limited", "=", 1)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Marks `id` as re-run by `by`, unless it was re-run already: whether this call did it (a
   * conditional update, so of two racing re-runs exactly one wins).
   */
  async claimRerun(opts: { id: string; by: string }): Promise<boolean> {
    const res = await this.db
      .updateTable("operations")
      .set({ rerun_by: opts.by })
      .where("id", "=", opts.id)
      .where("rerun_by", "is", null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async insert(opts: { operation: OperationsTable }): Promise<void> {
    await this.db.insertInto("operations").values(opts.operation).execute();
  }

  /**
   * The operation's items, one statement, from the builds as the accept just left them:
   * canceled (this operation moved it to CANCELED), pending (it moved it to CANCELING, or it is
   * forced), or already finished (noted with the status it had, or `already_canceling`).
   */
  async insertItemsFromBuilds(opts: {
    operationId: string;
    buildIds: readonly number[];
    force: boolean;
    /** Targets left alone because of a protected job (usually none: a short list). */
    protectedIds?: readonly number[];
  }): Promise<void> {
    if (opts.buildIds.length === 0) return;
    const mine = sql`b.cancel_operation_id = ${opts.operationId}`;
    const forced = opts.force ? sql`b.status = 'CANCELING'` : sql`1 = 0`;
    const shielded = opts.protectedIds?.length ? idsIn(this.dialect, "b.id", opts.protectedIds) : sql`1 = 0`;
    await sql`INSERT INTO operation_items (operation_id, build_id, outcome, note)
      SELECT ${opts.operationId}, b.id,
        CASE WHEN ${mine} AND b.status = 'CANCELED' THEN 'canceled'
             WHEN ${mine} OR ${forced} THEN 'pending'
             WHEN ${shielded} THEN 'protected'
             ELSE 'already_finished' END,
        CASE WHEN ${mine} OR ${forced} THEN NULL
             WHEN ${shielded} THEN 'a protected job is under way'
             WHEN b.status = 'CANCELING' THEN 'already_canceling'
             ELSE b.status END
      FROM ${buildsWithIds(this.dialect, opts.buildIds)}`.execute(this.db);
  }

  async items(opts: { id: string; outcome?: ItemOutcome; afterBuildId?: number; limit: number }) {
    let q = this.db
      .selectFrom("operation_items as i")
      .innerJoin("builds as b", "b.id", "i.build_id")
      .innerJoin("pipelines as pl", "pl.id", "b.pipeline_id")
      .select(["i.build_id", "i.outcome", "i.note", "b.number", "b.branch", "b.status", "pl.name as pipeline_name"])
      .where("i.operation_id", "=", opts.id);
    if (opts.outcome) q = q.where("i.outcome", "=", opts.outcome);
    if (opts.afterBuildId !== undefined) q = q.where("i.build_id", ">", opts.afterBuildId);
    return q.orderBy("i.build_id").limit(opts.limit).execute();
  }

  /**
   * An operation's stuck builds (of `buildIds`, or all): still CANCELING, a job's stop requested
   * longer than the build's grace period ago and not acknowledged; with that job's agent, the
   * agent's last contact and the build's stop deadline.
   */
  async stuck(opts: { id: string; now: number; buildIds?: readonly number[] }) {
    let q = this.db
      .selectFrom("operation_items as i")
      .innerJoin("builds as b", "b.id", "i.build_id")
      .innerJoin("jobs as j", "j.build_id", "b.id")
      .leftJoin("agents as a", "a.id", "j.agent_id")
      .select(["b.id", "j.agent_id", "a.last_seen_at", "b.stop_deadline"])
      .where("i.operation_id", "=", opts.id)
      .where("i.outcome", "=", "pending")
      .where("b.status", "=", "CANCELING")
      .where("j.stop_requested_at", "is not", null)
      .where("j.finished_at", "is", null)
      .where(sql<boolean>`j.stop_requested_at + CAST(b.grace_seconds * 1000 AS BIGINT) < ${opts.now}`)
      .orderBy("b.id")
      .orderBy("j.id");
    if (opts.buildIds) q = q.where(idsIn(this.dialect, "b.id", opts.buildIds));
    const rows = await q.execute();
    const byBuild = new Map<number, { agent: string | null; lastContact: number | null; deadline: number | null }>();
    for (const r of rows) {
      if (byBuild.has(r.id)) continue;
      byBuild.set(r.id, {
        agent: r.agent_id,
        lastContact: r.last_seen_at === null ? null : Number(r.last_seen_at),
        deadline: r.stop_deadline === null ? null : Number(r.stop_deadline),
      });
    }
    return byBuild;
  }

  /**
   * Running operations with more stuck builds than they have said (`stuck_said`), with how many
   * of their builds are stuck now.
   */
  async moreStuck(opts: { now: number; limit: number }): Promise<{ id: string; stuck: number }[]> {
    const stuck = sql<number>`COUNT(DISTINCT b.id)`;
    const rows = await this.db
      .selectFrom("operations as o")
      .innerJoin("operation_items as i", "i.operation_id", "o.id")
      .innerJoin("builds as b", "b.id", "i.build_id")
      .innerJoin("jobs as j", "j.build_id", "b.id")
      .select(["o.id"])
      .select(stuck.as("stuck"))
      .where("o.status", "=", "running")
      .where("i.outcome", "=", "pending")
      .where("b.status", "=", "CANCELING")
      .where("j.stop_requested_at", "is not", null)
      .where("j.finished_at", "is", null)
      .where(sql<boolean>`j.stop_requested_at + CAST(b.grace_seconds * 1000 AS BIGINT) < ${opts.now}`)
      .groupBy(["o.id", "o.stuck_said"])
      .having(stuck, ">", sql<number>`o.stuck_said`)
      .orderBy("o.id")
      .limit(opts.limit)
      .execute();
    return rows.map((r) => ({ id: r.id, stuck: Number(r.stuck) }));
  }

  /**
   * Records that a running operation says it has `stuck` stuck builds, when that is more than it
   * said before: the row when this call raised it, undefined otherwise (said already, or completed).
   */
  async raiseStuck(opts: { id: string; stuck: number }): Promise<OperationsTable | undefined> {
    return this.db
      .updateTable("operations")
      .set({ stuck_said: opts.stuck })
      .where("id", "=", opts.id)
      .where("status", "=", "running")
      .where("stuck_said", "<", opts.stuck)
      .returningAll()
      .executeTakeFirst();
  }

  /** Marks a running operation stuck, once: true when this call set it, false when it was set already. */
  async markStuck(opts: { id: string; now: number }): Promise<boolean> {
    const marked = await this.db
      .updateTable("operations")
      .set({ stuck_at: opts.now })
      .where("id", "=", opts.id)
      .where("stuck_at", "is", null)
      .executeTakeFirst();
    return Number(marked.numUpdatedRows) === 1;
  }

  /** The builds of an operation's items with this outcome (what it canceled, say). */
  async buildIdsWithOutcome(opts: { id: string; outcome: ItemOutcome }): Promise<number[]> {
    const rows = await this.db
      .selectFrom("operation_items")
      .select("build_id")
      .where("operation_id", "=", opts.id)
      .where("outcome", "=", opts.outcome)
      .orderBy("build_id")
      .execute();
    return rows.map((r) => r.build_id);
  }

  /** Items given whole (a re-run's outcomes are known at once): one statement. */
  async insertItems(opts: {
    operationId: string;
    items: readonly { buildId: number; outcome: ItemOutcome; note: string | null }[];
  }): Promise<void> {
    if (opts.items.length === 0) return;
    const rows = opts.items.map((i) => ({
      operation_id: opts.operationId,
      build_id: i.buildId,
      outcome: i.outcome,
      note: i.note,
    }));
    await this.db
      .insertInto("operation_items")
      .columns(["operation_id", "build_id", "outcome", "note"])
      .expression(
        rowsFromJson(this.dialect, rows, { operation_id: "text", build_id: "bigint", outcome: "text", note: "text" }),
      )
      .execute();
  }

  async pendingBuildIds(opts: { id: string; afterBuildId: number; limit: number }): Promise<number[]> {
    const rows = await this.db
      .selectFrom("operation_items")
      .select("build_id")
      .where("operation_id", "=", opts.id)
      .where("outcome", "=", "pending")
      .where("build_id", ">", opts.afterBuildId)
      .orderBy("build_id")
      .limit(opts.limit)
      .execute();
    return rows.map((r) => r.build_id);
  }

  /** Settles the pending items of these builds (in every operation naming them). */
  async settleItems(opts: {
    buildIds: readonly number[];
    outcome: ItemOutcome;
    note: string | null;
  }): Promise<Map<string, number>> {
    const perOperation = new Map<string, number>();
    if (opts.buildIds.length === 0) return perOperation;
    const rows = await this.db
      .updateTable("operation_items")
      .set({ outcome: opts.outcome, note: opts.note })
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("outcome", "=", "pending")
      .returning("operation_id")
      .execute();
    for (const r of rows) perOperation.set(r.operation_id, (perOperation.get(r.operation_id) ?? 0) + 1);
    return perOperation;
  }

  /** Adds settled items of one outcome to an operation's counts; it completes when nothing is pending. */
  async addCounts(opts: {
    id: string;
    outcome: Exclude<ItemOutcome, "pending">;
    count: number;
    now: number;
  }): Promise<OperationsTable> {
    const key = sql.lit(opts.outcome);
    const counts =
      this.dialect === "postgres"
        ? sql<string>`jsonb_set(counts::jsonb, ARRAY[${key}], to_jsonb(COALESCE((counts::jsonb ->> ${key})::bigint, 0) + ${opts.count}))::text`
        : sql<string>`json_set(counts, '$.' || ${key}, COALESCE(json_extract(counts, '$.' || ${key}), 0) + ${opts.count})`;
    return this.db
      .updateTable("operations")
      .set({
        counts,
        pending: sql`pending - ${opts.count}`,
        status: sql`CASE WHEN pending - ${opts.count} <= 0 THEN 'completed' ELSE status END`,
        completed_at: sql`CASE WHEN pending - ${opts.count} <= 0 AND completed_at IS NULL THEN ${opts.now} ELSE completed_at END`,
      })
      .where("id", "=", opts.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async insertAudit(entry: Omit<AuditEntriesTable, "id">): Promise<void> {
    await this.db.insertInto("audit_entries").values(entry).execute();
  }

  async listAudit(opts: {
    projectId: number;
    actor?: string;
    action?: string;
    sources?: readonly string[];
    beforeId?: number;
    limit: number;
  }) {
    let q = this.db
      .selectFrom("audit_entries as a")
      .innerJoin("operations as o", "o.id", "a.operation_id")
      .innerJoin("projects as pr", "pr.id", "a.project_id")
      .leftJoin("pipelines as pl", "pl.id", "o.pipeline_id")
      .selectAll("a")
      .select([
        "pr.name as project_name",
        "pl.name as pipeline_name",
        "o.status as operation_status",
        "o.counts",
        "o.pending",
        "o.force",
      ])
      .where("a.project_id", "=", opts.projectId);
    if (opts.actor !== undefined) q = q.where("a.actor", "=", opts.actor);
    if (opts.action !== undefined) q = q.where("a.action", "=", opts.action);
    if (opts.sources !== undefined) q = q.where("a.source", "in", opts.sources);
    if (opts.beforeId !== undefined) q = q.where("a.id", "<", opts.beforeId);
    return q.orderBy("a.id", "desc").limit(opts.limit).execute();
  }

  /** The one build of each of these single-build operations, so the audit log can link to it. */
  async onlyBuilds(opts: { operationIds: readonly string[] }) {
    if (opts.operationIds.length === 0) return [];
    return this.db
      .selectFrom("operation_items as i")
      .innerJoin("builds as b", "b.id", "i.build_id")
      .select(["i.operation_id", "b.id", "b.number"])
      .where("i.operation_id", "in", opts.operationIds)
      .execute();
  }
}
