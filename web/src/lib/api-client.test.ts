import { AppError } from "@common/errors.ts";
import { afterEach, describe, expect, it } from "vitest";
import { jsonResponse, mockApi } from "../test/mock-api.ts";
import { api, apiUrl, setCsrfToken } from "./api-client.ts";

afterEach(() => setCsrfToken(null));

describe("the api client", () => {
  it("sends the session's CSRF token on mutations only, with the cookie", async () => {
    const server = mockApi({ "GET /api/me": () => ({}), "POST /api/x": () => ({ ok: true }) });
    setCsrfToken("token-1");
    await api("/api/me");
    await api("/api/x", { method: "POST", body: { a: 1 } });
    const [get, post] = server.calls;
    expect(get!.headers.get("X-CSRF-Token")).toBeNull();
    expect(post!.headers.get("X-CSRF-Token")).toBe("token-1");
    expect(post!.body).toEqual({ a: 1 });
    expect(server.fetchMock.mock.calls[1]![1]).toMatchObject({ credentials: "include" });
  });

  it("rebuilds the server's error from its body", async () => {
    mockApi({
      "POST /api/x": () =>
        jsonResponse(429, { error: { code: "rate_limited", message: "Slow down", details: { retryAfterSeconds: 7 } } }),
    });
    const error = await api("/api/x", { method: "POST" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      status: 429,
      code: "rate_limited",
      message: "Slow down",
      details: { retryAfterSeconds: 7 },
    });
  });

  it("names an error without a body by its status", async () => {
    mockApi({ "GET /api/x": () => new Response("<html>bad gateway</html>", { status: 502 }) });
    await expect(api("/api/x")).rejects.toMatchObject({ status: 502, code: "http_error" });
  });

  it("leaves empty values out of the query string and joins lists", () => {
    expect(apiUrl("/api/h", { status: ["QUEUED", "RUNNING"], branch: "", cursor: null, limit: 50 })).toBe(
      "/api/h?status=QUEUED%2CRUNNING&limit=50",
    );
    expect(apiUrl("/api/h", { status: [] })).toBe("/api/h");
  });
});
