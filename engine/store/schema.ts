/** Table types for Kysely. Times are epoch milliseconds; JSON columns hold text. */
import type { Generated, Kysely, Transaction } from "kysely";
import type { BuildStatus, JobStatus, StepStatus } from "../../common/statuses.ts";

export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  memberships: MembershipsTable;
  projects: ProjectsTable;
  pipelines: PipelinesTable;
  builds: BuildsTable;
  jobs: JobsTable;
  steps: StepsTable;
  log_chunks: LogChunksTable;
  agents: AgentsTable;
  operations: OperationsTable;
  operation_items: OperationItemsTable;
  audit_entries: AuditEntriesTable;
  events: EventsTable;
  work_queue: WorkQueueTable;
  build_counts: BuildCountsTable;
  engine_secrets: EngineSecretsTable;
  outbox_cursors: OutboxCursorsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

/** Secrets every engine replica shares (the key that signs previews), made on first use. */
export interface EngineSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

export interface BuildCountsTable {
  pipeline_id: number;
  status: string;
  count: number;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string | null;
  is_admin: number;
  created_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** A `TokenKind` (identity-repo.ts): `session`, `api`, `admin` or `agent`. */
  kind: string;
  expires_at: number | null;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface MembershipsTable {
  project_id: number;
  user_id: number;
  role: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  display_name: string;
  created_at: number;
}

export interface PipelinesTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  source: string;
  definition: string;
  next_number: number;
  created_at: number;
  updated_at: number;
}

export interface BuildsTable {
  id: Generated<number>;
  project_id: number;
  pipeline_id: number;
  number: number;
  status: BuildStatus;
  branch: string;
  commit_sha: string;
  params: string;
  triggered_by: string;
  concurrency_group: string | null;
  current_stage: number;
  grace_seconds: number;
  queue_deadline: number | null;
  status_reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  cancel_by: string | null;
  cancel_reason: string | null;
  cancel_operation_id: string | null;
  cancel_at: number | null;
  stop_deadline: number | null;
  /** Bytes of log stored for the build, and bytes dropped past `SLUICE_LOG_MAX_BYTES`. */
  log_bytes: Generated<number>;
  log_dropped_bytes: Generated<number>;
}

export interface JobsTable {
  id: Generated<number>;
  build_id: number;
  stage_index: number;
  stage_name: string;
  job_index: number;
  name: string;
  status: JobStatus;
  timeout_seconds: number;
  env: string;
  agent_id: string | null;
  lease_id: string | null;
  stop_requested_at: number | null;
  stop_force: number;
  stop_delivered_at: number | null;
  /** 0: once started, automatic cancels leave the build alone (`interruptible: false`). */
  interruptible: Generated<number>;
  started_at: number | null;
  finished_at: number | null;
}

export interface StepsTable {
  id: Generated<number>;
  job_id: number;
  step_index: number;
  name: string;
  run: string;
  status: StepStatus;
  exit_code: number | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface LogChunksTable {
  id: Generated<number>;
  build_id: number;
  job_id: number;
  stream: string;
  text: string;
  created_at: number;
}

export interface AgentsTable {
  id: string;
  name: string;
  slots: number;
  last_seen_at: number;
  created_at: number;
  /** JSON: how the agent contains its jobs (`AgentContainment`), as it registered. */
  containment: string | null;
  /** The process that registered last under this id; calls from another one are refused. */
  instance: string | null;
}

export interface OperationsTable {
  id: string;
  kind: string;
  status: "running" | "completed";
  source: string;
  project_id: number;
  /** Null for a project-wide operation. */
  pipeline_id: number | null;
  scope: "pipeline" | "project";
  /** JSON: what the operation targeted (`OperationSelection`). */
  selection: string | null;
  requested_by: string;
  reason: string | null;
  force: number;
  total: number;
  /** JSON: settled items per outcome (`{"canceled": 48, "already_finished": 2}`); the rest are pending. */
  counts: string;
  pending: number;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface OperationItemsTable {
  operation_id: string;
  build_id: number;
  outcome: string;
  note: string | null;
}

export interface AuditEntriesTable {
  id: Generated<number>;
  project_id: number;
  action: string;
  actor: string;
  source: string;
  reason: string | null;
  operation_id: string;
  targets: number;
  created_at: number;
}

export interface EventsTable {
  seq: Generated<number>;
  type: string;
  project_id: number | null;
  pipeline_id: number | null;
  build_id: number | null;
  operation_id: string | null;
  payload: string;
  created_at: number;
}

export interface WorkQueueTable {
  id: Generated<number>;
  kind: string;
  ref: string;
  run_at: number;
  attempts: number;
  created_at: number;
}

/** How far a durable reader of the outbox (the webhook dispatcher) got. */
export interface OutboxCursorsTable {
  name: string;
  seq: number;
  updated_at: number;
}

export interface WebhooksTable {
  id: Generated<number>;
  project_id: number;
  url: string;
  /** The HMAC key the payloads are signed with; never returned by the API. */
  secret: string;
  /** JSON array of event names. */
  events: string;
  active: number;
  /** Why it was switched off by the engine (`failing`), or null. */
  disabled_reason: string | null;
  disabled_at: number | null;
  /** The first failed attempt since the last success. */
  failing_since: number | null;
  /** Only outbox events after this `seq` are delivered (events before the hook existed are not). */
  from_seq: number;
  /** The rate limit: no request to this endpoint starts before this time. */
  next_send_at: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  /** `X-Sluice-Delivery`: the same for every attempt of this delivery, new for a redelivery. */
  guid: string;
  webhook_id: number;
  event: string;
  /** The exact bytes sent and signed. */
  body: string;
  /** Builds (or operations) the body reports. */
  items: number;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: number | null;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  redelivery_of: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  /** When its send slot began (the rate limit spaces these); the request follows at once. */
  started_at: number;
  duration_ms: number;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
}

/** The two databases the store speaks. */
export type Dialect = "sqlite" | "postgres";

/** The whole database, or a transaction on it: what a repository runs its statements on. */
export type Executor = Kysely<Database> | Transaction<Database>;
