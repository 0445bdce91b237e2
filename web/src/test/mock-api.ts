import { vi } from "vitest";

export type ApiCall = { method: string; path: string; query: URLSearchParams; headers: Headers; body: unknown };
type Handler = (call: ApiCall) => unknown;

/**
 * Stubs `fetch` with handlers keyed by "METHOD /path"; a handler returns (or resolves to) the JSON body, or
 * `{status, body}` via `respond`. Every call is recorded for assertions.
 */
export function mockApi(handlers: Record<string, Handler>) {
  const calls: ApiCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost");
    const method = init.method ?? "GET";
    const call: ApiCall = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const handler = handlers[`${method} ${url.pathname}`];
    if (!handler)
      return jsonResponse(404, { error: { code: "not_found", message: `no mock for ${method} ${url.pathname}` } });
    const result = await handler(call);
    if (result instanceof Response) return result;
    return jsonResponse(200, result);
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    calls,
    fetchMock,
    callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}
