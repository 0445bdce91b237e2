/**
 * The engine's OpenAPI 3.1 document, generated from the route table and its schemas
 * (`GET /v1/openapi.json`). Every route lists the refusals it may give with the error envelope.
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
import { ROUTES, type RouteDef } from "./routes.ts";
import { ErrorBody } from "./shared.ts";
import { Webhook, WebhookDelivery, WebhookDeliveryDetail } from "./webhooks.ts";

const ERROR_TEXT: Record<number, string> = {
  400: "The request is invalid (`invalid_input`, `malformed_body`, …); nothing changed",
  401: "No token, or one that is not valid (`unauthenticated`, `invalid_token`)",
  403: "The caller may not do this (`forbidden`, `agent_token_not_allowed`, …)",
  404: "Not found, or not readable by the caller",
  409: "Conflicts with the current state (`already_finished`, `preview_expired`, …)",
  413: "The body is over 1 MiB (`body_too_large`)",
  422: "The `Idempotency-Key` was used with another body (`idempotency_key_reused`)",
  429: "Too many requests (`too_many_operations`, `too_many_attempts`, `too_many_streams`); see Retry-After",
  500: "Internal error",
  503: "The engine cannot reach its database (`database_unavailable`); try again",
};

/** The refusals a route may give: the common ones for what it takes, and its own. */
function errorsOf(route: RouteDef): number[] {
  const statuses = new Set<number>([500, 503, ...(route.errors ?? [])]);
  if (route.body || route.query || route.params || route.headers) statuses.add(400);
  if (route.auth === "token" || route.auth === "admin" || route.auth === "agent" || route.auth === "metrics") {
    statuses.add(401);
    statuses.add(403);
  }
  if (route.params || route.auth !== "none") statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(name: string, route: RouteDef): ZodOpenApiOperationObject {
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
              ...(route.alsoProduces ? { [route.alsoProduces]: { schema: { type: "string" } } } : {}),
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
    security: route.auth === "none" ? [] : [{ bearer: [] }],
    ...(route.params || route.query || route.headers
      ? {
          requestParams: {
            ...(route.params ? { path: route.params } : {}),
            ...(route.query ? { query: route.query as never } : {}),
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
              ...Object.fromEntries((route.bodyTypes ?? []).map((t) => [t, { schema: { type: "string" } }])),
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
    paths[route.path] = { ...paths[route.path], [route.method]: operationOf(name, route) };
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
