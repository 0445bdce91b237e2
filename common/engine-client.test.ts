import { describe, expect, it, vi } from "vitest";
import { EngineClient } from "./engine-client.ts";
import { AppError, RateLimitedError } from "./errors.ts";

const BUILD = {
  id: 7,
  project: "acme",
  pipeline: "web",
  number: 3,
  status: "RUNNING",
  branch: "main",
  commit: "abc1234",
  params: {},
  triggeredBy: "admin",
  concurrencyGroup: null,
  statusReason: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: null,
  finishedAt: null,
};

function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  return vi.fn(
    async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json", ...headers },
      }),
  );
}

describe("the engine client", () => {
  it("sends the route's method, path, query, token and headers, and returns the parsed answer", async () => {
    const fetch = answering(201, BUILD);
    const engine = new EngineClient("http://engine:8081/", { token: "t0k", fetch });
    const build = await engine.call("triggerBuild", {
      params: { project: "acme", pipeline: "web app" },
      body: { branch: "main" },
      headers: { "X-Request-Id": "trace-1" },
    });
    expect(build.id).toBe(7);
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("http://engine:8081/v1/projects/acme/pipelines/web%20app/builds");
    expect(init.method).toBe("POST");
    expect(init.headers).toMatchObject({ Authorization: "Bearer t0k", "X-Request-Id": "trace-1" });
    expect(JSON.parse(init.body as string)).toEqual({ branch: "main" });

    const list = answering(200, { items: [], nextCursor: null });
    await new EngineClient("http://e", { fetch: list }).call("listOperations", {
      params: { project: "acme" },
      query: { source: "user,api", status: "running", limit: "10" },
    });
    expect(list.mock.calls[0]?.[0]).toBe(
      "http://e/v1/projects/acme/operations?source=user%2Capi&status=running&limit=10",
    );
  });

  it("rejects an answer that does not match the route's schema with engine_contract", async () => {
    const engine = new EngineClient("http://e", { fetch: answering(200, { ...BUILD, status: "EXPLODED" }) });
    const err = await engine.call("getBuild", { params: { id: 7 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 502, code: "engine_contract" });
    expect((err as Error).message).toContain("status");

    const undeclared = new EngineClient("http://e", { fetch: answering(201, BUILD) });
    await expect(undeclared.call("getBuild", { params: { id: 7 } })).rejects.toMatchObject({ code: "engine_contract" });
  });

  it("sends nothing when the body, the query or a path parameter is invalid", async () => {
    const fetch = answering(202, {});
    const engine = new EngineClient("http://e", { fetch });
    await expect(
      engine.call("batchCancel", {
        params: { project: "acme", pipeline: "web" },
        body: { buildIds: [1], filter: { status: ["QUEUED"] } },
      }),
    ).rejects.toMatchObject({ status: 400, code: "invalid_input" });
    await expect(
      engine.call("listAudit", { params: { project: "acme" }, query: { action: "explode" as never } }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(engine.call("getBuild", { params: { id: "7/../../users" } })).rejects.toMatchObject({
      code: "invalid_input",
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("turns the engine's refusals into AppErrors with their status, code and Retry-After", async () => {
    const missing = new EngineClient("http://e", {
      fetch: answering(404, { error: { code: "build_not_found", message: "Build 7 not found" } }),
    });
    await expect(missing.call("getBuild", { params: { id: 7 } })).rejects.toMatchObject({
      status: 404,
      code: "build_not_found",
      message: "Build 7 not found",
    });
    const busy = new EngineClient("http://e", {
      fetch: answering(429, { error: { code: "too_many_operations", message: "wait" } }, { "Retry-After": "7" }),
    });
    const err = await busy
      .call("cancelBuild", { params: { id: 7 }, body: {}, headers: { "Idempotency-Key": "k1" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ code: "too_many_operations", retryAfterSeconds: 7 });
    const broken = new EngineClient("http://e", { fetch: answering(500, undefined) });
    await expect(broken.call("me", {})).rejects.toMatchObject({ status: 502, code: "engine_error" });
  });

  it("says engine_unavailable when the engine does not answer, and rethrows the caller's own abort", async () => {
    const refused = new EngineClient("http://e", {
      fetch: vi.fn(async () => {
        throw new TypeError("fetch failed");
      }),
    });
    await expect(refused.call("me", {})).rejects.toMatchObject({ status: 503, code: "engine_unavailable" });
    const aborted = new AbortController();
    aborted.abort();
    const hanging = new EngineClient("http://e", {
      fetch: vi.fn(async (_u: string | URL | Request, init?: RequestInit) => {
        throw init?.signal?.reason;
      }),
    });
    await expect(hanging.call("me", {}, { signal: aborted.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
