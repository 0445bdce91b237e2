/**
 * Read-only figures for the metrics endpoint, each one small query whatever the history's size:
 * builds per status from the running totals (`build_counts`), the oldest queued build through
 * the status index, agents with their busy slots.
 */
import { sql } from "kysely";
import type { Executor } from "./schema.ts";

export type BuildCountRow = { project: string; pipeline: string; status: string; count: number };
export type AgentSlotsRow = { id: string; slots: number; busy: number; lastSeenAt: number };

export class StatsRepo {
  constructor(private readonly db: Executor) {}

  async buildCounts(): Promise<BuildCountRow[]> {
    const rows = await this.db
      .selectFrom("build_counts as c")
      .innerJoin("pipelines as pl", "pl.id", "c.pipeline_id")
      .innerJoin("projects as pr", "pr.id", "pl.project_id")
      .select(["pr.name as project", "pl.name as pipeline", "c.status", "c.count"])
      .execute();
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** When the longest-waiting queued build was created (the lowest id among QUEUED ones). */
  async oldestQueuedAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom("builds")
      .select("created_at")
      .where("status", "=", "QUEUED")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.created_at) : null;
  }

  /** When the longest-canceling build's cancel was requested (CANCELING builds are few: index on status). */
  async oldestCancelingSince(): Promise<number | null> {
    const row = await this.db
      .selectFrom("builds")
      .select((eb) => eb.fn.min("cancel_at").as("at"))
      .where("status", "=", "CANCELING")
      .executeTakeFirst();
    return row?.at == null ? null : Number(row.at);
  }

  /**
   * Stuck builds: CANCELING, with a job whose stop was requested longer than the build's grace
   * period ago and is not acknowledged yet (CANCELING builds are few: index on status).
   */
  async stuckBuilds(opts: { now: number }): Promise<number> {
    const row = await this.db
      .selectFrom("builds as b")
      .innerJoin("jobs as j", "j.build_id", "b.id")
      .select(sql<number>`COUNT(DISTINCT b.id)`.as("n"))
      .where("b.status", "=", "CANCELING")
      .where("j.stop_requested_at", "is not", null)
      .where("j.finished_at", "is", null)
      .where(sql<boolean>`j.stop_requested_at + CAST(b.grace_seconds * 1000 AS BIGINT) < ${opts.now}`)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async agentSlots(): Promise<AgentSlotsRow[]> {
    const rows = await this.db
      .selectFrom("agents as a")
      .select(["a.id", "a.slots", "a.last_seen_at"])
      .select((eb) =>
        eb
          .selectFrom("jobs as j")
          .select(eb.fn.countAll<number>().as("n"))
          .whereRef("j.agent_id", "=", "a.id")
          .where("j.status", "=", "RUNNING")
          .as("busy"),
      )
      .execute();
    return rows.map((r) => ({
      id: r.id,
      slots: Number(r.slots),
      busy: Number(r.busy ?? 0),
      lastSeenAt: Number(r.last_seen_at),
    }));
  }

  async newestSeq(): Promise<number> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async cursor(name: string): Promise<number | null> {
    const row = await this.db.selectFrom("outbox_cursors").select("seq").where("name", "=", name).executeTakeFirst();
    return row ? Number(row.seq) : null;
  }
}
