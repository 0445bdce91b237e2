/** Builds, their jobs and steps: inserts, history queries and conditional status transitions. */
import {
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
  type Updateable,
} from "kysely";
import { groupBy } from "../../common/collections.ts";
import type { BuildTriggerKind } from "../../common/contract/builds.ts";
import { type BuildStatus, isTerminal } from "../../common/statuses.ts";
import { nextStatus, previousStatus, TRANSITIONS, type TransitionEvent } from "../domain/transitions.ts";
import type { CountsRepo } from "./counts-repo.ts";
import type { BuildsTable, Database, Dialect, Executor } from "./schema.ts";
import { buildsWithIds, idsIn, rowsFromJson, textsIn } from "./sql.ts";

export type BuildRow = Selectable<BuildsTable> & {
  project_name: string;
  pipeline_name: string;
  /** The repository a push or pull request build came from (null otherwise). */
  repository_name: string | null;
  repository_web_url: string | null;
  repository_provider: string | null;
};

/** What locking a build returns: enough to decide what to do with it. */
export type BuildRef = {
  id: number;
  project_id: number;
  pipeline_id: number;
  number: number;
  branch: string;
  status: BuildStatus;
};

/** A filter over a project's builds (a preview's or a bulk cancel's). */
export type BuildMatch = {
  projectId: number;
  /** Only these pipelines; all of the project's when undefined. */
  pipelineIds?: readonly number[];
  statuses: readonly BuildStatus[];
  branch?: string;
  triggeredBy?: string;
  beforeNumber?: number;
  beforeTime?: number;
  /** Existed at a preview: ids up to this one. */
  maxId?: number;
  /** Only these builds (a preview of explicit ids). */
  ids?: readonly number[];
  excludeIds?: readonly number[];
  /** Builds of this pull request of this repository. */
  pullRequest?: { repositoryId: number; number: number };
  /** What started them: a push, a pull request, or an API call (no repository event). */
  trigger?: BuildTriggerKind;
  /** Builds of a pull request with this number, in any of the project's repositories. */
  pullRequestNumber?: number;
};

export type MovedBuild = { id: number; pipeline_id: number; from: BuildStatus; status: BuildStatus };

export type NewBuild = Omit<
  BuildsTable,
  | "id"
  | "current_stage"
  | "status"
  | "status_reason"
  | "started_at"
  | "finished_at"
  | "cancel_by"
  | "cancel_reason"
  | "cancel_operation_id"
  | "cancel_at"
  | "stop_deadline"
  | "log_bytes"
  | "log_dropped_bytes"
>;

export type SeedBuild = {
  project_id: number;
  pipeline_id: number;
  number: number;
  status: BuildStatus;
  branch: string;
  commit_sha: string;
  params: string;
  triggered_by: string;
  current_stage: number;
  grace_seconds: number;
  created_at: number;
  started_at: number | null;
  finished_at?: number | null;
};

/** Builds started by `trigger`: an API call is a build no push or pull request started. */
function startedBy(trigger: BuildTriggerKind) {
  return (eb: ExpressionBuilder<Database, "builds">): Expression<SqlBool> =>
    trigger === "api" ? eb("trigger_kind", "is", null) : eb("trigger_kind", "=", trigger);
}

const REF_COLUMNS = ["id", "project_id", "pipeline_id", "number", "branch", "status"] as const;
/** A ref and what a keep-newest filter keys on. */
const KEYED_COLUMNS = [...REF_COLUMNS, "concurrency_group"] as const;

export type KeyedRef = BuildRef & { concurrency_group: string | null };

/** Columns a transition sets beside the status: values, or SQL that computes one per row. */
export type BuildUpdates = {
  [K in keyof Updateable<BuildsTable>]?: Updateable<BuildsTable>[K] | RawBuilder<Updateable<BuildsTable>[K]>;
};

export class BuildsRepo {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
    /** Every write that adds builds or changes a status tells the running totals. */
    private readonly counts: CountsRepo,
  ) {}

  private withNames() {
    return this.db
      .selectFrom("builds as b")
      .innerJoin("pipelines as pl", "pl.id", "b.pipeline_id")
      .innerJoin("projects as pr", "pr.id", "b.project_id")
      .leftJoin("repositories as rp", "rp.id", "b.repository_id")
      .selectAll("b")
      .select([
        "pl.name as pipeline_name",
        "pr.name as project_name",
        "rp.name as repository_name",
        "rp.web_url as repository_web_url",
        "rp.provider as repository_provider",
      ]);
  }

  /**
   * A `cancel_reason` for `Store.transition`'s update that differs per build: each build's reason
   * from `reasons`, `otherwise` for the rest. One statement however many builds (one list per reason).
   */
  reasonPerBuild(reasons: ReadonlyMap<number, string>, otherwise: string | null): RawBuilder<string | null> {
    const byReason = groupBy([...reasons], ([, reason]) => reason);
    const cases = [...byReason].map(
      ([reason, entries]) =>
        sql`WHEN ${idsIn(
          this.dialect,
          "id",
          entries.map(([id]) => id),
        )} THEN ${reason}`,
    );
    return sql<string | null>`CASE ${sql.join(cases, sql` `)} ELSE ${otherwise} END`;
  }

  /** A new QUEUED build (its jobs and steps are `JobsRepo.insertForBuild`). */
  async insert(opts: { build: NewBuild }): Promise<BuildRow> {
    const inserted = await this.db
      .insertInto("builds")
      .values({ ...opts.build, status: "QUEUED", current_stage: 0 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.counts.add(opts.build.pipeline_id, "QUEUED", 1);
    return (await this.findById({ id: inserted.id })) as BuildRow;
  }

  /**
   * Inserts many ready-made builds in one statement and returns their ids. For seeding
   * benchmarks and tests with history; triggering goes through `insert`.
   */
  async insertSeeded(opts: { rows: readonly SeedBuild[] }): Promise<number[]> {
    if (opts.rows.length === 0) return [];
    const rows = await this.db
      .insertInto("builds")
      .columns([
        "project_id",
        "pipeline_id",
        "number",
        "status",
        "branch",
        "commit_sha",
        "params",
        "triggered_by",
        "current_stage",
        "grace_seconds",
        "created_at",
        "started_at",
        "finished_at",
      ])
      .expression(
        rowsFromJson(this.dialect, opts.rows, {
          project_id: "bigint",
          pipeline_id: "bigint",
          number: "bigint",
          status: "text",
          branch: "text",
          commit_sha: "text",
          params: "text",
          triggered_by: "text",
          current_stage: "integer",
          grace_seconds: "real",
          created_at: "bigint",
          started_at: "bigint",
          finished_at: "bigint",
        }),
      )
      .returning("id")
      .execute();
    for (const [key, group] of groupBy(opts.rows, (r) => `${r.pipeline_id}/${r.status}`)) {
      await this.counts.add(group[0]!.pipeline_id, key.split("/")[1] as BuildStatus, group.length);
    }
    return rows.map((r) => r.id);
  }

  /** New QUEUED builds in one statement (a bulk re-run); returns their ids and numbers, in order. */
  async insertMany(opts: {
    builds: readonly NewBuild[];
  }): Promise<{ id: number; number: number; pipeline_id: number }[]> {
    if (opts.builds.length === 0) return [];
    const rows = opts.builds.map((b) => ({ ...b, status: "QUEUED", current_stage: 0 }));
    const inserted = await this.db
      .insertInto("builds")
      .columns([
        "project_id",
        "pipeline_id",
        "number",
        "status",
        "branch",
        "commit_sha",
        "params",
        "triggered_by",
        "concurrency_group",
        "current_stage",
        "grace_seconds",
        "queue_deadline",
        "created_at",
        "repository_id",
        "trigger_kind",
        "pull_request",
        "commit_message",
        "commit_author",
      ])
      .expression(
        rowsFromJson(this.dialect, rows, {
          project_id: "bigint",
          pipeline_id: "bigint",
          number: "bigint",
          status: "text",
          branch: "text",
          commit_sha: "text",
          params: "text",
          triggered_by: "text",
          concurrency_group: "text",
          current_stage: "integer",
          grace_seconds: "real",
          queue_deadline: "bigint",
          created_at: "bigint",
          repository_id: "bigint",
          trigger_kind: "text",
          pull_request: "integer",
          commit_message: "text",
          commit_author: "text",
        }),
      )
      .returning(["id", "number", "pipeline_id"])
      .execute();
    for (const [pipelineId, group] of groupBy(opts.builds, (b) => b.pipeline_id)) {
      await this.counts.add(pipelineId, "QUEUED", group.length);
    }
    return inserted.sort((a, b) => a.id - b.id);
  }

  /** Active builds of these concurrency groups of a project, oldest first, locked like `lockRefs`. */
  async lockActiveInGroups(opts: { projectId: number; groups: readonly string[] }) {
    if (opts.groups.length === 0) return [];
    let q = this.db
      .selectFrom("builds")
      .select([...REF_COLUMNS, "concurrency_group"])
      .where("project_id", "=", opts.projectId)
      .where(textsIn(this.dialect, "concurrency_group", opts.groups))
      .where("status", "in", ["QUEUED", "RUNNING", "CANCELING"])
      .orderBy("id");
    if (this.dialect === "postgres") q = q.forUpdate();
    return q.execute();
  }

  /** Refreshes planner statistics after seeding (and, on PostgreSQL, the visibility map for index-only scans). */
  async analyze(): Promise<void> {
    await sql`${sql.raw(this.dialect === "postgres" ? "VACUUM ANALYZE builds" : "ANALYZE")}`.execute(this.db);
  }

  async findById(opts: { id: number }): Promise<BuildRow | undefined> {
    return this.withNames().where("b.id", "=", opts.id).executeTakeFirst() as Promise<BuildRow | undefined>;
  }

  async findManyById(opts: { ids: readonly number[] }): Promise<BuildRow[]> {
    if (opts.ids.length === 0) return [];
    return this.withNames()
      .where(idsIn(this.dialect, "b.id", opts.ids))
      .orderBy("b.id", "desc")
      .execute() as Promise<BuildRow[]>;
  }

  /**
   * Loads the given builds, locking their rows in id order on PostgreSQL so that two
   * overlapping bulk cancels always lock in the same order and never deadlock.
   */
  async lockRefs(opts: { ids: readonly number[] }): Promise<BuildRef[]> {
    if (opts.ids.length === 0) return [];
    const order = this.dialect === "postgres" ? sql`ORDER BY b.id FOR UPDATE` : sql``;
    const { rows } = await sql<BuildRef>`SELECT b.id, b.project_id, b.pipeline_id, b.number, b.branch, b.status
      FROM ${buildsWithIds(this.dialect, opts.ids)} ${order}`.execute(this.db);
    return rows;
  }

  /** How much log these builds hold, locked like `lockRefs` (appends serialize per build). */
  async lockLogSizes(opts: { ids: readonly number[] }): Promise<Map<number, { kept: number; dropped: number }>> {
    if (opts.ids.length === 0) return new Map();
    const order = this.dialect === "postgres" ? sql`ORDER BY b.id FOR UPDATE` : sql``;
    const { rows } = await sql<{ id: number; log_bytes: number; log_dropped_bytes: number }>`
      SELECT b.id, b.log_bytes, b.log_dropped_bytes FROM ${buildsWithIds(this.dialect, opts.ids)} ${order}`.execute(
      this.db,
    );
    return new Map(rows.map((r) => [r.id, { kept: Number(r.log_bytes), dropped: Number(r.log_dropped_bytes) }]));
  }

  /** Adds to the builds' log sizes: one statement for any number of builds. */
  async addLogSizes(opts: { changes: readonly { id: number; kept: number; dropped: number }[] }): Promise<void> {
    if (opts.changes.length === 0) return;
    const changes = rowsFromJson(this.dialect, opts.changes, { id: "bigint", kept: "bigint", dropped: "bigint" });
    await sql`UPDATE builds SET
        log_bytes = log_bytes + (SELECT c.kept FROM (${changes}) c WHERE c.id = builds.id),
        log_dropped_bytes = log_dropped_bytes + (SELECT c.dropped FROM (${changes}) c WHERE c.id = builds.id)
      WHERE ${idsIn(
        this.dialect,
        "id",
        opts.changes.map((c) => c.id),
      )}`.execute(this.db);
  }

  /** A filter's builds now, oldest first, locked like `lockRefs` (the accept freezes them). */
  async lockMatching(opts: BuildMatch): Promise<KeyedRef[]> {
    let q = this.matching(opts).select(KEYED_COLUMNS).orderBy("id");
    if (this.dialect === "postgres") q = q.forUpdate();
    return q.execute();
  }

  /**
   * Builds a filter matched at `at` that have finished since (they were active then, and in the
   * status the filter names: queued then if not started by `at`, running if started by then).
   * A confirmed preview reports them as already finished.
   */
  async finishedSince(opts: Omit<BuildMatch, "statuses"> & { statuses: readonly BuildStatus[]; at: number }) {
    return this.matchedAt(opts, ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"])
      .where("finished_at", ">=", opts.at)
      .where((eb) => eb.or([eb("cancel_at", "is", null), eb("cancel_at", ">", opts.at)]))
      .orderBy("id")
      .execute();
  }

  /** Builds now in `now` that the filter matched at `at` (queued then if not started by `at`, running if started by then). */
  private matchedAt(opts: BuildMatch & { at: number }, now: readonly BuildStatus[]) {
    const queued = opts.statuses.includes("QUEUED");
    const running = opts.statuses.includes("RUNNING");
    return this.matching({ ...opts, statuses: now })
      .select(KEYED_COLUMNS)
      .where("created_at", "<=", opts.at)
      .where((eb) =>
        eb.or([
          ...(queued ? [eb.or([eb("started_at", "is", null), eb("started_at", ">", opts.at)])] : []),
          ...(running ? [eb("started_at", "<=", opts.at)] : []),
        ]),
      );
  }

  /**
   * Builds a filter matched at `at` that another cancel has moved to CANCELING since: no longer
   * matched, not finished, but part of what a keep-newest preview ranked.
   */
  async stoppingSince(opts: BuildMatch & { at: number }): Promise<KeyedRef[]> {
    return this.matchedAt(opts, ["CANCELING"]).where("cancel_at", ">", opts.at).orderBy("id").execute();
  }

  /** What a filter matches now, with what a keep-newest filter and protected branches decide on (a preview's). */
  async candidates(opts: BuildMatch): Promise<KeyedRef[]> {
    return this.matching(opts).select(KEYED_COLUMNS).execute();
  }

  /** What a filter matches now, summed up for a preview; `first` are the newest matches. */
  async summarize(opts: BuildMatch & { first: number }) {
    const groups = await this.matching(opts)
      .select([
        "pipeline_id",
        "status",
        (eb) => eb.fn.countAll<number>().as("n"),
        (eb) => eb.fn.max("id").as("max_id"),
        (eb) => eb.fn.max("number").as("max_number"),
      ])
      .groupBy(["pipeline_id", "status"])
      .execute();
    const first = (await this.withNames()
      .where("b.id", "in", () => this.matching(opts).select("id").orderBy("id", "desc").limit(opts.first))
      .orderBy("b.id", "desc")
      .execute()) as BuildRow[];
    return {
      groups: groups.map((g) => ({
        pipelineId: g.pipeline_id,
        status: g.status,
        count: Number(g.n),
        maxId: Number(g.max_id),
        maxNumber: Number(g.max_number),
      })),
      first,
    };
  }

  /**
   * What canceling a filter's builds would cost (a preview's impact): running builds per agent,
   * seconds they have run, steps in flight per stage and step, pull requests reached. A few
   * statements, however many builds.
   */
  async impact(opts: BuildMatch & { now: number }) {
    const targets = () => this.matching(opts).select("id");
    const byAgent = await this.db
      .selectFrom("jobs")
      .select(["agent_id", (eb) => eb.fn.count("build_id").distinct().as("n")])
      .where("build_id", "in", targets)
      .where("status", "=", "RUNNING")
      .where("agent_id", "is not", null)
      .groupBy("agent_id")
      .execute();
    const done = opts.statuses.includes("RUNNING")
      ? await this.matching({ ...opts, statuses: ["RUNNING"] })
          .select((eb) => eb.fn.sum<number>(sql`${opts.now} - started_at`).as("ms"))
          .where("started_at", "is not", null)
          .executeTakeFirst()
      : undefined;
    const inFlight = await this.db
      .selectFrom("steps as s")
      .innerJoin("jobs as j", "j.id", "s.job_id")
      .select(["j.stage_name", "s.name", (eb) => eb.fn.count("j.build_id").distinct().as("n")])
      .where("j.build_id", "in", targets)
      .where("s.status", "=", "RUNNING")
      .groupBy(["j.stage_name", "s.name"])
      .execute();
    const pullRequests = await this.db
      .selectFrom("builds as b")
      .innerJoin("repositories as r", "r.id", "b.repository_id")
      .select(["r.name", "b.pull_request", (eb) => eb.fn.countAll<number>().as("n")])
      .where("b.id", "in", targets)
      .where("b.pull_request", "is not", null)
      .groupBy(["r.name", "b.pull_request"])
      .orderBy("b.pull_request")
      .limit(50)
      .execute();
    return {
      runningByAgent: byAgent.map((r) => ({ agent: r.agent_id as string, builds: Number(r.n) })),
      workDoneMs: Number(done?.ms ?? 0),
      inFlight: inFlight.map((r) => ({ stage: r.stage_name, step: r.name, builds: Number(r.n) })),
      pullRequests: pullRequests.map((r) => ({
        repository: r.name,
        number: Number(r.pull_request),
        builds: Number(r.n),
      })),
    };
  }

  /** The stages a filter's builds have a job running in now. */
  async runningStages(opts: BuildMatch): Promise<string[]> {
    const rows = await this.db
      .selectFrom("jobs")
      .select("stage_name")
      .distinct()
      .where("build_id", "in", () => this.matching(opts).select("id"))
      .where("status", "=", "RUNNING")
      .execute();
    return rows.map((r) => r.stage_name);
  }

  /** How long the last `last` succeeded builds of each pipeline ran (ms), newest first. */
  async recentDurations(opts: { pipelineIds: readonly number[]; last: number }): Promise<Map<number, number[]>> {
    const durations = new Map<number, number[]>();
    if (opts.pipelineIds.length === 0) return durations;
    // One limited backward walk on (pipeline_id, status, id) per pipeline, in one statement.
    const parts = opts.pipelineIds.map(
      (id, i) => sql`SELECT * FROM (SELECT pipeline_id, finished_at - started_at AS ms FROM builds
        WHERE pipeline_id = ${id} AND status = 'SUCCEEDED' AND started_at IS NOT NULL AND finished_at IS NOT NULL
        ORDER BY id DESC LIMIT ${opts.last}) AS ${sql.raw(`p${i}`)}`,
    );
    const { rows } = await sql<{ pipeline_id: number; ms: number }>`${sql.join(parts, sql` UNION ALL `)}`.execute(
      this.db,
    );
    for (const r of rows) {
      const list = durations.get(Number(r.pipeline_id)) ?? [];
      list.push(Number(r.ms));
      durations.set(Number(r.pipeline_id), list);
    }
    return durations;
  }

  /** How many of a filter's builds have a protected job under way (a cancel without force skips them). */
  async countProtected(opts: BuildMatch): Promise<number> {
    const row = await this.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.count("build_id").distinct().as("n"))
      .where("build_id", "in", () => this.matching(opts).select("id"))
      .where("interruptible", "=", 0)
      .where("started_at", "is not", null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The highest build id now (a preview's bound: builds created after it are never touched). */
  async maxId(): Promise<number> {
    const row = await this.db
      .selectFrom("builds")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  /** Ids of a pipeline's builds by number; numbers that do not exist are left out. */
  async idsByNumbers(opts: { pipelineId: number; numbers: readonly number[] }) {
    if (opts.numbers.length === 0) return [];
    return this.db
      .selectFrom("builds")
      .select(["id", "number"])
      .where("pipeline_id", "=", opts.pipelineId)
      .where(idsIn(this.dialect, "number", opts.numbers))
      .execute();
  }

  /** Which of these ids are builds of the project (and pipeline, when given): read without locking. */
  async idsInScope(opts: { ids: readonly number[]; projectId: number; pipelineId?: number }): Promise<Set<number>> {
    if (opts.ids.length === 0) return new Set();
    let q = this.db
      .selectFrom("builds")
      .select("id")
      .where(idsIn(this.dialect, "id", opts.ids));
    q = q.where("project_id", "=", opts.projectId);
    if (opts.pipelineId !== undefined) q = q.where("pipeline_id", "=", opts.pipelineId);
    return new Set((await q.execute()).map((r) => r.id));
  }

  private matching(opts: BuildMatch) {
    let q = this.db.selectFrom("builds").where("project_id", "=", opts.projectId).where("status", "in", opts.statuses);
    if (opts.pipelineIds !== undefined) q = q.where(idsIn(this.dialect, "pipeline_id", opts.pipelineIds));
    if (opts.branch !== undefined) q = q.where("branch", "=", opts.branch);
    if (opts.triggeredBy !== undefined) q = q.where("triggered_by", "=", opts.triggeredBy);
    if (opts.beforeNumber !== undefined) q = q.where("number", "<", opts.beforeNumber);
    if (opts.beforeTime !== undefined) q = q.where("created_at", "<", opts.beforeTime);
    if (opts.maxId !== undefined) q = q.where("id", "<=", opts.maxId);
    if (opts.ids !== undefined) q = q.where(idsIn(this.dialect, "id", opts.ids));
    if (opts.excludeIds && opts.excludeIds.length > 0)
      q = q.where(sql<boolean>`NOT ${idsIn(this.dialect, "id", opts.excludeIds)}`);
    if (opts.pullRequest !== undefined) {
      q = q
        .where("repository_id", "=", opts.pullRequest.repositoryId)
        .where("pull_request", "=", opts.pullRequest.number);
    }
    if (opts.trigger !== undefined) q = q.where(startedBy(opts.trigger));
    if (opts.pullRequestNumber !== undefined) q = q.where("pull_request", "=", opts.pullRequestNumber);
    return q;
  }

  /** A page of a pipeline's history, newest first, starting below `beforeId`. */
  async history(opts: {
    pipelineId: number;
    statuses?: readonly BuildStatus[];
    branch?: string;
    /** `api`: builds no push or pull request started. */
    trigger?: BuildTriggerKind;
    pullRequest?: number;
    beforeId?: number;
    limit: number;
  }): Promise<BuildRow[]> {
    const statuses = opts.statuses ?? [];
    const newest = (status: BuildStatus | undefined) => {
      let q = this.db.selectFrom("builds").select("id").where("pipeline_id", "=", opts.pipelineId);
      if (status !== undefined) q = q.where("status", "=", status);
      if (opts.branch !== undefined) q = q.where("branch", "=", opts.branch);
      if (opts.trigger !== undefined) q = q.where(startedBy(opts.trigger));
      if (opts.pullRequest !== undefined) q = q.where("pull_request", "=", opts.pullRequest);
      if (opts.beforeId !== undefined) q = q.where("id", "<", opts.beforeId);
      return q.orderBy("id", "desc").limit(opts.limit);
    };
    // Several statuses: the newest page of each status, each read in order from the status index,
    // then merged — not every build of those statuses sorted (20,000 queued builds of a million
    // took 70 ms on SQLite that way).
    const ids =
      statuses.length > 1
        ? statuses
            .map((status, i) => this.db.selectFrom(newest(status).as(`s${i}`)).select("id"))
            .reduce((union, next) => union.unionAll(next))
        : newest(statuses[0]);
    return this.withNames().where("b.id", "in", ids).orderBy("b.id", "desc").limit(opts.limit).execute() as Promise<
      BuildRow[]
    >;
  }

  /** Builds per status: the running totals, or counted from the index for one branch. */
  async countByStatus(opts: { pipelineIds: readonly number[]; branch?: string; statuses?: readonly BuildStatus[] }) {
    if (opts.pipelineIds.length === 0) return [];
    if (opts.branch === undefined) {
      return this.counts.read({ pipelineIds: opts.pipelineIds, ...(opts.statuses ? { statuses: opts.statuses } : {}) });
    }
    let q = this.db
      .selectFrom("builds")
      .select(["pipeline_id", "status", (eb) => eb.fn.countAll<number>().as("count")])
      .where("pipeline_id", "in", opts.pipelineIds);
    if (opts.branch !== undefined) q = q.where("branch", "=", opts.branch);
    if (opts.statuses) q = q.where("status", "in", opts.statuses);
    // With a branch, SQLite would walk the status index to avoid a sort and read every row;
    // `+status` lets it count from the branch index alone.
    const status = opts.branch !== undefined && this.dialect === "sqlite" ? sql`+status` : sql.ref("status");
    const rows = await q.groupBy(["pipeline_id", status]).execute();
    return rows.map((r) => ({ pipelineId: r.pipeline_id, status: r.status, count: Number(r.count) }));
  }

  async latestPerPipeline(opts: { pipelineIds: readonly number[] }): Promise<BuildRow[]> {
    if (opts.pipelineIds.length === 0) return [];
    // One backward step on (pipeline_id, id) per pipeline, not a scan of its history.
    const latest = this.db
      .selectFrom("pipelines as p")
      .select((eb) =>
        eb
          .selectFrom("builds as l")
          .select("l.id")
          .whereRef("l.pipeline_id", "=", "p.id")
          .orderBy("l.id", "desc")
          .limit(1)
          .as("id"),
      )
      .where("p.id", "in", opts.pipelineIds);
    return this.withNames().where("b.id", "in", latest).execute() as Promise<BuildRow[]>;
  }

  /**
   * A conditional status update generated from the transition table (use `Store.transition`,
   * which also writes the events). Rows not in one of the event's from-statuses are left alone;
   * the rows that moved come back with their old and new status. Start and finish times are
   * set here too.
   */
  async updateStatus(opts: {
    ids: readonly number[];
    event: TransitionEvent;
    set?: BuildUpdates;
    now: number;
    /**
     * The statuses of `ids` as the caller locked them (in this transaction). Then the rows that
     * move are known in advance, and none has to come back from the database.
     */
    known?: ReadonlyMap<number, BuildRef>;
  }): Promise<MovedBuild[]> {
    const mapping = Object.entries(TRANSITIONS[opts.event]) as [BuildStatus, BuildStatus][];
    const froms = mapping.map(([from]) => from);
    const known = opts.known;
    const ids = known ? opts.ids.filter((id) => froms.includes(known.get(id)?.status as BuildStatus)) : opts.ids;
    if (ids.length === 0) return [];
    const caseOf = <T>(pick: (to: BuildStatus) => Expression<unknown> | null, otherwise: Expression<unknown>) =>
      sql<T>`CASE ${sql.join(
        mapping.flatMap(([from, to]) => {
          const value = pick(to);
          return value ? [sql`WHEN status = ${from} THEN ${value}`] : [];
        }),
        sql` `,
      )} ELSE ${otherwise} END`;
    const statusCase = caseOf<BuildStatus>((to) => sql.lit(to), sql.ref("status"));
    const anyTerminal = mapping.some(([, to]) => isTerminal(to));
    const anyStart = mapping.some(([, to]) => to === "RUNNING");
    const update = this.db
      .updateTable("builds")
      .set({
        ...opts.set,
        status: statusCase,
        ...(anyTerminal
          ? {
              finished_at: caseOf<number | null>(
                (to) => (isTerminal(to) ? sql.val(opts.now) : null),
                sql.ref("finished_at"),
              ),
            }
          : {}),
        ...(anyStart
          ? {
              started_at: caseOf<number | null>(
                (to) => (to === "RUNNING" ? sql.val(opts.now) : null),
                sql.ref("started_at"),
              ),
            }
          : {}),
      })
      .where(idsIn(this.dialect, "id", ids))
      .where("status", "in", froms);
    let moved: MovedBuild[];
    if (known) {
      const { numUpdatedRows } = await update.executeTakeFirstOrThrow();
      if (Number(numUpdatedRows) !== ids.length) throw new Error(`${opts.event}: locked builds changed under the lock`);
      moved = ids.map((id) => {
        const ref = known.get(id) as BuildRef;
        return {
          id,
          pipeline_id: ref.pipeline_id,
          from: ref.status,
          status: nextStatus(opts.event, ref.status) as BuildStatus,
        };
      });
    } else {
      const rows = await update.returning(["id", "status", "pipeline_id"]).execute();
      moved = rows.map((r) => ({
        id: r.id,
        pipeline_id: r.pipeline_id,
        status: r.status,
        from: previousStatus(opts.event, r.status),
      }));
    }
    for (const group of groupBy(moved, (b) => `${b.pipeline_id}/${b.from}/${b.status}`).values()) {
      const { pipeline_id, from, status } = group[0]!;
      await this.counts.add(pipeline_id, from, -group.length);
      await this.counts.add(pipeline_id, status, group.length);
    }
    return moved;
  }

  /** The group's active builds, oldest first, locked like `lockRefs`. */
  async lockActiveInGroup(opts: { projectId: number; group: string }): Promise<BuildRef[]> {
    let q = this.db
      .selectFrom("builds")
      .select(REF_COLUMNS)
      .where("project_id", "=", opts.projectId)
      .where("concurrency_group", "=", opts.group)
      .where("status", "in", ["QUEUED", "RUNNING", "CANCELING"])
      .orderBy("id");
    if (this.dialect === "postgres") q = q.forUpdate();
    return q.execute();
  }

  /**
   * Queued builds, oldest first, whose concurrency group has nothing running; `checkout: false`:
   * only builds that check no commit out (for an agent without git).
   */
  async startable(opts: { limit: number; checkout?: boolean }): Promise<BuildRow[]> {
    let q = this.withNames();
    if (opts.checkout === false) q = q.where("b.repository_id", "is", null);
    return q
      .where("b.status", "=", "QUEUED")
      .where((eb) =>
        eb.or([
          eb("b.concurrency_group", "is", null),
          eb.not(
            eb.exists(
              eb
                .selectFrom("builds as o")
                .select("o.id")
                .whereRef("o.project_id", "=", "b.project_id")
                .whereRef("o.concurrency_group", "=", "b.concurrency_group")
                .where("o.status", "in", ["RUNNING", "CANCELING"]),
            ),
          ),
        ]),
      )
      .orderBy("b.id")
      .limit(opts.limit)
      .execute() as Promise<BuildRow[]>;
  }

  /** What a stop order says about its build: the grace period, and who stopped it and why. */
  async stopContext(opts: { ids: readonly number[] }) {
    if (opts.ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("builds")
      .select(["id", "grace_seconds", "status", "cancel_by", "cancel_reason", "status_reason"])
      .where(idsIn(this.dialect, "id", opts.ids))
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  }

  async setCurrentStage(opts: { id: number; stage: number }): Promise<void> {
    await this.db.updateTable("builds").set({ current_stage: opts.stage }).where("id", "=", opts.id).execute();
  }

  /** Gives each CANCELING build without a deadline one: grace period plus the ack timeout. */
  async setStopDeadlines(opts: { ids: readonly number[]; now: number; ackTimeoutMs: number }): Promise<void> {
    if (opts.ids.length === 0) return;
    await this.db
      .updateTable("builds")
      .set({ stop_deadline: sql`${opts.now + opts.ackTimeoutMs} + CAST(grace_seconds * 1000 AS BIGINT)` })
      .where(idsIn(this.dialect, "id", opts.ids))
      .where("status", "=", "CANCELING")
      .where("stop_deadline", "is", null)
      .execute();
  }

  async overdue(opts: {
    status: "QUEUED" | "CANCELING";
    now: number;
    limit: number;
    ids?: readonly number[];
  }): Promise<number[]> {
    const column = opts.status === "QUEUED" ? "queue_deadline" : "stop_deadline";
    const rows = await this.db
      .selectFrom("builds")
      .select("id")
      .where("status", "=", opts.status)
      .where(column, "is not", null)
      .where(column, "<", opts.now)
      .orderBy("id")
      .limit(opts.limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async statusCountsAll(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("builds")
      .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  }
}
