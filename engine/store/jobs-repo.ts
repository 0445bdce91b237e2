/** Jobs, their leases on agent slots, stop requests, and steps. */
import { type Selectable, sql } from "kysely";
import type { JobStatus, StepStatus } from "../../common/statuses.ts";
import type { Dialect, Executor, JobsTable, StepsTable } from "./schema.ts";
import { idsIn, rowsFromJson, textsIn } from "./sql.ts";

export type JobRow = Selectable<JobsTable>;
export type StepRow = Selectable<StepsTable>;
export type LeasedJob = JobRow & { build_status: string };

export type NewJob = {
  stageIndex: number;
  stageName: string;
  jobIndex: number;
  name: string;
  timeoutSeconds: number;
  env: Record<string, string>;
  /** false: once started, automatic cancels leave the build alone. */
  interruptible: boolean;
  steps: { index: number; name: string; run: string }[];
};

/** The columns of a job row as inserted from JSON (see `rowsFromJson`). */
const JOB_COLUMNS = {
  build_id: "bigint",
  stage_index: "integer",
  stage_name: "text",
  job_index: "integer",
  name: "text",
  status: "text",
  timeout_seconds: "real",
  env: "text",
  interruptible: "integer",
} as const;

export class JobsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  /** A new build's jobs (QUEUED) and their steps (PENDING): two statements. */
  async insertForBuild(opts: { buildId: number; jobs: readonly NewJob[] }): Promise<void> {
    await this.insertForBuilds({ builds: [opts] });
  }

  /** The jobs and steps of many new builds (a bulk re-run): two statements for any number. */
  async insertForBuilds(opts: { builds: readonly { buildId: number; jobs: readonly NewJob[] }[] }): Promise<void> {
    const jobRows = opts.builds.flatMap(({ buildId, jobs }) =>
      jobs.map((j) => ({
        build_id: buildId,
        stage_index: j.stageIndex,
        stage_name: j.stageName,
        job_index: j.jobIndex,
        name: j.name,
        status: "QUEUED",
        timeout_seconds: j.timeoutSeconds,
        env: JSON.stringify(j.env),
        // Definitions saved before jobs could be protected say nothing: interruptible.
        interruptible: j.interruptible === false ? 0 : 1,
      })),
    );
    if (jobRows.length === 0) return;
    const jobIds = await this.db
      .insertInto("jobs")
      .columns(Object.keys(JOB_COLUMNS) as (keyof typeof JOB_COLUMNS)[])
      .expression(rowsFromJson(this.dialect, jobRows, JOB_COLUMNS))
      .returning(["id", "build_id", "stage_index", "job_index"])
      .execute();
    const idOf = new Map(jobIds.map((r) => [`${r.build_id}/${r.stage_index}/${r.job_index}`, r.id]));
    const stepRows = opts.builds.flatMap(({ buildId, jobs }) =>
      jobs.flatMap((j) =>
        j.steps.map((s) => ({
          job_id: idOf.get(`${buildId}/${j.stageIndex}/${j.jobIndex}`),
          step_index: s.index,
          name: s.name,
          run: s.run,
          status: "PENDING",
        })),
      ),
    );
    await this.db
      .insertInto("steps")
      .columns(["job_id", "step_index", "name", "run", "status"])
      .expression(
        rowsFromJson(this.dialect, stepRows, {
          job_id: "bigint",
          step_index: "integer",
          name: "text",
          run: "text",
          status: "text",
        }),
      )
      .execute();
  }

  /** One running job per build, leased to the given agent: for seeding benchmarks and tests. */
  async insertSeededLeases(opts: {
    leases: readonly { buildId: number; agentId: string; leaseId: string }[];
    now: number;
  }): Promise<void> {
    if (opts.leases.length === 0) return;
    const rows = opts.leases.map((l) => ({
      build_id: l.buildId,
      stage_index: 0,
      stage_name: "main",
      job_index: 0,
      name: "job",
      status: "RUNNING",
      timeout_seconds: 3600,
      env: "{}",
      interruptible: 1,
      agent_id: l.agentId,
      lease_id: l.leaseId,
      started_at: opts.now,
    }));
    await this.db
      .insertInto("jobs")
      .columns([...(Object.keys(JOB_COLUMNS) as (keyof typeof JOB_COLUMNS)[]), "agent_id", "lease_id", "started_at"])
      .expression(
        rowsFromJson(this.dialect, rows, { ...JOB_COLUMNS, agent_id: "text", lease_id: "text", started_at: "bigint" }),
      )
      .execute();
  }

  async forBuild(opts: { buildId: number }): Promise<{ jobs: JobRow[]; steps: StepRow[] }> {
    const jobs = await this.db
      .selectFrom("jobs")
      .selectAll()
      .where("build_id", "=", opts.buildId)
      .orderBy("stage_index")
      .orderBy("job_index")
      .execute();
    const steps = await this.steps({ jobIds: jobs.map((j) => j.id) });
    return { jobs, steps };
  }

  async steps(opts: { jobIds: readonly number[] }): Promise<StepRow[]> {
    if (opts.jobIds.length === 0) return [];
    return this.db
      .selectFrom("steps")
      .selectAll()
      .where(idsIn(this.dialect, "job_id", opts.jobIds))
      .orderBy("job_id")
      .orderBy("step_index")
      .execute();
  }

  /** Jobs ready to run: queued, in the current stage of a running build, oldest build first. */
  /** `checkout: false`: only jobs of builds that check no commit out (an agent without git). */
  async ready(opts: { limit: number; buildIds?: readonly number[]; checkout?: boolean }): Promise<JobRow[]> {
    let q = this.db
      .selectFrom("jobs as j")
      .innerJoin("builds as b", "b.id", "j.build_id")
      .selectAll("j")
      .where("b.status", "=", "RUNNING")
      .where("j.status", "=", "QUEUED")
      .whereRef("j.stage_index", "=", "b.current_stage");
    if (opts.buildIds) q = q.where(idsIn(this.dialect, "b.id", opts.buildIds));
    if (opts.checkout === false) q = q.where("b.repository_id", "is", null);
    return q.orderBy("b.id").orderBy("j.id").limit(opts.limit).execute();
  }

  /** Leases queued jobs to an agent; each gets its own lease id. Jobs taken meanwhile are skipped. */
  async lease(opts: { jobIds: readonly number[]; agentId: string; token: string; now: number }): Promise<JobRow[]> {
    if (opts.jobIds.length === 0) return [];
    return this.db
      .updateTable("jobs")
      .set({
        status: "RUNNING",
        agent_id: opts.agentId,
        lease_id: sql`CAST(id AS TEXT) || '-' || ${opts.token}`,
        started_at: opts.now,
      })
      .where(idsIn(this.dialect, "id", opts.jobIds))
      .where("status", "=", "QUEUED")
      .where("build_id", "in", (eb) => eb.selectFrom("builds").select("id").where("status", "=", "RUNNING"))
      .returningAll()
      .execute();
  }

  async byLease(opts: { leaseId: string; agentId: string }): Promise<LeasedJob | undefined> {
    return this.db
      .selectFrom("jobs as j")
      .innerJoin("builds as b", "b.id", "j.build_id")
      .selectAll("j")
      .select("b.status as build_status")
      .where("j.lease_id", "=", opts.leaseId)
      .where("j.agent_id", "=", opts.agentId)
      .executeTakeFirst();
  }

  async byLeases(opts: { leaseIds: readonly string[]; agentId?: string }): Promise<JobRow[]> {
    if (opts.leaseIds.length === 0) return [];
    let q = this.db
      .selectFrom("jobs")
      .selectAll()
      .where(textsIn(this.dialect, "lease_id", opts.leaseIds));
    if (opts.agentId !== undefined) q = q.where("agent_id", "=", opts.agentId);
    return q.execute();
  }

  async updateStep(opts: {
    jobId: number;
    stepIndex: number;
    status: StepStatus;
    exitCode: number | null;
    now: number;
  }) {
    const running = opts.status === "RUNNING";
    await this.db
      .updateTable("steps")
      .set(
        running
          ? { status: opts.status, started_at: opts.now }
          : { status: opts.status, exit_code: opts.exitCode, finished_at: opts.now },
      )
      .where("job_id", "=", opts.jobId)
      .where("step_index", "=", opts.stepIndex)
      .where("status", "in", running ? ["PENDING"] : ["PENDING", "RUNNING"])
      .execute();
  }

  /** Ends a running job (conditional on it still running). Returns false when it was not running. */
  async finish(opts: { jobId: number; status: JobStatus; now: number }): Promise<boolean> {
    const result = await this.db
      .updateTable("jobs")
      .set({ status: opts.status, finished_at: opts.now })
      .where("id", "=", opts.jobId)
      .where("status", "=", "RUNNING")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Which of these builds have a protected job (`interruptible: false`) that has started. */
  async protectedBuilds(opts: { buildIds: readonly number[] }): Promise<Set<number>> {
    if (opts.buildIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("jobs")
      .select("build_id")
      .distinct()
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("interruptible", "=", 0)
      .where("started_at", "is not", null)
      .execute();
    return new Set(rows.map((r) => r.build_id));
  }

  /** Which of these builds still have a running job. */
  async buildsWithRunningJobs(opts: { buildIds: readonly number[] }): Promise<Set<number>> {
    if (opts.buildIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("jobs")
      .select("build_id")
      .distinct()
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("status", "=", "RUNNING")
      .execute();
    return new Set(rows.map((r) => r.build_id));
  }

  async stageStatuses(opts: { buildId: number; stage: number }): Promise<JobStatus[]> {
    const rows = await this.db
      .selectFrom("jobs")
      .select("status")
      .where("build_id", "=", opts.buildId)
      .where("stage_index", "=", opts.stage)
      .execute();
    return rows.map((r) => r.status);
  }

  /**
   * Marks a stop request on every running job of these builds that has none yet (the durable
   * stop command, delivered on the agent's next poll). Returns the agents to wake.
   */
  async requestStops(opts: {
    buildIds: readonly number[];
    force: boolean;
    now: number;
    exceptJobId?: number;
  }): Promise<string[]> {
    if (opts.buildIds.length === 0) return [];
    let q = this.db
      .updateTable("jobs")
      .set({ stop_requested_at: opts.now, stop_force: opts.force ? 1 : 0, stop_delivered_at: null })
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("status", "=", "RUNNING")
      .where((eb) =>
        opts.force
          ? eb.or([eb("stop_requested_at", "is", null), eb("stop_force", "=", 0)])
          : eb("stop_requested_at", "is", null),
      );
    if (opts.exceptJobId !== undefined) q = q.where("id", "!=", opts.exceptJobId);
    const rows = await q.returning("agent_id").execute();
    return [...new Set(rows.flatMap((r) => (r.agent_id ? [r.agent_id] : [])))];
  }

  /**
   * Revokes the leases of these builds' running jobs: the jobs end CANCELED at once, so a late
   * report cannot revive them, and a forced stop still goes to the agent to kill what is left.
   */
  async revokeLeases(opts: { buildIds: readonly number[]; now: number }): Promise<string[]> {
    if (opts.buildIds.length === 0) return [];
    const rows = await this.db
      .updateTable("jobs")
      .set({
        status: "CANCELED",
        finished_at: opts.now,
        stop_requested_at: opts.now,
        stop_force: 1,
        stop_delivered_at: null,
      })
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("status", "=", "RUNNING")
      .returning("agent_id")
      .execute();
    return [...new Set(rows.flatMap((r) => (r.agent_id ? [r.agent_id] : [])))];
  }

  /** Stop orders not yet delivered to this agent, marked delivered. Includes revoked leases. */
  async takeStops(opts: { agentId: string; now: number }) {
    return this.db
      .updateTable("jobs")
      .set({ stop_delivered_at: opts.now })
      .where("agent_id", "=", opts.agentId)
      .where("stop_requested_at", "is not", null)
      .where("stop_delivered_at", "is", null)
      .where("lease_id", "is not", null)
      .returning(["lease_id", "build_id", "stop_force"])
      .execute();
  }

  /** An agent acknowledged these stops: running jobs end CANCELED. Returns their builds. */
  async acknowledgeStops(opts: {
    leaseIds: readonly string[];
    now: number;
  }): Promise<{ jobIds: number[]; buildIds: number[] }> {
    if (opts.leaseIds.length === 0) return { jobIds: [], buildIds: [] };
    const rows = await this.db
      .updateTable("jobs")
      .set({ status: "CANCELED", finished_at: opts.now })
      .where(textsIn(this.dialect, "lease_id", opts.leaseIds))
      .where("status", "=", "RUNNING")
      .returning(["id", "build_id"])
      .execute();
    return { jobIds: rows.map((r) => r.id), buildIds: [...new Set(rows.map((r) => r.build_id))] };
  }

  /** Jobs of these builds that never started end with `status` (CANCELED or SKIPPED). */
  async endUnstarted(opts: {
    buildIds: readonly number[];
    status: "CANCELED" | "SKIPPED";
    now: number;
  }): Promise<void> {
    if (opts.buildIds.length === 0) return;
    await this.db
      .updateTable("jobs")
      .set({ status: opts.status, finished_at: opts.now })
      .where(idsIn(this.dialect, "build_id", opts.buildIds))
      .where("status", "=", "QUEUED")
      .execute();
  }

  /**
   * Closes the open steps of finished jobs (given directly, or every finished job of the given
   * builds): a running step takes `runningBecomes`, steps that never started are SKIPPED.
   */
  async closeSteps(opts: {
    jobIds?: readonly number[];
    buildIds?: readonly number[];
    runningBecomes: StepStatus;
    now: number;
  }): Promise<void> {
    const finishedJobs = this.db
      .selectFrom("jobs")
      .select("id")
      .where(idsIn(this.dialect, "build_id", opts.buildIds ?? []))
      .where("status", "not in", ["QUEUED", "RUNNING"]);
    await this.db
      .updateTable("steps")
      .set({
        status: sql`CASE WHEN status = 'RUNNING' THEN ${opts.runningBecomes} ELSE 'SKIPPED' END`,
        finished_at: opts.now,
      })
      .where(opts.jobIds ? idsIn(this.dialect, "job_id", opts.jobIds) : sql<boolean>`job_id IN (${finishedJobs})`)
      .where("status", "in", ["RUNNING", "PENDING"])
      .execute();
  }

  async runningOnAgent(opts: { agentId: string }): Promise<JobRow[]> {
    return this.db
      .selectFrom("jobs")
      .selectAll()
      .where("agent_id", "=", opts.agentId)
      .where("status", "=", "RUNNING")
      .execute();
  }

  /**
   * Gives leases back that never reached their agent (the poll answer carrying them was lost): a
   * running job of a running build whose agent does not hold it and whose first step never
   * started goes back to QUEUED, unleased, for any agent to take. Nothing of it ran, so nothing
   * can run twice; its old lease is refused from now on.
   */
  async requeueUndelivered(opts: { jobIds: readonly number[]; agentId: string }): Promise<JobRow[]> {
    if (opts.jobIds.length === 0) return [];
    return this.db
      .updateTable("jobs")
      .set({
        status: "QUEUED",
        agent_id: null,
        lease_id: null,
        started_at: null,
        stop_requested_at: null,
        stop_delivered_at: null,
        stop_force: 0,
      })
      .where(idsIn(this.dialect, "id", opts.jobIds))
      .where("agent_id", "=", opts.agentId)
      .where("status", "=", "RUNNING")
      .where("build_id", "in", (eb) => eb.selectFrom("builds").select("id").where("status", "=", "RUNNING"))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("steps")
              .select("steps.id")
              .whereRef("steps.job_id", "=", "jobs.id")
              .where("steps.status", "<>", "PENDING"),
          ),
        ),
      )
      .returningAll()
      .execute();
  }

  /** Ends these running jobs with `status` (used when their agent is lost). */
  async endRunning(opts: { jobIds: readonly number[]; status: JobStatus; now: number }): Promise<void> {
    if (opts.jobIds.length === 0) return;
    await this.db
      .updateTable("jobs")
      .set({ status: opts.status, finished_at: opts.now })
      .where(idsIn(this.dialect, "id", opts.jobIds))
      .where("status", "=", "RUNNING")
      .execute();
  }
}
