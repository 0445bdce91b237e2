/**
 * The contract: every route the engine serves is in its OpenAPI document (and the document names
 * no route the engine does not serve), the document is valid OpenAPI 3.1, and the engine's real
 * answers match the schemas the one client parses them with.
 */
import { validate } from "@readme/openapi-parser";
import express, { type Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../common/contract/routes.ts";
import { EngineClient, readEngineEvents } from "../../common/engine-client.ts";
import type { EngineEvent } from "../../common/events.ts";
import { createLogger } from "../../common/logger.ts";
import type { EngineAgentChannel } from "../agents/channel.ts";
import { createEngineApp } from "../api/app.ts";
import type { EngineContext } from "../context.ts";
import { compareRoutes as compare, registeredRoutes } from "./express-routes.ts";
import { DATABASE_FREE, DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

/** The engine's app as the engine builds it; routes are only registered, never called. */
function engineApp(): Express {
  const ctx = {
    settings: { maxStreamsPerUser: 10 },
    log: createLogger("error", "test"),
  } as unknown as EngineContext;
  return createEngineApp(ctx, {} as EngineAgentChannel, { metrics: async () => {} });
}

describe.runIf(DATABASE_FREE)("the OpenAPI document and the engine's routes", () => {
  let document: { paths?: Record<string, object> };
  beforeAll(async () => {
    const { createOpenApiDocument } = await import("../../common/contract/openapi.ts");
    document = createOpenApiDocument() as typeof document;
  });

  it("describes every route the engine serves, and only those", () => {
    const app = engineApp();
    expect(registeredRoutes(app).length).toBeGreaterThan(50);
    expect(compare(app, document)).toEqual({ undocumented: [], notServed: [] });
  });

  it("notices a route the engine serves that the document leaves out", () => {
    const app = engineApp();
    const v1 = express.Router();
    v1.get("/builds/:id/artifacts", (_req, res) => {
      res.end();
    });
    app.use("/v1", v1);
    expect(compare(app, document).undocumented).toEqual(["get /v1/builds/:id/artifacts"]);
    const withoutGet = { paths: { ...document.paths, "/v1/builds/{id}": {} } };
    expect(compare(engineApp(), withoutGet).undocumented).toEqual(["get /v1/builds/:id"]);
  });

  it("is a valid OpenAPI 3.1 document, with the error envelope on every operation", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.specification).toBe("OpenAPI");
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses: object }>)) {
        const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
        expect(errors.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [, response] of errors) {
          expect(JSON.stringify(response), `${method} ${path}`).toContain("#/components/schemas/Error");
        }
      }
    }
    // The validator is not a rubber stamp: an answer without its description is refused.
    const broken = structuredClone(document) as { paths: Record<string, { get: { responses: object } }> };
    const me = broken.paths["/v1/me"] as { get: { responses: Record<string, { description?: string }> } };
    delete me.get.responses["200"]?.description;
    expect((await validate(broken as never)).valid).toBe(false);
    expect(Object.keys(ROUTES).length).toBe(
      Object.values(document.paths ?? {}).reduce((n, item) => n + Object.keys(item).length, 0),
    );
  });
});

describe.each(DATABASES)("the engine's answers match the contract on $name", (db) => {
  let t: TestEngine;
  let engine: EngineClient;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 1, settings: { webhooks: { allowPrivate: true } } });
    engine = new EngineClient(t.engine.url, { token: t.engine.adminToken });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("serves GET /v1/openapi.json without a token", async () => {
    const res = await fetch(`${t.engine.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toContain("/v1/projects/{project}/pipelines/{pipeline}/builds/batch-cancel");
    expect((await new EngineClient(t.engine.url).call("openapi", {})).openapi).toBe("3.1.0");
  });

  it("parses what the engine answers on every kind of route through the one client", async () => {
    const p = { project: "acme", pipeline: "sleepy" };
    await t.api.pipeline("acme", "sleepy", sleepPipeline({ seconds: 300, grace: 1 }));
    const opened = new AbortController();
    const events: EngineEvent[] = [];
    const stream = await engine.stream("events", { query: { project: "acme" } }, { signal: opened.signal });
    const reading = readEngineEvents(stream, (e) => events.push(e), opened.signal);

    const first = await engine.call("triggerBuild", { params: p, body: { branch: "main" } });
    const second = await engine.call("triggerBuild", { params: p, body: { branch: "dev" } });
    await waitFor(async () => (await engine.call("getBuild", { params: { id: first.id } })).status === "RUNNING");
    expect((await engine.call("me", {})).username).toBe("admin");
    expect((await engine.call("listProjects", {})).items.map((x) => x.name)).toContain("acme");
    expect((await engine.call("getProject", { params: p })).name).toBe("acme");
    expect((await engine.call("listPipelines", { params: p })).items[0]?.active.running).toBe(1);
    expect((await engine.call("getPipeline", { params: p })).name).toBe("sleepy");
    expect((await engine.call("listBuilds", { params: p, query: { limit: "1" } })).items).toHaveLength(1);
    expect((await engine.call("countBuilds", { params: p })).QUEUED).toBe(1);
    expect((await engine.call("getBuildLog", { params: { id: first.id }, query: { format: "json" } })).active).toBe(
      true,
    );
    const preview = await engine.call("previewCancel", {
      params: p,
      body: { filter: { status: ["QUEUED", "RUNNING"] } },
    });
    expect(preview.total).toBe(2);
    const op = await engine.call("batchCancel", {
      params: p,
      body: { filter: { status: ["QUEUED", "RUNNING"] }, snapshot: preview.snapshot, reason: "contract" },
      headers: { "Idempotency-Key": "contract-1" },
    });
    await waitFor(async () => (await engine.call("getOperation", { params: { id: op.id } })).status === "completed");
    expect((await engine.call("listOperationItems", { params: { id: op.id } })).items).toHaveLength(2);
    expect((await engine.call("listOperations", { params: p, query: { source: "api" } })).items[0]?.id).toBe(op.id);
    expect((await engine.call("listAudit", { params: p })).items[0]?.operationId).toBe(op.id);
    const rerun = await engine.call("batchRerun", { params: p, body: { buildIds: [second.id] } });
    expect(rerun.counts.created).toBe(1);
    const [rerunBuild] = (await engine.call("listBuilds", { params: p, query: { limit: "1" } })).items;
    const single = await engine.call("cancelBuild", { params: { id: rerunBuild?.id as number }, body: {} });
    expect(single.total).toBe(1);

    await engine.call("createUser", { body: { username: "dev", password: "password-1" } });
    expect((await engine.call("listUsers", {})).items.map((u) => u.username)).toContain("dev");
    expect(
      (await engine.call("setMember", { params: { ...p, username: "dev" }, body: { role: "developer" } })).role,
    ).toBe("developer");
    expect((await engine.call("listMembers", { params: p })).items).toEqual([{ username: "dev", role: "developer" }]);
    const token = await engine.call("createToken", { body: { name: "ci" } });
    expect((await engine.call("listTokens", {})).items.some((x) => x.id === token.id)).toBe(true);
    await engine.call("revokeToken", { params: { id: token.id } });
    await engine.call("createAgentToken", { body: { name: "runner" } });
    expect((await engine.call("listAgentTokens", {})).items[0]?.createdBy).toBe("admin");
    expect((await engine.call("listAgents", {})).items.length).toBeGreaterThan(0);
    const hook = await engine.call("createWebhook", {
      params: p,
      body: { url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef", events: ["operation.completed"] },
    });
    expect((await engine.call("listWebhooks", { params: p })).items[0]?.id).toBe(hook.id);
    const ping = await engine.call("pingWebhook", { params: { ...p, id: hook.id } });
    expect(ping.event).toBe("ping");
    expect((await engine.call("listDeliveries", { params: { ...p, id: hook.id } })).items[0]?.id).toBe(ping.id);
    const delivery = await engine.call("getDelivery", { params: { ...p, id: hook.id, delivery: ping.id } });
    expect(JSON.parse(delivery.payload)).toBeTruthy();

    await waitFor(() => events.some((e) => e.type === "operation.completed"), { what: "the events" });
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        "build.created",
        "build.status_changed",
        "job.status_changed",
        "operation.progress",
        "operation.completed",
      ]),
    );
    opened.abort();
    await reading;
  });
});
