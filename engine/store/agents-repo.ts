/** Registered agents. */
import type { Dialect, Executor } from "./schema.ts";

export class AgentsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async upsert(opts: {
    id: string;
    name: string;
    slots: number;
    instance: string;
    containment: object | null;
    git: boolean;
    now: number;
  }) {
    const containment = opts.containment ? JSON.stringify(opts.containment) : null;
    const values = {
      name: opts.name,
      slots: opts.slots,
      instance: opts.instance,
      containment,
      git: opts.git ? 1 : 0,
      last_seen_at: opts.now,
    };
    await this.db
      .insertInto("agents")
      .values({ id: opts.id, ...values, created_at: opts.now })
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
  }

  /** Marks the agent seen; returns the instance registered under its id (undefined: not registered). */
  async seen(opts: { id: string; now: number }): Promise<{ instance: string | null } | undefined> {
    return this.db
      .updateTable("agents")
      .set({ last_seen_at: opts.now })
      .where("id", "=", opts.id)
      .returning("instance")
      .executeTakeFirst();
  }

  /** Whether the agent said it has git (it takes jobs that check a commit out). */
  async hasGit(opts: { id: string }): Promise<boolean> {
    const row = await this.db.selectFrom("agents").select("git").where("id", "=", opts.id).executeTakeFirst();
    return row?.git === 1;
  }

  /** Every agent with the number of jobs it runs now. */
  async list() {
    return this.db
      .selectFrom("agents as a")
      .select(["a.id", "a.name", "a.slots", "a.containment", "a.last_seen_at", "a.created_at"])
      .select((eb) =>
        eb
          .selectFrom("jobs as j")
          .select(eb.fn.countAll<number>().as("n"))
          .whereRef("j.agent_id", "=", "a.id")
          .where("j.status", "=", "RUNNING")
          .as("running_jobs"),
      )
      .orderBy("a.id")
      .execute();
  }

  async touch(opts: { id: string; now: number }): Promise<boolean> {
    const r = await this.db
      .updateTable("agents")
      .set({ last_seen_at: opts.now })
      .where("id", "=", opts.id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Agents not heard from since `before` that still hold running jobs. */
  async silentWithRunningJobs(opts: { before: number }): Promise<string[]> {
    const rows = await this.db
      .selectFrom("agents as a")
      .select("a.id")
      .where("a.last_seen_at", "<", opts.before)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("jobs as j")
            .select("j.id")
            .whereRef("j.agent_id", "=", "a.id")
            .where("j.status", "=", "RUNNING"),
        ),
      )
      .execute();
    return rows.map((r) => r.id);
  }
}
