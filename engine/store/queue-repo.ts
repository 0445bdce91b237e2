/** A durable work queue (a table): tasks survive restarts and are claimed by one worker at a time. */
import { sql } from "kysely";
import type { Dialect, Executor } from "./schema.ts";

export type Task = { id: number; kind: string; ref: string; run_at: number; attempts: number };

export class QueueRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /** Adds a task, or brings an existing one with the same kind and ref forward to `runAt`. */
  async enqueue(opts: { kind: string; ref: string; runAt: number; now: number }): Promise<void> {
    await this.db
      .insertInto("work_queue")
      .values({ kind: opts.kind, ref: opts.ref, run_at: opts.runAt, attempts: 0, created_at: opts.now })
      .onConflict((oc) =>
        oc.columns(["kind", "ref"]).doUpdateSet({
          run_at: sql`CASE WHEN work_queue.run_at < ${opts.runAt} THEN work_queue.run_at ELSE ${opts.runAt} END`,
        }),
      )
      .execute();
  }

  /** Claims due tasks by pushing their run time `leaseMs` ahead; a crashed worker's tasks come back then. */
  async claimDue(opts: { now: number; limit: number; leaseMs: number }): Promise<Task[]> {
    const due = this.db
      .selectFrom("work_queue")
      .select("id")
      .where("run_at", "<=", opts.now)
      .orderBy("run_at")
      .limit(opts.limit);
    const locked = this.dialect === "postgres" ? due.forUpdate().skipLocked() : due;
    return this.db
      .updateTable("work_queue")
      .set({ run_at: opts.now + opts.leaseMs, attempts: sql`attempts + 1` })
      .where("id", "in", locked)
      .returning(["id", "kind", "ref", "run_at", "attempts"])
      .execute();
  }

  /**
   * Keeps claims alive while their worker works on them (pushes `run_at` to `runAt`, never back):
   * a worker that dies stops renewing, and its tasks come back within one lease.
   */
  async renewClaims(opts: { ids: number[]; runAt: number }): Promise<void> {
    if (opts.ids.length === 0) return;
    await this.db
      .updateTable("work_queue")
      .set({ run_at: opts.runAt })
      .where("id", "in", opts.ids)
      .where("run_at", "<", opts.runAt)
      .execute();
  }

  async reschedule(opts: { id: number; runAt: number }): Promise<void> {
    await this.db
      .updateTable("work_queue")
      .set({ run_at: opts.runAt, attempts: 0 })
      .where("id", "=", opts.id)
      .execute();
  }

  async remove(opts: { id: number }): Promise<void> {
    await this.db.deleteFrom("work_queue").where("id", "=", opts.id).execute();
  }

  async nextRunAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom("work_queue")
      .select((eb) => eb.fn.min("run_at").as("run_at"))
      .executeTakeFirst();
    return row?.run_at == null ? null : Number(row.run_at);
  }
}
