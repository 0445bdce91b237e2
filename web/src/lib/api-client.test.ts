import { AppError } from "@common/errors.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { build } from "../test/fixtures.ts";
import { jsonResponse, mockApi } from "../test/mock-api.ts";
import { apiUrl, callApi, setCsrfToken } from "./api-client.ts";

afterEach(() => setCsrfToken(null));

const permissions = { canRead: true, canTrigger: true, canCancel: true, canEdit: false, canAudit: false };

describe("the api client", () => {
  it("sends the session's CSRF token on mutations only, with the cookie", async () => {
    const server = mockApi({
      "GET /api/builds/7": () => ({ build: { ...build(7, "RUNNING"), cancelGraceSeconds: 10, jobs: [] }, permissions }),
      "POST /api/projects/demo/pipelines/web%20app/builds": () => jsonResponse(201, { build: build(8, "QUEUED") }),
    });
    setCsrfToken("token-1");
    await callApi("build", { params: { id: 7 } });
    const made = await callApi("triggerBuild", {
      params: { project: "demo", pipeline: "web app" },
      body: { branch: "main" },
    });
    expect(made.build.number).toBe(8);
    const [get, post] = server.calls;
    expect(get!.headers.get("X-CSRF-Token")).toBeNull();
    expect(post!.headers.get("X-CSRF-Token")).toBe("token-1");
    expect(post!.body).toEqual({ branch: "main" });
    expect(server.fetchMock.mock.calls[1]![1]).toMatchObject({ credentials: "include" });
  });

  it("rebuilds the server's error from its body", async () => {
    mockApi({
      "POST /api/projects/demo/webhooks/3/pings": () =>
        jsonResponse(429, { error: { code: "rate_limited", message: "Slow down", details: { retryAfterSeconds: 7 } } }),
    });
    const error = await callApi("pingWebhook", { params: { project: "demo", id: 3 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      status: 429,
      code: "rate_limited",
      message: "Slow down",
      details: { retryAfterSeconds: 7 },
    });
  });

  it("names an error without a body by its status", async () => {
    mockApi({ "GET /api/me": () => new Response("<html>bad gateway</html>", { status: 502 }) });
    await expect(callApi("me", {})).rejects.toMatchObject({ status: 502, code: "http_error" });
  });

  it("parses every answer with its route's schema: an answer outside the contract is an error, not a cast", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // The BFF of another version: a build without its status.
    const { status: _status, ...statusless } = build(7, "RUNNING");
    mockApi({
      "GET /api/builds/7": () => ({ build: { ...statusless, cancelGraceSeconds: 10, jobs: [] }, permissions }),
    });
    await expect(callApi("build", { params: { id: 7 } })).rejects.toMatchObject({ status: 502, code: "page_contract" });
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("build"), expect.anything());
    errors.mockRestore();
  });

  it("leaves empty values out of the query string and joins lists", () => {
    expect(apiUrl("/api/h", { status: ["QUEUED", "RUNNING"], branch: "", cursor: null, limit: 50 })).toBe(
      "/api/h?status=QUEUED%2CRUNNING&limit=50",
    );
    expect(apiUrl("/api/h", { status: [] })).toBe("/api/h");
  });
});
