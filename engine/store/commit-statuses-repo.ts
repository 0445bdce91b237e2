/**
 * Commit statuses owed to providers: one row per repository, commit and context. A newer state
 * (a higher outbox `seq`) replaces an older one whether or not that was sent; a request under way
 * holds a claim, so at most one is in flight per row, and what changed meanwhile is sent after it.
 */
import { type Selectable, sql } from "kysely";
import type { CommitStatusesTable, Dialect, Executor } from "./schema.ts";
import { rowsFromJson } from "./sql.ts";

export type CommitStatusRow = Selectable<CommitStatusesTable>;
export type OwedStatus = Pick<
  CommitStatusesTable,
  "repository_id" | "commit_sha" | "context" | "build_id" | "state" | "description" | "target_url" | "seq"
>;

export class CommitStatusesRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /**
   * Records the newest state of each (repository, commit, context) — at most one entry per key —
   * due now; a state older than the one stored is ignored. One statement.
   */
  async owe(opts: { rows: readonly OwedStatus[]; now: number }): Promise<void> {
    if (opts.rows.length === 0) return;
    const rows = opts.rows.map((r) => ({
      ...r,
      status: "pending",
      next_attempt_at: opts.now,
      first_pending_at: opts.now,
      updated_at: opts.now,
    }));
    await this.db
      .insertInto("commit_statuses")
      .columns([
        "repository_id",
        "commit_sha",
        "context",
        "build_id",
        "state",
        "description",
        "target_url",
        "seq",
        "status",
        "next_attempt_at",
        "first_pending_at",
        "updated_at",
      ])
      .expression(
        rowsFromJson(this.dialect, rows, {
          repository_id: "bigint",
          commit_sha: "text",
          context: "text",
          build_id: "bigint",
          state: "text",
          description: "text",
          target_url: "text",
          seq: "bigint",
          status: "text",
          next_attempt_at: "bigint",
          first_pending_at: "bigint",
          updated_at: "bigint",
        }),
      )
      .onConflict((oc) =>
        oc
          .columns(["repository_id", "commit_sha", "context"])
          .doUpdateSet((eb) => ({
            build_id: eb.ref("excluded.build_id"),
            state: eb.ref("excluded.state"),
            description: eb.ref("excluded.description"),
            target_url: eb.ref("excluded.target_url"),
            seq: eb.ref("excluded.seq"),
            status: "pending",
            attempts: 0,
            next_attempt_at: eb.ref("excluded.next_attempt_at"),
            first_pending_at: eb.ref("excluded.first_pending_at"),
            error: null,
            updated_at: eb.ref("excluded.updated_at"),
          }))
          .where("commit_statuses.seq", "<", (eb) => eb.ref("excluded.seq")),
      )
      .execute();
  }

  /** Claims due rows that have no request under way, for `leaseMs`. */
  async claimDue(opts: { now: number; limit: number; leaseMs: number }): Promise<CommitStatusRow[]> {
    let due = this.db
      .selectFrom("commit_statuses")
      .select("id")
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", opts.now)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", opts.now)]))
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(opts.limit);
    if (this.dialect === "postgres") due = due.forUpdate().skipLocked();
    return this.db
      .updateTable("commit_statuses")
      .set({ claimed_until: opts.now + opts.leaseMs })
      .where("id", "in", due)
      .returningAll()
      .execute();
  }

  /**
   * A request ended. Accepted: what it sent is the provider's now; the row is done unless a newer
   * state came meanwhile (then due at once). Failed: retried at `retryAt` (null: given up) —
   * unless a newer state came, which is tried at once.
   */
  async finish(opts: {
    id: number;
    sentSeq: number;
    sentState: string;
    ok: boolean;
    retryAt: number | null;
    responseStatus: number | null;
    error: string | null;
    now: number;
  }): Promise<void> {
    const newer = sql<boolean>`seq <> CAST(${opts.sentSeq} AS BIGINT)`;
    const set = opts.ok
      ? {
          sent_seq: opts.sentSeq,
          sent_state: opts.sentState,
          status: sql`CASE WHEN ${newer} THEN 'pending' ELSE 'delivered' END`,
          next_attempt_at: sql`CASE WHEN ${newer} THEN CAST(${opts.now} AS BIGINT) ELSE NULL END`,
          error: null,
        }
      : {
          status: sql`CASE WHEN ${newer} THEN 'pending' ELSE ${opts.retryAt === null ? "failed" : "pending"} END`,
          next_attempt_at: sql`CASE WHEN ${newer} THEN CAST(${opts.now} AS BIGINT) ELSE CAST(${opts.retryAt} AS BIGINT) END`,
          attempts: sql`CASE WHEN ${newer} THEN 0 ELSE attempts + 1 END`,
          error: opts.error,
        };
    await this.db
      .updateTable("commit_statuses")
      .set({
        ...(set as object),
        claimed_until: null,
        response_status: opts.responseStatus,
        updated_at: opts.now,
      })
      .where("id", "=", opts.id)
      .execute();
  }

  /** When the next owed status is due (null: none owed). */
  async nextDueAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom("commit_statuses")
      .select(
        sql<number | null>`MIN(CASE WHEN claimed_until IS NOT NULL AND claimed_until > next_attempt_at
          THEN claimed_until ELSE next_attempt_at END)`.as("at"),
      )
      .where("status", "=", "pending")
      .executeTakeFirst();
    return row?.at == null ? null : Number(row.at);
  }

  async forCommit(opts: { repositoryId: number; commit: string }): Promise<CommitStatusRow[]> {
    return this.db
      .selectFrom("commit_statuses")
      .selectAll()
      .where("repository_id", "=", opts.repositoryId)
      .where("commit_sha", "=", opts.commit)
      .orderBy("context")
      .execute();
  }
}
