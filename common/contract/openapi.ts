/**
 * The OpenAPI 3.1 documents, generated from the route tables and their schemas: the engine's
 * (`GET /v1/openapi.json`, `routes.ts`) and the page's (`GET /api/openapi.json`, served by the
 * BFF, `page-routes.ts`). Every route lists the refusals it may give with the error envelope.
 */
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import { Build, BuildDetail } from "./builds.ts";
import { Pipeline, PipelineSummary, Project } from "./catalog.ts";
import { EngineEvent } from "./events.ts";
import { Me } from "./identity.ts";
import { AuditEntry, BatchPreview, Operation, OperationItem } from "./operations.ts";
import { PAGE_ROUTES, type PageRouteDef } from "./page-routes.ts";
import { ROUTES, type RouteDef } from "./routes.ts";
import { ErrorBody } from "./shared.ts";
import { Webhook, WebhookDelivery, WebhookDeliveryDetail } from "./webhooks.ts";

const ERROR_TEXT: Record<number, string> = {
  400: "The request is invalid (`invalid_input`, `malformed_body`, …); nothing changed",
  401: "No token, or one that is not valid (`unauthenticated`, `invalid_token`)",
  403: "The caller may not do this (`forbidden`, `agent_token_not_allowed`, `metrics_token_required`, …)",
  404: "Not found, or not readable by the caller",
  409: "Conflicts with the current state (`already_finished`, `preview_expired`, `already_rerun`, …)",
  413: "The body is over 1 MiB (`body_too_large`)",
  422: "The `Idempotency-Key` was used by this user for another request — another body, scope or kind of route (`idempotency_key_reused`); nothing changed",
  429: "Too many requests (`too_many_operations`: bulk cancels and re-runs running per user; `too_many_attempts`, `too_many_streams`); see Retry-After",
  500: "Internal error",
  503: "The engine cannot reach its database (`database_unavailable`); try again",
};

/** A route of either table. */
type AnyRoute = RouteDef | PageRouteDef;

/** The refusals a route may give: the common ones for what it takes, and its own. */
function errorsOf(route: AnyRoute): number[] {
  const statuses = new Set<number>([500, 503, ...(route.errors ?? [])]);
  if (route.body || route.query || route.params || route.headers) statuses.add(400);
  if (route.auth !== "none") {
    statuses.add(401);
    statuses.add(403);
  }
  if (route.params || route.auth !== "none") statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(name: string, route: AnyRoute, security: string): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    const type = route.produces ?? "application/json";
    responses[status] =
      schema === null || schema === undefined
        ? { description: "Done; no body" }
        : {
            description: route.produces === "text/event-stream" ? "A stream of server-sent events" : "Success",
            content: {
              [type]: { schema },
              ...("alsoProduces" in route && route.alsoProduces
                ? { [route.alsoProduces]: { schema: { type: "string" } } }
                : {}),
            },
          };
  }
  for (const status of errorsOf(route)) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? "Refused",
      content: { "application/json": { schema: ErrorBody } },
      ...(status === 429
        ? { headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } } }
        : {}),
    };
  }
  const body = route.body;
  return {
    operationId: name,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === "none" ? [] : [{ [security]: [] }],
    ...(route.params || route.query || route.headers
      ? {
          requestParams: {
            ...(route.params ? { path: route.params } : {}),
            ...(route.query ? { query: route.query } : {}),
            ...(route.headers ? { header: route.headers } : {}),
          },
        }
      : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: body },
              ...Object.fromEntries(
                (("bodyTypes" in route && route.bodyTypes) || []).map((t) => [t, { schema: { type: "string" } }]),
              ),
            },
          },
        }
      : {}),
    responses: responses as ZodOpenApiOperationObject["responses"],
  };
}

export function createOpenApiDocument(version = "0.1.0") {
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, route] of Object.entries(ROUTES) as [string, RouteDef][]) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(name, route, "bearer") };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Sluice engine API",
      version,
      description:
        'The build engine\'s HTTP API. Every refusal is `{"error": {"code", "message", "details"?}}` with a stable code.',
    },
    servers: [{ url: "/" }],
    tags: [...new Set(Object.values(ROUTES).map((r) => r.tag))].map((name) => ({ name })),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A session, API, agent or metrics token, as each route says",
        },
      },
      schemas: {
        Error: ErrorBody,
        Build,
        BuildDetail,
        Project,
        PipelineSummary,
        Pipeline,
        Operation,
        OperationItem,
        AuditEntry,
        BatchPreview,
        Me,
        Webhook,
        WebhookDelivery,
        WebhookDeliveryDetail,
        EngineEvent,
      },
    },
  });
}

/** The page's API (`/api`), as the BFF serves it to the browser. */
export function createPageOpenApiDocument(version = "0.1.0") {
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, route] of Object.entries(PAGE_ROUTES) as [string, PageRouteDef][]) {
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(name, route, "session") };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Sluice page API",
      version,
      description:
        "The BFF's API for the web page: page-shaped reads, bulk actions, webhooks and the page's one event stream. " +
        "A browser signs in (`POST /api/session`), keeps the httpOnly session cookie, and sends the session's CSRF token " +
        'in `X-CSRF-Token` with every mutation. Every refusal is `{"error": {"code", "message", "details"?}}` with a stable code.',
    },
    servers: [{ url: "/" }],
    tags: [...new Set(Object.values(PAGE_ROUTES).map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: "sluice_session",
          description: "The session cookie set by `POST /api/session`; mutations also need `X-CSRF-Token`",
        },
      },
      schemas: { Error: ErrorBody, Build, BuildDetail, Operation, OperationItem, AuditEntry, BatchPreview },
    },
  });
}
