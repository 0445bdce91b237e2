/**
 * Every route of the page's API (`/api/*`, served by the BFF), once: method, path, inputs and
 * success answers, as the engine's route table (`routes.ts`) does for `/v1`. The BFF parses
 * requests with these schemas and checks its answers against them on the way out; the page's one
 * client (`web/src/lib/api-client.ts`) sends through them and parses every answer with them; the
 * OpenAPI document `GET /api/openapi.json` is generated from them. A test fails when the BFF
 * serves a route this table does not name, or names one it does not serve.
 */
import { z } from "zod";
import {
  AuditResponse,
  BuildResponse,
  CancellationPreviewRequest,
  CancellationPreviewResponse,
  CancellationRequest,
  CancellationResponse,
  HistoryResponse,
  MeResponse,
  OperationItemsResponse,
  OperationResponse,
  OperationsResponse,
  PipelinesResponse,
  RerunPreviewRequest,
  RerunPreviewResponse,
  RerunRequest,
  RerunResponse,
  SessionResponse,
  TriggerResponse,
} from "../bff-api.ts";
import { StreamQuery } from "../page-stream.ts";
import { BuildHistoryQuery, CancelRequest, TriggerRequest } from "./builds.ts";
import { SignInRequest } from "./identity.ts";
import { AuditQuery, IdempotencyKey, OperationItemsQuery, OperationsQuery } from "./operations.ts";
import { HookDelivery, HookDeliveryPage, RepositoryList, RepositoryWithSecret } from "./repositories.ts";
import { Cursor, PathId, PathName, QueryText } from "./shared.ts";
import {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryPage,
  WebhookList,
} from "./webhooks.ts";

/**
 * `none`: anyone; `session`: a signed-in browser (the session cookie), and on every mutation the
 * session's CSRF token in `X-CSRF-Token`. Per-project roles are the engine's, checked behind.
 */
export type PageAuth = "none" | "session";

export type PageRouteDef = {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI style: `/api/builds/{id}`. */
  path: string;
  summary: string;
  tag: string;
  auth: PageAuth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  headers?: z.ZodObject;
  /** Success answers by status; `null` is an answer without a body (204). */
  responses: Readonly<Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>>;
  /** The success answer's content type when it is not JSON. */
  produces?: "text/event-stream" | "text/csv";
  /** Refusals this route has besides the ones every route may give. */
  errors?: readonly number[];
};

const route = <const R extends PageRouteDef>(r: R): R => r;

/** A page route's one success answer: its status and schema (`null`: no body). */
export function successOf(route: PageRouteDef): { status: number; schema: z.ZodType | null } {
  const [status, schema] = Object.entries(route.responses)[0] as [string, z.ZodType | null];
  return { status: Number(status), schema };
}

const Project_ = z.object({ project: PathName });
const Pipeline_ = Project_.extend({ pipeline: PathName });
const Build_ = z.object({ id: PathId });
const Operation_ = z.object({ id: z.string().min(1).max(100) });
const Webhook_ = Project_.extend({ id: PathId });
const Delivery_ = Webhook_.extend({ delivery: PathId });
const Repository_ = Project_.extend({ repository: PathName });
const Idempotent = z.object({ "Idempotency-Key": IdempotencyKey.optional() });
/** The history page's query: the engine's build filters, passed on as they are. */
const HistoryQuery = z.object({
  status: QueryText.optional(),
  branch: QueryText.optional(),
  trigger: BuildHistoryQuery.shape.trigger,
  pullRequest: BuildHistoryQuery.shape.pullRequest,
  cursor: Cursor.optional(),
  limit: QueryText.optional(),
});
const DeliveriesQuery = z.object({ cursor: Cursor.optional(), limit: QueryText.optional() });
/** The document itself: any JSON object. */
const OpenApiDocument = z.record(z.string(), z.unknown());

/** A bulk action of one kind, in one pipeline and across a project; each with its preview. */
function bulkRoutes<
  P extends z.ZodType,
  V extends z.ZodType,
  R extends z.ZodType,
  A extends z.ZodType,
  S extends 201 | 202,
>(what: string, segment: string, schemas: { preview: P; previewAnswer: V; request: R; answer: A; status: S }) {
  const answer = { [schemas.status]: schemas.answer } as { [k in S]: A };
  const errors = [409, 422, 429] as const;
  const pipeline = `/api/projects/{project}/pipelines/{pipeline}/${segment}` as const;
  const project = `/api/projects/{project}/${segment}` as const;
  return {
    preview: route({
      method: "post",
      path: `${pipeline}/preview`,
      summary: `Preview a ${what} in one pipeline; changes nothing`,
      tag: "operations",
      auth: "session",
      params: Pipeline_,
      body: schemas.preview,
      responses: { 200: schemas.previewAnswer },
      errors: [409],
    }),
    accept: route({
      method: "post",
      path: pipeline,
      summary: `${what} in one pipeline, as previewed`,
      tag: "operations",
      auth: "session",
      params: Pipeline_,
      body: schemas.request,
      headers: Idempotent,
      responses: answer,
      errors,
    }),
    projectPreview: route({
      method: "post",
      path: `${project}/preview`,
      summary: `Preview a ${what} across the project's pipelines; changes nothing`,
      tag: "operations",
      auth: "session",
      params: Project_,
      body: schemas.preview,
      responses: { 200: schemas.previewAnswer },
      errors: [409],
    }),
    projectAccept: route({
      method: "post",
      path: project,
      summary: `${what} across the project's pipelines, as previewed`,
      tag: "operations",
      auth: "session",
      params: Project_,
      body: schemas.request,
      headers: Idempotent,
      responses: answer,
      errors,
    }),
  };
}

const cancel = bulkRoutes("Bulk cancel", "cancellations", {
  preview: CancellationPreviewRequest,
  previewAnswer: CancellationPreviewResponse,
  request: CancellationRequest,
  answer: CancellationResponse,
  status: 202,
});
const rerun = bulkRoutes("Bulk re-run", "reruns", {
  preview: RerunPreviewRequest,
  previewAnswer: RerunPreviewResponse,
  request: RerunRequest,
  answer: RerunResponse,
  status: 201,
});

export const PAGE_ROUTES = {
  openApi: route({
    method: "get",
    path: "/api/openapi.json",
    summary: "This document",
    tag: "meta",
    auth: "none",
    responses: { 200: OpenApiDocument },
  }),
  signIn: route({
    method: "post",
    path: "/api/session",
    summary: "Sign in: sets the httpOnly session cookie and answers the CSRF token",
    tag: "session",
    auth: "none",
    body: SignInRequest,
    responses: { 200: SessionResponse },
    errors: [429],
  }),
  signOut: route({
    method: "delete",
    path: "/api/session",
    summary: "Sign out: the engine revokes the session and the streams it opened end",
    tag: "session",
    auth: "session",
    responses: { 204: null },
  }),
  me: route({
    method: "get",
    path: "/api/me",
    summary: "Who is signed in, the CSRF token, and the projects they may read with their permissions",
    tag: "session",
    auth: "session",
    responses: { 200: MeResponse },
  }),
  pipelines: route({
    method: "get",
    path: "/api/projects/{project}/pipelines",
    summary: "The project page: the project with the caller's access and its pipelines",
    tag: "pages",
    auth: "session",
    params: Project_,
    responses: { 200: PipelinesResponse },
  }),
  history: route({
    method: "get",
    path: "/api/projects/{project}/pipelines/{pipeline}/history",
    summary:
      "The history page in one round trip: the pipeline, a page of builds, counts, permissions, running operations",
    tag: "pages",
    auth: "session",
    params: Pipeline_,
    query: HistoryQuery,
    responses: { 200: HistoryResponse },
  }),
  triggerBuild: route({
    method: "post",
    path: "/api/projects/{project}/pipelines/{pipeline}/builds",
    summary: "Run build (developers): branch, commit and declared parameters",
    tag: "builds",
    auth: "session",
    params: Pipeline_,
    body: TriggerRequest,
    responses: { 201: TriggerResponse },
  }),
  build: route({
    method: "get",
    path: "/api/builds/{id}",
    summary: "A build by its id, with what the caller may do in its project (old addresses)",
    tag: "builds",
    auth: "session",
    params: Build_,
    responses: { 200: BuildResponse },
  }),
  buildByNumber: route({
    method: "get",
    path: "/api/projects/{project}/pipelines/{pipeline}/builds/{number}",
    summary: "A build by its number in its pipeline, with what the caller may do in its project",
    tag: "builds",
    auth: "session",
    params: Pipeline_.extend({ number: PathId }),
    responses: { 200: BuildResponse },
  }),
  cancelBuild: route({
    method: "post",
    path: "/api/builds/{id}/cancel",
    summary: "Cancel one build (`force`: stop protected jobs, finalize a stuck stop now)",
    tag: "builds",
    auth: "session",
    params: Build_,
    body: CancelRequest,
    headers: Idempotent,
    responses: { 202: CancellationResponse },
    errors: [409, 422],
  }),
  operations: route({
    method: "get",
    path: "/api/projects/{project}/operations",
    summary: "The operations centre: the project's bulk operations, newest first",
    tag: "operations",
    auth: "session",
    params: Project_,
    query: OperationsQuery,
    responses: { 200: OperationsResponse },
  }),
  operation: route({
    method: "get",
    path: "/api/operations/{id}",
    summary: "One operation with its counts",
    tag: "operations",
    auth: "session",
    params: Operation_,
    responses: { 200: OperationResponse },
  }),
  operationItems: route({
    method: "get",
    path: "/api/operations/{id}/items",
    summary: "An operation's builds and their outcomes",
    tag: "operations",
    auth: "session",
    params: Operation_,
    query: OperationItemsQuery,
    responses: { 200: OperationItemsResponse },
  }),
  previewCancel: cancel.preview,
  cancel: cancel.accept,
  previewProjectCancel: cancel.projectPreview,
  projectCancel: cancel.projectAccept,
  previewRerun: rerun.preview,
  rerun: rerun.accept,
  previewProjectRerun: rerun.projectPreview,
  projectRerun: rerun.projectAccept,
  audit: route({
    method: "get",
    path: "/api/projects/{project}/audit",
    summary: "The project's audit log (maintainers and admins), newest first",
    tag: "audit",
    auth: "session",
    params: Project_,
    query: AuditQuery,
    responses: { 200: AuditResponse },
  }),
  auditCsv: route({
    method: "get",
    path: "/api/projects/{project}/audit.csv",
    summary: "Every matching audit entry as CSV (maintainers and admins)",
    tag: "audit",
    auth: "session",
    params: Project_,
    query: AuditQuery,
    responses: { 200: z.string() },
    produces: "text/csv",
  }),
  webhooks: route({
    method: "get",
    path: "/api/projects/{project}/webhooks",
    summary: "The project's webhooks (maintainers)",
    tag: "webhooks",
    auth: "session",
    params: Project_,
    responses: { 200: WebhookList },
  }),
  createWebhook: route({
    method: "post",
    path: "/api/projects/{project}/webhooks",
    summary: "Add a webhook (maintainers)",
    tag: "webhooks",
    auth: "session",
    params: Project_,
    body: CreateWebhookRequest,
    responses: { 201: Webhook },
  }),
  webhook: route({
    method: "get",
    path: "/api/projects/{project}/webhooks/{id}",
    summary: "One webhook",
    tag: "webhooks",
    auth: "session",
    params: Webhook_,
    responses: { 200: Webhook },
  }),
  updateWebhook: route({
    method: "patch",
    path: "/api/projects/{project}/webhooks/{id}",
    summary: "Change a webhook",
    tag: "webhooks",
    auth: "session",
    params: Webhook_,
    body: UpdateWebhookRequest,
    responses: { 200: Webhook },
  }),
  deleteWebhook: route({
    method: "delete",
    path: "/api/projects/{project}/webhooks/{id}",
    summary: "Remove a webhook",
    tag: "webhooks",
    auth: "session",
    params: Webhook_,
    responses: { 204: null },
  }),
  deliveries: route({
    method: "get",
    path: "/api/projects/{project}/webhooks/{id}/deliveries",
    summary: "A webhook's deliveries, newest first",
    tag: "webhooks",
    auth: "session",
    params: Webhook_,
    query: DeliveriesQuery,
    responses: { 200: WebhookDeliveryPage },
  }),
  delivery: route({
    method: "get",
    path: "/api/projects/{project}/webhooks/{id}/deliveries/{delivery}",
    summary: "One delivery with its request and answer",
    tag: "webhooks",
    auth: "session",
    params: Delivery_,
    responses: { 200: WebhookDeliveryDetail },
  }),
  redeliver: route({
    method: "post",
    path: "/api/projects/{project}/webhooks/{id}/deliveries/{delivery}/redeliver",
    summary: "Send a delivery again",
    tag: "webhooks",
    auth: "session",
    params: Delivery_,
    responses: { 202: WebhookDelivery },
  }),
  pingWebhook: route({
    method: "post",
    path: "/api/projects/{project}/webhooks/{id}/pings",
    summary: "Send a test event",
    tag: "webhooks",
    auth: "session",
    params: Webhook_,
    responses: { 202: WebhookDelivery },
  }),
  repositories: route({
    method: "get",
    path: "/api/projects/{project}/repositories",
    summary: "The project's repositories, each with its hook URL (maintainers)",
    tag: "repositories",
    auth: "session",
    params: Project_,
    responses: { 200: RepositoryList },
  }),
  rotateHookSecret: route({
    method: "post",
    path: "/api/projects/{project}/repositories/{repository}/hook-secret",
    summary: "A new hook secret, shown this once; the old one stops working (maintainers)",
    tag: "repositories",
    auth: "session",
    params: Repository_,
    responses: { 201: RepositoryWithSecret },
  }),
  hookDeliveries: route({
    method: "get",
    path: "/api/projects/{project}/repositories/{repository}/deliveries",
    summary: "A repository's inbound hook deliveries with what each did, newest first (maintainers)",
    tag: "repositories",
    auth: "session",
    params: Repository_,
    query: DeliveriesQuery,
    responses: { 200: HookDeliveryPage },
  }),
  redeliverHook: route({
    method: "post",
    path: "/api/projects/{project}/repositories/{repository}/deliveries/{delivery}/redeliver",
    summary: "Process a delivery again, as a new delivery of the same event (maintainers)",
    tag: "repositories",
    auth: "session",
    params: Repository_.extend({ delivery: PathId }),
    responses: { 202: HookDelivery },
  }),
  stream: route({
    method: "get",
    path: "/api/stream",
    summary: "The page's one event stream (server-sent events; messages in `page-stream.ts`)",
    tag: "streams",
    auth: "session",
    query: StreamQuery,
    headers: z.object({ "Last-Event-ID": z.string().optional() }),
    responses: { 200: z.string() },
    produces: "text/event-stream",
    errors: [429],
  }),
} as const satisfies Record<string, PageRouteDef>;

export type PageRoutes = typeof PAGE_ROUTES;
export type PageRouteName = keyof PageRoutes;
