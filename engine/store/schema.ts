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
  repositories: RepositoriesTable;
  hook_deliveries: HookDeliveriesTable;
  commit_statuses: CommitStatusesTable;
}

export interface RepositoriesTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  url: string;
  provider: string;
  full_name: string | null;
  api_url: string | null;
  web_url: string | null;
  statuses: number;
  /** Encrypted (`SecretBox`): JSON `{token, username?}`; never returned. */
  credentials: string | null;
  /** Encrypted (`SecretBox`): the HMAC key the provider signs with; shown once. */
  hook_secret: string;
  hook_secret_rotated_at: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface HookDeliveriesTable {
  id: Generated<number>;
  repository_id: number;
  /** The provider's delivery id: the same delivery twice creates nothing new. */
  delivery_id: string;
  provider: string;
  event: string;
  action: string | null;
  branch: string | null;
  commit_sha: string | null;
  pull_request: number | null;
  sender: string | null;
  /** JSON: the event as read (`HookEvent`), what processing acts on. */
  payload: string;
  status: "pending" | "processed" | "ignored" | "failed";
  reason: string | null;
  /** JSON: `HookEffects`. */
  effects: string | null;
  received_at: number;
  processed_at: number | null;
  /** The delivery this one sends again (`redeliver`), and who asked; null for the provider's own. */
  redelivery_of: number | null;
  redelivered_by: string | null;
}

/** The state owed to the provider for one commit and context; the newest (by outbox `seq`) wins. */
export interface CommitStatusesTable {
  id: Generated<number>;
  repository_id: number;
  commit_sha: string;
  context: string;
  build_id: number;
  state: string;
  description: string;
  target_url: string | null;
  /** The outbox event the state comes from; an older one never replaces it. */
  seq: number;
  /** The `seq` of the state the provider last accepted. */
  sent_seq: number;
  sent_state: string | null;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  /** When it is due (null once delivered or given up). */
  next_attempt_at: number | null;
  /** A request is under way until then: one in flight per commit and context. */
  claimed_until: number | null;
  /** When the state now owed was first owed: retries stop a while after it. */
  first_pending_at: number;
  response_status: number | null;
  error: string | null;
  updated_at: number;
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
  /** JSON list of branch patterns filter-based bulk cancels skip; null: none. */
  protected_branches: string | null;
  /** JSON `{minimumRole, confirmAbove, confirmStages}`; null: the defaults. */
  bulk_cancel: string | null;
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
  /** Set when a push or a pull request of this repository started the build (it checks the commit out). */
  repository_id: number | null;
  trigger_kind: "push" | "pull_request" | null;
  pull_request: number | null;
  commit_message: string | null;
  commit_author: string | null;
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
  /** 1: the agent has git and takes jobs that check a commit out. */
  git: Generated<number>;
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
  /** 1: a bulk operation, counted against its requester's running-operations limit. */
  limited: number;
  total: number;
  /** JSON: settled items per outcome (`{"canceled": 48, "already_finished": 2}`); the rest are pending. */
  counts: string;
  pending: number;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: number;
  completed_at: number | null;
  /** The operation that re-ran what this one canceled (it may be re-run once). */
  rerun_by: string | null;
  /** The operation whose canceled builds this re-run ran again. */
  rerun_of: string | null;
  /** When it first had a stuck build (`operation.stuck` written then, once). */
  stuck_at: number | null;
  /** The most stuck builds an event has said it has (a higher count is said again). */
  stuck_said: number;
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
  /** `refused`: the address policy refused the request; nothing was sent, and it is not retried. */
  status: "pending" | "delivered" | "failed" | "refused";
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
