/**
 * The page's contract: every `/api` route the BFF serves is in its OpenAPI document
 * (`GET /api/openapi.json`) and the document names no route the BFF does not serve; the document
 * is valid OpenAPI 3.1; and the BFF refuses to answer outside the contract.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validate } from "@readme/openapi-parser";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPageOpenApiDocument } from "../../common/contract/openapi.ts";
import { PAGE_ROUTES } from "../../common/contract/page-routes.ts";
import { createLogger } from "../../common/logger.ts";
import { compareRoutes, registeredRoutes } from "../../engine/test/express-routes.ts";
import { DATABASE_FREE } from "../../engine/test/harness.ts";
import { createBffApp } from "../app.ts";
import { answer } from "../contract.ts";

/** The BFF's app as it builds it; routes are only registered, never called (but the document's). */
function bffApp() {
  return createBffApp({
    engineUrl: "http://127.0.0.1:9",
    webDist: fs.mkdtempSync(path.join(os.tmpdir(), "sluice-web-")),
    log: createLogger("error", "test"),
  });
}

/** Only the page's API: the BFF also serves `/healthz`, `/metrics` and the page's files. */
function apiOnly(app: express.Express) {
  const { undocumented, notServed } = compareRoutes(
    app,
    createPageOpenApiDocument() as { paths?: Record<string, object> },
  );
  return { undocumented: undocumented.filter((r) => r.split(" ")[1]!.startsWith("/api/")), notServed };
}

describe.runIf(DATABASE_FREE)("the page's contract and the BFF's routes", () => {
  let server: ReturnType<express.Express["listen"]>;
  let base: string;
  beforeAll(async () => {
    server = bffApp().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("describes every /api route the BFF serves, and only those", () => {
    const app = bffApp();
    expect(registeredRoutes(app).filter((r) => r.includes(" /api/")).length).toBeGreaterThan(25);
    expect(apiOnly(app)).toEqual({ undocumented: [], notServed: [] });
  });

  it("notices a route served and not described, and one described and not served", () => {
    const app = bffApp();
    const extra = express.Router();
    extra.get("/api/builds/:id/artifacts", (_req, res) => {
      res.end();
    });
    app.use(extra);
    expect(apiOnly(app).undocumented).toEqual(["get /api/builds/:id/artifacts"]);
    const document = createPageOpenApiDocument() as { paths: Record<string, object> };
    document.paths["/api/builds/{id}/logs"] = { get: {} };
    expect(compareRoutes(bffApp(), document).notServed).toEqual(["get /api/builds/:id/logs"]);
  });

  it("serves a valid OpenAPI 3.1 document at /api/openapi.json, without a session, with the error envelope on every operation", async () => {
    const res = await fetch(`${base}/api/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { paths: Record<string, Record<string, { responses: object }>> };
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(Object.keys(PAGE_ROUTES).length).toBe(
      Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0),
    );
    for (const [route, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
        expect(errors.length, `${method} ${route}`).toBeGreaterThan(0);
      }
    }
    // The validator is not a rubber stamp.
    const broken = structuredClone(document) as {
      paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>>;
    };
    delete broken.paths["/api/me"]!.get!.responses["200"]!.description;
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it("answers 500 page_contract rather than a shape the page was not promised", () => {
    const sent: unknown[] = [];
    const res = { status: () => res, json: (v: unknown) => sent.push(v), end: () => {} } as unknown as express.Response;
    // A build without its status, as a BFF that forgot a field would send it.
    const broken = { build: { id: 1, number: 1 }, permissions: {} } as never;
    expect(() => answer(res, "build", broken)).toThrow(expect.objectContaining({ status: 500, code: "page_contract" }));
    expect(sent).toEqual([]);
  });
});
