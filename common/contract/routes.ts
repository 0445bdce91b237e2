/**
 * Every engine HTTP route, once: method, path, inputs (path parameters, query, body, headers),
 * success answers and who may call it. The engine's routes parse with these schemas, the one
 * engine client (`common/engine-client.ts`) sends and reads through them, and the OpenAPI
 * document (`GET /v1/openapi.json`, `openapi.ts`) is generated from them. A test fails when the
 * engine serves a route this table does not name.
 */
import { z } from "zod";
import {
  AgentList,
  AgentRegistration,
  AgentStateBody,
  HeartbeatResult,
  JobReport,
  LogChunksRequest,
  PollRequest,
  PollResult,
  ReportResult,
  StepReport,
  StopAcksRequest,
  Welcome,
} from "./agents.ts";
import {
  Build,
  BuildCountsQuery,
  BuildDetail,
  BuildHistoryQuery,
  BuildLogQuery,
  BuildPage,
  CancelRequest,
  LogPage,
  StatusCounts,
  TriggerRequest,
} from "./builds.ts";
import { Pipeline, PipelineSourceRequest, PipelineSummary, Project, ProjectRequest } from "./catalog.ts";
import { EngineEvent, EventsQuery } from "./events.ts";
import {
  AgentTokenList,
  ApiTokenList,
  BFF_KEY_HEADER,
  CLIENT_ADDRESS_HEADER,
  CreatedToken,
  Me,
  Member,
  MemberList,
  MemberRequest,
  NewUserRequest,
  Session,
  SignInRequest,
  TokenRequest,
  User,
  UserList,
} from "./identity.ts";
import {
  AuditPage,
  AuditQuery,
  BatchCancelRequest,
  BatchPreview,
  BatchPreviewRequest,
  BatchRerunPreviewRequest,
  BatchRerunRequest,
  IdempotencyKey,
  Operation,
  OperationItemPage,
  OperationItemsQuery,
  OperationPage,
  OperationsQuery,
} from "./operations.ts";
import {
  HookAccepted,
  HookDeliveriesQuery,
  HookDelivery,
  HookDeliveryPage,
  PutRepositoryRequest,
  Repository,
  RepositoryList,
  RepositoryWithSecret,
} from "./repositories.ts";
import { list, PathId, PathName } from "./shared.ts";
import {
  CreateWebhookRequest,
  DeliveriesQuery,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryPage,
  WebhookList,
} from "./webhooks.ts";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/**
 * Who may call a route: `none` anyone; `token` any user's token (session or API; an agent token is
 * refused); `admin` an instance admin's; `agent` an agent token only; `metrics` the metrics token.
 * Per-project roles are checked by the engine on top (a project you may not read answers 404).
 */
export type Auth = "none" | "token" | "admin" | "agent" | "metrics";

export type RouteDef = {
  method: Method;
  /** OpenAPI style: `/v1/builds/{id}`. */
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Body content types besides `application/json`. */
  bodyTypes?: readonly string[];
  headers?: z.ZodObject;
  /** Success answers by status; `null` is an answer without a body (204). */
  responses: Readonly<Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>>;
  /** The success answer's content type when it is not JSON. */
  produces?: "text/event-stream" | "text/plain";
  /** Another content type the success answer may have (the log: text unless `format=json`). */
  alsoProduces?: "text/plain";
  /** Refusals this route has besides the ones every route may give (see `openapi.ts`). */
  errors?: readonly number[];
};

const route = <const R extends RouteDef>(r: R): R => r;

const Project_ = z.object({ project: PathName });
const Pipeline_ = Project_.extend({ pipeline: PathName });
const Id_ = z.object({ id: PathId });
const OperationId_ = z.object({ id: z.string().min(1).max(100) });
const Webhook_ = Project_.extend({ id: PathId });
const Delivery_ = Webhook_.extend({ delivery: PathId });
const AgentId_ = z.object({ id: z.string().min(1).max(100) });
const Repository_ = Project_.extend({ repository: PathName });
const HookDelivery_ = Repository_.extend({ delivery: PathId });
/** Each provider's own headers; which are needed depends on the provider (see `engine/domain/hooks/`). */
const HookHeaders = z.object({
  "X-GitHub-Event": z.string().optional(),
  "X-GitHub-Delivery": z.string().optional(),
  "X-Hub-Signature-256": z.string().optional(),
  "X-Gitlab-Event": z.string().optional(),
  "X-Gitlab-Token": z.string().optional(),
  "X-Gitlab-Event-UUID": z.string().optional(),
  "X-Gitea-Event": z.string().optional(),
  "X-Gitea-Delivery": z.string().optional(),
  "X-Gitea-Signature": z.string().optional(),
  "X-Sluice-Event": z.string().optional(),
  "X-Sluice-Delivery": z.string().optional(),
  "X-Sluice-Signature-256": z.string().optional(),
});

const Idempotent = z.object({ "Idempotency-Key": IdempotencyKey.optional() });
const Resume = z.object({ "Last-Event-ID": z.string().optional() });
const Health = z.object({ status: z.enum(["ok", "unavailable"]), database: z.string().optional() });

/** The bulk routes of one kind, in one pipeline and across a project. */
function bulkRoutes<K extends string, P extends z.ZodType, R extends z.ZodType, S extends 201 | 202>(
  kind: K,
  what: string,
  preview: P,
  request: R,
  accepted: S,
) {
  const pipelinePath = `/v1/projects/{project}/pipelines/{pipeline}/builds/batch-${kind}` as const;
  const projectPath = `/v1/projects/{project}/builds/batch-${kind}` as const;
  const answer = { [accepted]: Operation } as { [k in S]: typeof Operation };
  const errors = [409, 413, 422, 429] as const;
  return {
    pipeline: {
      preview: route({
        method: "post",
        path: `${pipelinePath}/preview`,
        summary: `Preview a bulk ${what} in one pipeline: counts, the newest builds and a signed snapshot; changes nothing`,
        tag: "operations",
        auth: "token",
        params: Pipeline_,
        body: preview,
        responses: { 200: BatchPreview },
        // 409: a re-run of an operation re-run already (`already_rerun`).
        errors: [409, 413],
      }),
      accept: route({
        method: "post",
        path: pipelinePath,
        summary: `Bulk ${what} in one pipeline (one operation)`,
        tag: "operations",
        auth: "token",
        params: Pipeline_,
        body: request,
        headers: Idempotent,
        responses: answer,
        errors,
      }),
    },
    project: {
      preview: route({
        method: "post",
        path: `${projectPath}/preview`,
        summary: `Preview a bulk ${what} across every pipeline of a project; changes nothing`,
        tag: "operations",
        auth: "token",
        params: Project_,
        body: preview,
        responses: { 200: BatchPreview },
        // 409: a re-run of an operation re-run already (`already_rerun`).
        errors: [409, 413],
      }),
      accept: route({
        method: "post",
        path: projectPath,
        summary: `Bulk ${what} across every pipeline of a project (one operation)`,
        tag: "operations",
        auth: "token",
        params: Project_,
        body: request,
        headers: Idempotent,
        responses: answer,
        errors,
      }),
    },
  };
}

const cancel = bulkRoutes("cancel", "cancel", BatchPreviewRequest, BatchCancelRequest, 202);
const rerun = bulkRoutes("rerun", "re-run", BatchRerunPreviewRequest, BatchRerunRequest, 201);

export const ROUTES = {
  /* Health, metrics and this document ---------------------------------------------------- */
  health: route({
    method: "get",
    path: "/healthz",
    summary: "Ready: the process answers and reaches its database (503 when it does not)",
    tag: "health",
    auth: "none",
    responses: { 200: Health },
  }),
  healthLive: route({
    method: "get",
    path: "/healthz/live",
    summary: "Live: the process answers",
    tag: "health",
    auth: "none",
    responses: { 200: Health },
  }),
  healthReady: route({
    method: "get",
    path: "/healthz/ready",
    summary: "Ready: the process answers and reaches its database (503 when it does not)",
    tag: "health",
    auth: "none",
    responses: { 200: Health },
  }),
  metrics: route({
    method: "get",
    path: "/metrics",
    summary:
      "Prometheus metrics, with `Authorization: Bearer <SLUICE_METRICS_TOKEN>`; off without a configured token (403 `metrics_token_required`)",
    tag: "health",
    auth: "metrics",
    responses: { 200: z.string() },
    produces: "text/plain",
  }),
  openapi: route({
    method: "get",
    path: "/v1/openapi.json",
    summary: "This API as an OpenAPI 3.1 document",
    tag: "health",
    auth: "none",
    responses: { 200: z.record(z.string(), z.unknown()) },
  }),

  /* Identity ------------------------------------------------------------------------------ */
  signIn: route({
    method: "post",
    path: "/v1/sessions",
    summary: "Sign in with a password: a 12-hour session token (attempts are limited)",
    tag: "identity",
    auth: "none",
    body: SignInRequest,
    headers: z.object({ [CLIENT_ADDRESS_HEADER]: z.string().optional(), [BFF_KEY_HEADER]: z.string().optional() }),
    responses: { 201: Session },
    errors: [429],
  }),
  signOut: route({
    method: "delete",
    path: "/v1/sessions/current",
    summary: "Revoke the calling session (its streams end)",
    tag: "identity",
    auth: "token",
    responses: { 204: null },
    errors: [409],
  }),
  me: route({
    method: "get",
    path: "/v1/me",
    summary: "The caller, and each project they may read with role and permissions",
    tag: "identity",
    auth: "token",
    responses: { 200: Me },
  }),
  listUsers: route({
    method: "get",
    path: "/v1/users",
    summary: "Every user",
    tag: "identity",
    auth: "admin",
    responses: { 200: UserList },
  }),
  createUser: route({
    method: "post",
    path: "/v1/users",
    summary: "Create a user",
    tag: "identity",
    auth: "admin",
    body: NewUserRequest,
    responses: { 201: User },
    errors: [409],
  }),
  listTokens: route({
    method: "get",
    path: "/v1/tokens",
    summary: "The caller's API tokens",
    tag: "identity",
    auth: "token",
    responses: { 200: ApiTokenList },
  }),
  createToken: route({
    method: "post",
    path: "/v1/tokens",
    summary: "Create an API token (shown once)",
    tag: "identity",
    auth: "token",
    body: TokenRequest,
    responses: { 201: CreatedToken },
    errors: [409],
  }),
  revokeToken: route({
    method: "delete",
    path: "/v1/tokens/{id}",
    summary: "Revoke one of the caller's API tokens",
    tag: "identity",
    auth: "token",
    params: Id_,
    responses: { 204: null },
  }),
  listAgentTokens: route({
    method: "get",
    path: "/v1/agent-tokens",
    summary: "Agent tokens: who made each, and when it was revoked",
    tag: "identity",
    auth: "admin",
    responses: { 200: AgentTokenList },
  }),
  createAgentToken: route({
    method: "post",
    path: "/v1/agent-tokens",
    summary: "Create an agent token (shown once); it opens the agent channel and nothing else",
    tag: "identity",
    auth: "admin",
    body: TokenRequest,
    responses: { 201: CreatedToken },
    errors: [409],
  }),
  revokeAgentToken: route({
    method: "delete",
    path: "/v1/agent-tokens/{id}",
    summary: "Revoke an agent token",
    tag: "identity",
    auth: "admin",
    params: Id_,
    responses: { 204: null },
  }),
  listMembers: route({
    method: "get",
    path: "/v1/projects/{project}/members",
    summary: "A project's members and their roles",
    tag: "identity",
    auth: "token",
    params: Project_,
    responses: { 200: MemberList },
  }),
  setMember: route({
    method: "put",
    path: "/v1/projects/{project}/members/{username}",
    summary: "Give a user a role in a project (maintainers)",
    tag: "identity",
    auth: "token",
    params: Project_.extend({ username: PathName }),
    body: MemberRequest,
    responses: { 200: Member },
  }),
  removeMember: route({
    method: "delete",
    path: "/v1/projects/{project}/members/{username}",
    summary: "Remove a user from a project (maintainers)",
    tag: "identity",
    auth: "token",
    params: Project_.extend({ username: PathName }),
    responses: { 204: null },
  }),

  /* Projects and pipelines ---------------------------------------------------------------- */
  listProjects: route({
    method: "get",
    path: "/v1/projects",
    summary: "The projects the caller may read",
    tag: "catalog",
    auth: "token",
    responses: { 200: list(Project) },
  }),
  putProject: route({
    method: "put",
    path: "/v1/projects/{project}",
    summary: "Create (201) or update (200) a project (admins)",
    tag: "catalog",
    auth: "token",
    params: Project_,
    body: ProjectRequest,
    responses: { 200: Project, 201: Project },
  }),
  getProject: route({
    method: "get",
    path: "/v1/projects/{project}",
    summary: "A project",
    tag: "catalog",
    auth: "token",
    params: Project_,
    responses: { 200: Project },
  }),
  listPipelines: route({
    method: "get",
    path: "/v1/projects/{project}/pipelines",
    summary: "A project's pipelines with their active counts and last build",
    tag: "catalog",
    auth: "token",
    params: Project_,
    responses: { 200: list(PipelineSummary) },
  }),
  putPipeline: route({
    method: "put",
    path: "/v1/projects/{project}/pipelines/{pipeline}",
    summary: "Create (201) or update (200) a pipeline from its YAML (application/yaml) or JSON (maintainers)",
    tag: "catalog",
    auth: "token",
    params: Pipeline_,
    body: PipelineSourceRequest,
    bodyTypes: ["application/yaml"],
    responses: { 200: Pipeline, 201: Pipeline },
    errors: [413],
  }),
  getPipeline: route({
    method: "get",
    path: "/v1/projects/{project}/pipelines/{pipeline}",
    summary: "A pipeline with its source and parsed definition",
    tag: "catalog",
    auth: "token",
    params: Pipeline_,
    responses: { 200: Pipeline },
  }),

  /* Builds -------------------------------------------------------------------------------- */
  triggerBuild: route({
    method: "post",
    path: "/v1/projects/{project}/pipelines/{pipeline}/builds",
    summary: "Trigger a build (through the pipeline's concurrency policy)",
    tag: "builds",
    auth: "token",
    params: Pipeline_,
    body: TriggerRequest,
    headers: z.object({ "X-Sluice-Source": z.enum(["user", "api"]).optional() }),
    responses: { 201: Build },
    errors: [409],
  }),
  listBuilds: route({
    method: "get",
    path: "/v1/projects/{project}/pipelines/{pipeline}/builds",
    summary: "A pipeline's builds, newest first (`status`, `branch`, `cursor`, `limit`)",
    tag: "builds",
    auth: "token",
    params: Pipeline_,
    query: BuildHistoryQuery,
    responses: { 200: BuildPage },
  }),
  countBuilds: route({
    method: "get",
    path: "/v1/projects/{project}/pipelines/{pipeline}/builds/counts",
    summary: "A pipeline's builds per status (on a branch)",
    tag: "builds",
    auth: "token",
    params: Pipeline_,
    query: BuildCountsQuery,
    responses: { 200: StatusCounts },
  }),
  getBuild: route({
    method: "get",
    path: "/v1/builds/{id}",
    summary: "A build with its jobs and steps",
    tag: "builds",
    auth: "token",
    params: Id_,
    responses: { 200: BuildDetail },
  }),
  getBuildByNumber: route({
    method: "get",
    path: "/v1/projects/{project}/pipelines/{pipeline}/builds/{number}",
    summary: "A build by the number people see (`#12`), with its jobs and steps",
    tag: "builds",
    auth: "token",
    params: Pipeline_.extend({ number: PathId }),
    responses: { 200: BuildDetail },
  }),
  getBuildLog: route({
    method: "get",
    path: "/v1/builds/{id}/log",
    summary: "A build's log: text, or a page of chunks with `format=json`",
    tag: "builds",
    auth: "token",
    params: Id_,
    query: BuildLogQuery,
    responses: { 200: LogPage },
    alsoProduces: "text/plain",
  }),
  cancelBuild: route({
    method: "post",
    path: "/v1/builds/{id}/cancel",
    summary: "Cancel one build (a bulk cancel of one)",
    tag: "builds",
    auth: "token",
    params: Id_,
    body: CancelRequest,
    headers: Idempotent,
    responses: { 202: Operation },
    errors: [409, 422],
  }),

  /* Bulk operations, operations and the audit log ---------------------------------------- */
  previewCancel: cancel.pipeline.preview,
  batchCancel: cancel.pipeline.accept,
  previewProjectCancel: cancel.project.preview,
  batchProjectCancel: cancel.project.accept,
  previewRerun: rerun.pipeline.preview,
  batchRerun: rerun.pipeline.accept,
  previewProjectRerun: rerun.project.preview,
  batchProjectRerun: rerun.project.accept,
  listOperations: route({
    method: "get",
    path: "/v1/projects/{project}/operations",
    summary: "A project's bulk operations, newest first",
    tag: "operations",
    auth: "token",
    params: Project_,
    query: OperationsQuery,
    responses: { 200: OperationPage },
  }),
  getOperation: route({
    method: "get",
    path: "/v1/operations/{id}",
    summary: "An operation",
    tag: "operations",
    auth: "token",
    params: OperationId_,
    responses: { 200: Operation },
  }),
  listOperationItems: route({
    method: "get",
    path: "/v1/operations/{id}/items",
    summary: "An operation's builds and their outcomes (`outcome`, `cursor`, `limit`)",
    tag: "operations",
    auth: "token",
    params: OperationId_,
    query: OperationItemsQuery,
    responses: { 200: OperationItemPage },
  }),
  listAudit: route({
    method: "get",
    path: "/v1/projects/{project}/audit",
    summary: "Who did what in a project, newest first (maintainers)",
    tag: "operations",
    auth: "token",
    params: Project_,
    query: AuditQuery,
    responses: { 200: AuditPage },
  }),

  /* Webhooks ------------------------------------------------------------------------------ */
  createWebhook: route({
    method: "post",
    path: "/v1/projects/{project}/webhooks",
    summary: "Add a webhook endpoint (maintainers)",
    tag: "webhooks",
    auth: "token",
    params: Project_,
    body: CreateWebhookRequest,
    responses: { 201: Webhook },
  }),
  listWebhooks: route({
    method: "get",
    path: "/v1/projects/{project}/webhooks",
    summary: "A project's webhook endpoints (maintainers)",
    tag: "webhooks",
    auth: "token",
    params: Project_,
    responses: { 200: WebhookList },
  }),
  getWebhook: route({
    method: "get",
    path: "/v1/projects/{project}/webhooks/{id}",
    summary: "A webhook endpoint",
    tag: "webhooks",
    auth: "token",
    params: Webhook_,
    responses: { 200: Webhook },
  }),
  updateWebhook: route({
    method: "patch",
    path: "/v1/projects/{project}/webhooks/{id}",
    summary: "Change a webhook endpoint (`active: true` also re-enables a disabled one)",
    tag: "webhooks",
    auth: "token",
    params: Webhook_,
    body: UpdateWebhookRequest,
    responses: { 200: Webhook },
  }),
  deleteWebhook: route({
    method: "delete",
    path: "/v1/projects/{project}/webhooks/{id}",
    summary: "Delete a webhook endpoint",
    tag: "webhooks",
    auth: "token",
    params: Webhook_,
    responses: { 204: null },
  }),
  listDeliveries: route({
    method: "get",
    path: "/v1/projects/{project}/webhooks/{id}/deliveries",
    summary: "An endpoint's delivery log, newest first",
    tag: "webhooks",
    auth: "token",
    params: Webhook_,
    query: DeliveriesQuery,
    responses: { 200: WebhookDeliveryPage },
  }),
  getDelivery: route({
    method: "get",
    path: "/v1/projects/{project}/webhooks/{id}/deliveries/{delivery}",
    summary: "A delivery with its exact payload and every attempt",
    tag: "webhooks",
    auth: "token",
    params: Delivery_,
    responses: { 200: WebhookDeliveryDetail },
  }),
  redeliver: route({
    method: "post",
    path: "/v1/projects/{project}/webhooks/{id}/deliveries/{delivery}/redeliver",
    summary: "Send a delivery again (a new delivery)",
    tag: "webhooks",
    auth: "token",
    params: Delivery_,
    responses: { 202: WebhookDelivery },
    errors: [409],
  }),
  pingWebhook: route({
    method: "post",
    path: "/v1/projects/{project}/webhooks/{id}/pings",
    summary: "Send a test delivery (`ping`)",
    tag: "webhooks",
    auth: "token",
    params: Webhook_,
    responses: { 202: WebhookDelivery },
    errors: [409],
  }),

  /* Repositories and their inbound hooks ------------------------------------------------- */
  listRepositories: route({
    method: "get",
    path: "/v1/projects/{project}/repositories",
    summary: "A project's repositories (maintainers)",
    tag: "repositories",
    auth: "token",
    params: Project_,
    responses: { 200: RepositoryList },
  }),
  putRepository: route({
    method: "put",
    path: "/v1/projects/{project}/repositories/{repository}",
    summary: "Add (201, with the hook secret shown once) or change (200) a repository (maintainers)",
    tag: "repositories",
    auth: "token",
    params: Repository_,
    body: PutRepositoryRequest,
    responses: { 200: Repository, 201: RepositoryWithSecret },
  }),
  getRepository: route({
    method: "get",
    path: "/v1/projects/{project}/repositories/{repository}",
    summary: "A repository (never its secrets)",
    tag: "repositories",
    auth: "token",
    params: Repository_,
    responses: { 200: Repository },
  }),
  rotateHookSecret: route({
    method: "post",
    path: "/v1/projects/{project}/repositories/{repository}/hook-secret",
    summary: "Make a new hook secret (shown once); the old one stops working at once",
    tag: "repositories",
    auth: "token",
    params: Repository_,
    responses: { 201: RepositoryWithSecret },
  }),
  listHookDeliveries: route({
    method: "get",
    path: "/v1/projects/{project}/repositories/{repository}/deliveries",
    summary: "A repository's inbound deliveries and what each did, newest first",
    tag: "repositories",
    auth: "token",
    params: Repository_,
    query: HookDeliveriesQuery,
    responses: { 200: HookDeliveryPage },
  }),
  redeliverHook: route({
    method: "post",
    path: "/v1/projects/{project}/repositories/{repository}/deliveries/{delivery}/redeliver",
    summary:
      "Process a stored delivery again, as a new delivery of the same event (after fixing what made it fail or be ignored)",
    tag: "repositories",
    auth: "token",
    params: HookDelivery_,
    responses: { 202: HookDelivery },
    errors: [409],
  }),
  receiveHook: route({
    method: "post",
    path: "/v1/hooks/{project}/{repository}",
    summary:
      "A provider's event (GitHub, GitLab, Gitea/Forgejo or the generic format), verified by its signature before anything is stored; 202 with the stored delivery",
    tag: "repositories",
    auth: "none",
    params: Repository_,
    body: z.record(z.string(), z.unknown()),
    bodyTypes: ["application/x-www-form-urlencoded"],
    headers: HookHeaders,
    responses: { 202: HookAccepted },
    errors: [401, 413, 422],
  }),

  /* Events -------------------------------------------------------------------------------- */
  events: route({
    method: "get",
    path: "/v1/events",
    summary:
      "The event stream (server-sent events: `event:` is the type, `data:` the JSON event, `id:` its seq; resumes after `Last-Event-ID` or `after`)",
    tag: "events",
    auth: "token",
    query: EventsQuery,
    headers: Resume,
    responses: { 200: EngineEvent },
    produces: "text/event-stream",
    errors: [429],
  }),

  /* Agents -------------------------------------------------------------------------------- */
  listAgents: route({
    method: "get",
    path: "/v1/agents",
    summary: "The agents, their slots and containment",
    tag: "agents",
    auth: "admin",
    responses: { 200: AgentList },
  }),
  registerAgent: route({
    method: "post",
    path: "/v1/agents/register",
    summary: "Agent channel: register (a new process of the agent replaces the old one)",
    tag: "agent-channel",
    auth: "agent",
    body: AgentRegistration,
    responses: { 200: Welcome },
    errors: [409],
  }),
  pollAgent: route({
    method: "post",
    path: "/v1/agents/{id}/poll",
    summary: "Agent channel: reconcile, lease jobs and collect stop orders (waits up to `waitMs`)",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: PollRequest,
    responses: { 200: PollResult },
    errors: [409],
  }),
  heartbeatAgent: route({
    method: "post",
    path: "/v1/agents/{id}/heartbeat",
    summary: "Agent channel: reconcile at once",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: AgentStateBody,
    responses: { 200: HeartbeatResult },
    errors: [409],
  }),
  reportStep: route({
    method: "post",
    path: "/v1/agents/{id}/steps",
    summary: "Agent channel: a step started or ended",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: StepReport,
    responses: { 200: ReportResult },
    errors: [409],
  }),
  reportJob: route({
    method: "post",
    path: "/v1/agents/{id}/jobs",
    summary: "Agent channel: a job ended",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: JobReport,
    responses: { 200: ReportResult },
    errors: [409],
  }),
  appendLog: route({
    method: "post",
    path: "/v1/agents/{id}/logs",
    summary: "Agent channel: log chunks",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: LogChunksRequest,
    responses: { 204: null },
    errors: [409, 413],
  }),
  acknowledgeStops: route({
    method: "post",
    path: "/v1/agents/{id}/stops/ack",
    summary: "Agent channel: stop orders carried out (or not)",
    tag: "agent-channel",
    auth: "agent",
    params: AgentId_,
    body: StopAcksRequest,
    responses: { 204: null },
    errors: [409],
  }),
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;

/** A route's path as Express writes it (`/v1/builds/:id`). */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}
