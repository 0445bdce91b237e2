/** Schema migrations, run at start. Written once for both dialects. */
import { type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import type { Dialect } from "./schema.ts";

type Db = Kysely<unknown>;
type Col = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

function ids(dialect: Dialect) {
  return {
    /** An auto-incrementing 64-bit primary key. */
    serial:
      dialect === "postgres"
        ? (["bigserial", (c: ColumnDefinitionBuilder) => c.primaryKey()] as const)
        : (["integer", (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()] as const),
  };
}

const notNull: Col = (c) => c.notNull();

function initial(dialect: Dialect): Migration {
  const { serial } = ids(dialect);
  return {
    async up(db: Db) {
      await db.schema
        .createTable("users")
        .addColumn("id", serial[0], serial[1])
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text")
        .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema
        .createTable("api_tokens")
        .addColumn("id", serial[0], serial[1])
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("name", "text", notNull)
        .addColumn("kind", "text", (c) => c.notNull().defaultTo("api"))
        .addColumn("expires_at", "bigint")
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "bigint", notNull)
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .execute();
      await db.schema
        .createTable("projects")
        .addColumn("id", serial[0], serial[1])
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("display_name", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema
        .createTable("memberships")
        .addColumn("project_id", "bigint", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", notNull)
        .addPrimaryKeyConstraint("memberships_pk", ["project_id", "user_id"])
        .execute();
      await db.schema
        .createTable("pipelines")
        .addColumn("id", serial[0], serial[1])
        .addColumn("project_id", "bigint", (c) => c.notNull().references("projects.id"))
        .addColumn("name", "text", notNull)
        .addColumn("source", "text", notNull)
        .addColumn("definition", "text", notNull)
        .addColumn("next_number", "bigint", notNull)
        .addColumn("created_at", "bigint", notNull)
        .addColumn("updated_at", "bigint", notNull)
        .addUniqueConstraint("pipelines_project_name", ["project_id", "name"])
        .execute();
      await db.schema
        .createTable("builds")
        .addColumn("id", serial[0], serial[1])
        .addColumn("project_id", "bigint", notNull)
        .addColumn("pipeline_id", "bigint", (c) => c.notNull().references("pipelines.id"))
        .addColumn("number", "bigint", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("branch", "text", notNull)
        .addColumn("commit_sha", "text", notNull)
        .addColumn("params", "text", notNull)
        .addColumn("triggered_by", "text", notNull)
        .addColumn("concurrency_group", "text")
        .addColumn("current_stage", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("grace_seconds", "real", notNull)
        .addColumn("queue_deadline", "bigint")
        .addColumn("status_reason", "text")
        .addColumn("created_at", "bigint", notNull)
        .addColumn("started_at", "bigint")
        .addColumn("finished_at", "bigint")
        .addColumn("cancel_by", "text")
        .addColumn("cancel_reason", "text")
        .addColumn("cancel_operation_id", "text")
        .addColumn("cancel_at", "bigint")
        .addColumn("stop_deadline", "bigint")
        .addUniqueConstraint("builds_pipeline_number", ["pipeline_id", "number"])
        .execute();
      await db.schema.createIndex("builds_history").on("builds").columns(["pipeline_id", "id"]).execute();
      await db.schema
        .createIndex("builds_history_status")
        .on("builds")
        .columns(["pipeline_id", "status", "id"])
        .execute();
      await db.schema
        .createIndex("builds_history_branch")
        .on("builds")
        // Status last: a branch's counts per status are read from the index alone.
        .columns(["pipeline_id", "branch", "id", "status"])
        .execute();
      // Partial: most builds have no group and cost this index nothing.
      await db.schema
        .createIndex("builds_group")
        .on("builds")
        .columns(["project_id", "concurrency_group", "status"])
        .where(sql.ref("concurrency_group"), "is not", null)
        .execute();
      await db.schema.createIndex("builds_status").on("builds").columns(["status", "id"]).execute();
      await db.schema
        .createTable("jobs")
        .addColumn("id", serial[0], serial[1])
        .addColumn("build_id", "bigint", (c) => c.notNull().references("builds.id"))
        .addColumn("stage_index", "integer", notNull)
        .addColumn("stage_name", "text", notNull)
        .addColumn("job_index", "integer", notNull)
        .addColumn("name", "text", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("timeout_seconds", "real", notNull)
        .addColumn("env", "text", notNull)
        .addColumn("agent_id", "text")
        .addColumn("lease_id", "text")
        .addColumn("stop_requested_at", "bigint")
        .addColumn("stop_force", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("stop_delivered_at", "bigint")
        .addColumn("started_at", "bigint")
        .addColumn("finished_at", "bigint")
        .execute();
      await db.schema.createIndex("jobs_build").on("jobs").columns(["build_id", "stage_index", "status"]).execute();
      await db.schema.createIndex("jobs_agent").on("jobs").columns(["agent_id", "status"]).execute();
      await db.schema.createIndex("jobs_lease").on("jobs").column("lease_id").execute();
      await db.schema
        .createTable("steps")
        .addColumn("id", serial[0], serial[1])
        .addColumn("job_id", "bigint", (c) => c.notNull().references("jobs.id"))
        .addColumn("step_index", "integer", notNull)
        .addColumn("name", "text", notNull)
        .addColumn("run", "text", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("exit_code", "integer")
        .addColumn("started_at", "bigint")
        .addColumn("finished_at", "bigint")
        .execute();
      await db.schema.createIndex("steps_job").on("steps").columns(["job_id", "step_index"]).execute();
      await db.schema
        .createTable("log_chunks")
        .addColumn("id", serial[0], serial[1])
        .addColumn("build_id", "bigint", notNull)
        .addColumn("job_id", "bigint", notNull)
        .addColumn("stream", "text", notNull)
        .addColumn("text", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema.createIndex("log_chunks_build").on("log_chunks").columns(["build_id", "id"]).execute();
      await db.schema
        .createTable("agents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", notNull)
        .addColumn("slots", "integer", notNull)
        .addColumn("last_seen_at", "bigint", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema
        .createTable("operations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("source", "text", notNull)
        .addColumn("project_id", "bigint", notNull)
        .addColumn("pipeline_id", "bigint", notNull)
        .addColumn("requested_by", "text", notNull)
        .addColumn("reason", "text")
        .addColumn("force", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total", "integer", notNull)
        .addColumn("canceled", "integer", notNull)
        .addColumn("already_finished", "integer", notNull)
        .addColumn("failed", "integer", notNull)
        .addColumn("pending", "integer", notNull)
        .addColumn("idempotency_key", "text")
        .addColumn("request_hash", "text")
        .addColumn("created_at", "bigint", notNull)
        .addColumn("completed_at", "bigint")
        .addUniqueConstraint("operations_idempotency", ["requested_by", "idempotency_key"])
        .execute();
      await db.schema.createIndex("operations_running").on("operations").columns(["requested_by", "status"]).execute();
      await db.schema
        .createTable("operation_items")
        .addColumn("operation_id", "text", notNull)
        .addColumn("build_id", "bigint", notNull)
        .addColumn("outcome", "text", notNull)
        .addColumn("note", "text")
        .addPrimaryKeyConstraint("operation_items_pk", ["operation_id", "build_id"])
        .execute();
      await db.schema
        .createIndex("operation_items_build")
        .on("operation_items")
        .columns(["build_id", "outcome"])
        .execute();
      await db.schema
        .createTable("audit_entries")
        .addColumn("id", serial[0], serial[1])
        .addColumn("project_id", "bigint", notNull)
        .addColumn("action", "text", notNull)
        .addColumn("actor", "text", notNull)
        .addColumn("source", "text", notNull)
        .addColumn("reason", "text")
        .addColumn("operation_id", "text", notNull)
        .addColumn("targets", "integer", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema.createIndex("audit_project").on("audit_entries").columns(["project_id", "id"]).execute();
      await db.schema
        .createTable("events")
        .addColumn("seq", serial[0], serial[1])
        .addColumn("type", "text", notNull)
        .addColumn("project_id", "bigint")
        .addColumn("pipeline_id", "bigint")
        .addColumn("build_id", "bigint")
        .addColumn("operation_id", "text")
        .addColumn("payload", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
      await db.schema.createIndex("events_project").on("events").columns(["project_id", "seq"]).execute();
      await db.schema.createIndex("events_pipeline").on("events").columns(["pipeline_id", "seq"]).execute();
      await db.schema.createIndex("events_operation").on("events").columns(["operation_id", "seq"]).execute();
      await db.schema
        .createTable("work_queue")
        .addColumn("id", serial[0], serial[1])
        .addColumn("kind", "text", notNull)
        .addColumn("ref", "text", notNull)
        .addColumn("run_at", "bigint", notNull)
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", notNull)
        .addUniqueConstraint("work_queue_kind_ref", ["kind", "ref"])
        .execute();
      await db.schema.createIndex("work_queue_due").on("work_queue").column("run_at").execute();
      await db.schema
        .createTable("build_counts")
        .addColumn("pipeline_id", "bigint", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("count", "bigint", notNull)
        .addPrimaryKeyConstraint("build_counts_pk", ["pipeline_id", "status"])
        .execute();
    },
  };
}

/** Log limits per build, and how each agent contains its jobs. */
function logLimitsAndContainment(): Migration {
  return {
    async up(db: Db) {
      await db.schema
        .alterTable("builds")
        .addColumn("log_bytes", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("builds")
        .addColumn("log_dropped_bytes", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("agents").addColumn("containment", "text").execute();
    },
  };
}

/** Which process holds an agent id now (a second one under the same id is refused). */
function agentInstances(): Migration {
  return {
    async up(db: Db) {
      await db.schema.alterTable("agents").addColumn("instance", "text").execute();
    },
  };
}

/**
 * Operations as a family: project-wide ones (no pipeline), what an operation targeted
 * (`selection`, JSON), outcome counts as one JSON object (a new kind needs no new columns), and
 * protected jobs (`interruptible`); plus the secrets the engines share (the key that signs
 * previews). SQLite cannot drop a NOT NULL or a column in use, so there the operations table is
 * rebuilt.
 */
function operationFamily(dialect: Dialect): Migration {
  return {
    async up(db: Db) {
      const counts =
        dialect === "postgres"
          ? sql`json_build_object('canceled', canceled, 'already_finished', already_finished, 'failed', failed)::text`
          : sql`json_object('canceled', canceled, 'already_finished', already_finished, 'failed', failed)`;
      if (dialect === "postgres") {
        await sql`ALTER TABLE operations ALTER COLUMN pipeline_id DROP NOT NULL`.execute(db);
        await sql`ALTER TABLE operations ADD COLUMN scope text NOT NULL DEFAULT 'pipeline',
          ADD COLUMN selection text, ADD COLUMN counts text NOT NULL DEFAULT '{}'`.execute(db);
        await sql`UPDATE operations SET counts = ${counts}`.execute(db);
        await sql`ALTER TABLE operations DROP COLUMN canceled, DROP COLUMN already_finished, DROP COLUMN failed`.execute(
          db,
        );
      } else {
        await sql`CREATE TABLE operations_next (
          id text PRIMARY KEY, kind text NOT NULL, status text NOT NULL, source text NOT NULL,
          project_id bigint NOT NULL, pipeline_id bigint, scope text NOT NULL DEFAULT 'pipeline',
          selection text, requested_by text NOT NULL, reason text, force integer NOT NULL DEFAULT 0,
          total integer NOT NULL, counts text NOT NULL DEFAULT '{}', pending integer NOT NULL,
          idempotency_key text, request_hash text, created_at bigint NOT NULL, completed_at bigint,
          CONSTRAINT operations_idempotency UNIQUE (requested_by, idempotency_key))`.execute(db);
        await sql`INSERT INTO operations_next (id, kind, status, source, project_id, pipeline_id, requested_by,
            reason, force, total, counts, pending, idempotency_key, request_hash, created_at, completed_at)
          SELECT id, kind, status, source, project_id, pipeline_id, requested_by, reason, force, total, ${counts},
            pending, idempotency_key, request_hash, created_at, completed_at
          FROM operations`.execute(db);
        await sql`DROP TABLE operations`.execute(db);
        await sql`ALTER TABLE operations_next RENAME TO operations`.execute(db);
        await db.schema
          .createIndex("operations_running")
          .on("operations")
          .columns(["requested_by", "status"])
          .execute();
      }
      await db.schema
        .createIndex("operations_project")
        .on("operations")
        .columns(["project_id", "created_at"])
        .execute();
      // Project-wide filters: a project's active builds without walking its pipelines one by one.
      await db.schema
        .createIndex("builds_project_status")
        .on("builds")
        .columns(["project_id", "status", "id"])
        .execute();
      await db.schema
        .alterTable("jobs")
        .addColumn("interruptible", "integer", (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .createTable("engine_secrets")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .execute();
    },
  };
}

/**
 * The operations centre and the audit log: a project's operations listed newest first, and its
 * audit entries by actor.
 */
const operationsCentre: Migration = {
  async up(db: Db) {
    await db.schema
      .createIndex("operations_project_created")
      .on("operations")
      .columns(["project_id", "created_at", "id"])
      .execute();
    await db.schema
      .createIndex("audit_project_actor")
      .on("audit_entries")
      .columns(["project_id", "actor", "id"])
      .execute();
  },
};

/**
 * Security: the admin token gets a kind of its own; a project's running operations by index; on
 * PostgreSQL, the sign-in limiter's counts (the shape rate-limiter-flexible's store expects).
 */
function security(dialect: Dialect): Migration {
  return {
    async up(db: Db) {
      if (dialect === "postgres") {
        await db.schema
          .createTable("sign_in_limits")
          .addColumn("key", "varchar(255)", (c) => c.primaryKey())
          .addColumn("points", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("expire", "bigint")
          .execute();
      }
      await sql`UPDATE api_tokens SET kind = 'admin'
        WHERE kind = 'api' AND name = 'admin-token'
          AND user_id IN (SELECT id FROM users WHERE username = 'admin')`.execute(db);
      await db.schema
        .createIndex("operations_project_running")
        .on("operations")
        .columns(["project_id", "status", "created_at"])
        .execute();
    },
  };
}

/**
 * Webhooks: endpoints per project, their deliveries (the delivery log) with every attempt, and
 * the outbox cursors of durable readers (the webhook dispatcher's position survives restarts).
 */
function webhooks(dialect: Dialect): Migration {
  const { serial } = ids(dialect);
  return {
    async up(db: Db) {
      await db.schema
        .createTable("outbox_cursors")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("seq", "bigint", notNull)
        .addColumn("updated_at", "bigint", notNull)
        .execute();
      await db.schema
        .createTable("webhooks")
        .addColumn("id", serial[0], serial[1])
        .addColumn("project_id", "bigint", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("url", "text", notNull)
        .addColumn("secret", "text", notNull)
        .addColumn("events", "text", notNull)
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("disabled_reason", "text")
        .addColumn("disabled_at", "bigint")
        .addColumn("failing_since", "bigint")
        .addColumn("from_seq", "bigint", notNull)
        .addColumn("next_send_at", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("created_by", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .addColumn("updated_at", "bigint", notNull)
        .execute();
      await db.schema.createIndex("webhooks_project").on("webhooks").columns(["project_id", "id"]).execute();
      await db.schema
        .createTable("webhook_deliveries")
        .addColumn("id", serial[0], serial[1])
        .addColumn("guid", "text", (c) => c.notNull().unique())
        .addColumn("webhook_id", "bigint", (c) => c.notNull().references("webhooks.id").onDelete("cascade"))
        .addColumn("event", "text", notNull)
        .addColumn("body", "text", notNull)
        .addColumn("items", "integer", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "bigint")
        .addColumn("response_status", "integer")
        .addColumn("duration_ms", "integer")
        .addColumn("error", "text")
        .addColumn("redelivery_of", "bigint")
        .addColumn("created_at", "bigint", notNull)
        .addColumn("finished_at", "bigint")
        .execute();
      await db.schema
        .createIndex("webhook_deliveries_log")
        .on("webhook_deliveries")
        .columns(["webhook_id", "id"])
        .execute();
      // Partial: only pending deliveries are looked up by due time.
      await db.schema
        .createIndex("webhook_deliveries_due")
        .on("webhook_deliveries")
        .columns(["webhook_id", "next_attempt_at", "id"])
        .where(sql.ref("status"), "=", "pending")
        .execute();
      await db.schema
        .createTable("webhook_attempts")
        .addColumn("id", serial[0], serial[1])
        .addColumn("delivery_id", "bigint", (c) => c.notNull().references("webhook_deliveries.id").onDelete("cascade"))
        .addColumn("attempt", "integer", notNull)
        .addColumn("started_at", "bigint", notNull)
        .addColumn("duration_ms", "integer", notNull)
        .addColumn("response_status", "integer")
        .addColumn("response_body", "text")
        .addColumn("error", "text")
        .execute();
      await db.schema
        .createIndex("webhook_attempts_delivery")
        .on("webhook_attempts")
        .columns(["delivery_id", "attempt"])
        .execute();
    },
  };
}

/**
 * Which operations count against their requester's running-operations limit: bulk ones (a
 * selection, not forced, asked by a person or a token), not single or forced cancels nor the
 * concurrency policy's.
 */
const operationLimits: Migration = {
  async up(db: Db) {
    await db.schema
      .alterTable("operations")
      .addColumn("limited", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`UPDATE operations SET limited = 1
      WHERE selection IS NOT NULL AND force = 0 AND source IN ('user', 'api')`.execute(db);
  },
};

/**
 * Repositories: a project's repositories (secrets encrypted), their inbound deliveries (the
 * delivery log, unique per delivery id), the commit statuses owed to the provider (one row per
 * commit and context: newest state wins), what a build came from, and which agents have git.
 */
function repositories(dialect: Dialect): Migration {
  const { serial } = ids(dialect);
  return {
    async up(db: Db) {
      await db.schema
        .createTable("repositories")
        .addColumn("id", serial[0], serial[1])
        .addColumn("project_id", "bigint", (c) => c.notNull().references("projects.id").onDelete("cascade"))
        .addColumn("name", "text", notNull)
        .addColumn("url", "text", notNull)
        .addColumn("provider", "text", notNull)
        .addColumn("full_name", "text")
        .addColumn("api_url", "text")
        .addColumn("web_url", "text")
        .addColumn("statuses", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("credentials", "text")
        .addColumn("hook_secret", "text", notNull)
        .addColumn("hook_secret_rotated_at", "bigint", notNull)
        .addColumn("created_by", "text", notNull)
        .addColumn("created_at", "bigint", notNull)
        .addColumn("updated_at", "bigint", notNull)
        .addUniqueConstraint("repositories_project_name", ["project_id", "name"])
        .execute();
      await db.schema
        .createTable("hook_deliveries")
        .addColumn("id", serial[0], serial[1])
        .addColumn("repository_id", "bigint", (c) => c.notNull().references("repositories.id").onDelete("cascade"))
        .addColumn("delivery_id", "text", notNull)
        .addColumn("provider", "text", notNull)
        .addColumn("event", "text", notNull)
        .addColumn("action", "text")
        .addColumn("branch", "text")
        .addColumn("commit_sha", "text")
        .addColumn("pull_request", "integer")
        .addColumn("sender", "text")
        .addColumn("payload", "text", notNull)
        .addColumn("status", "text", notNull)
        .addColumn("reason", "text")
        .addColumn("effects", "text")
        .addColumn("received_at", "bigint", notNull)
        .addColumn("processed_at", "bigint")
        .addUniqueConstraint("hook_deliveries_once", ["repository_id", "delivery_id"])
        .execute();
      await db.schema
        .createIndex("hook_deliveries_log")
        .on("hook_deliveries")
        .columns(["repository_id", "id"])
        .execute();
      await db.schema
        .createTable("commit_statuses")
        .addColumn("id", serial[0], serial[1])
        .addColumn("repository_id", "bigint", (c) => c.notNull().references("repositories.id").onDelete("cascade"))
        .addColumn("commit_sha", "text", notNull)
        .addColumn("context", "text", notNull)
        .addColumn("build_id", "bigint", notNull)
        .addColumn("state", "text", notNull)
        .addColumn("description", "text", notNull)
        .addColumn("target_url", "text")
        .addColumn("seq", "bigint", notNull)
        .addColumn("sent_seq", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("sent_state", "text")
        .addColumn("status", "text", notNull)
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "bigint")
        .addColumn("claimed_until", "bigint")
        .addColumn("first_pending_at", "bigint", notNull)
        .addColumn("response_status", "integer")
        .addColumn("error", "text")
        .addColumn("updated_at", "bigint", notNull)
        .addUniqueConstraint("commit_statuses_once", ["repository_id", "commit_sha", "context"])
        .execute();
      // Partial: only statuses still owed are looked up by due time.
      await db.schema
        .createIndex("commit_statuses_due")
        .on("commit_statuses")
        .columns(["next_attempt_at", "id"])
        .where(sql.ref("status"), "=", "pending")
        .execute();
      for (const [column, type] of [
        ["repository_id", "bigint"],
        ["trigger_kind", "text"],
        ["pull_request", "integer"],
        ["commit_message", "text"],
        ["commit_author", "text"],
      ] as const) {
        await db.schema.alterTable("builds").addColumn(column, type).execute();
      }
      await db.schema
        .createIndex("builds_pull_request")
        .on("builds")
        .columns(["repository_id", "pull_request", "status"])
        .where(sql.ref("pull_request"), "is not", null)
        .execute();
      await db.schema
        .alterTable("agents")
        .addColumn("git", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}

/**
 * A bulk selection judged before it is confirmed: the branches a project's filter-based cancels
 * never reach (JSON list of patterns) and its guardrails for big cancels (JSON object).
 */
const bulkJudgement: Migration = {
  async up(db: Db) {
    await db.schema.alterTable("projects").addColumn("protected_branches", "text").execute();
    await db.schema.alterTable("projects").addColumn("bulk_cancel", "text").execute();
  },
};

/**
 * Re-runs point both ways: an operation re-run from another names it (`rerun_of`), and the
 * operation re-run names the re-run (`rerun_by`), which is also what lets it be re-run only once.
 */
const rerunLinks: Migration = {
  async up(db: Db) {
    await db.schema.alterTable("operations").addColumn("rerun_by", "text").execute();
    await db.schema.alterTable("operations").addColumn("rerun_of", "text").execute();
  },
};

/**
 * When an operation first had a stuck build (its stop not acknowledged within the grace period):
 * set once, so `operation.stuck` is written once per operation whichever replica sweeps; and the
 * most stuck builds it has said it has, so a count that grows is said again (as progress).
 */
const operationStuck: Migration = {
  async up(db: Db) {
    await db.schema.alterTable("operations").addColumn("stuck_at", "bigint").execute();
    await db.schema
      .alterTable("operations")
      .addColumn("stuck_said", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/** A delivery sent again from the log (`redeliver`): which one it repeats, and who asked. */
const hookRedelivery: Migration = {
  async up(db: Db) {
    await db.schema.alterTable("hook_deliveries").addColumn("redelivery_of", "bigint").execute();
    await db.schema.alterTable("hook_deliveries").addColumn("redelivered_by", "text").execute();
  },
};

/**
 * Stop orders not yet delivered, by agent: every poll of an agent takes its own (`takeStops`), and
 * read them through the agent's index before, that is through every job the agent ever ran.
 */
const pendingStops: Migration = {
  async up(db: Db) {
    await db.schema
      .createIndex("jobs_pending_stops")
      .on("jobs")
      .column("agent_id")
      .where(sql<boolean>`stop_requested_at IS NOT NULL AND stop_delivered_at IS NULL`)
      .execute();
  },
};

export function migrations(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        "001_initial": initial(dialect),
        "002_log_limits": logLimitsAndContainment(),
        "003_agent_instances": agentInstances(),
        "004_operation_family": operationFamily(dialect),
        "005_operations_centre": operationsCentre,
        "006_security": security(dialect),
        "007_webhooks": webhooks(dialect),
        "008_operation_limits": operationLimits,
        "011_repositories": repositories(dialect),
        "012_bulk_judgement": bulkJudgement,
        "013_rerun_links": rerunLinks,
        "014_operation_stuck": operationStuck,
        "015_hook_redelivery": hookRedelivery,
        "016_pending_stops": pendingStops,
      };
    },
  };
}
