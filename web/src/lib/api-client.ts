/**
 * The one way the page talks to the BFF: same-origin `fetch` with the session cookie, the CSRF
 * token on every mutation, and errors rebuilt from the `{error: {code, message}}` body.
 */

import { CSRF_HEADER } from "@common/constants.ts";
import { type AppError, fromErrorBody } from "@common/errors.ts";

type Query = Record<string, string | number | readonly string[] | null | undefined>;

export type RequestOptions = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

let csrfToken: string | null = null;

/** The session's CSRF token, learned from `GET /api/me` or sign-in; mutations send it back. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** `/api/x` plus the query string, leaving out empty values; arrays become `a,b`. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value == null || value === "") continue;
    const text = typeof value === "object" ? value.join(",") : String(value);
    if (text !== "") params.set(key, text);
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers[CSRF_HEADER] = csrfToken;
  const response = await fetch(apiUrl(path, options.query), {
    method,
    headers,
    credentials: "include",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const body: unknown = await readBody(response);
  if (!response.ok) throw fromErrorBody(response.status, body);
  return body as T;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isApiError(error: unknown): error is AppError {
  return error instanceof Error && typeof (error as Partial<AppError>).status === "number";
}

export function isUnauthenticated(error: unknown): boolean {
  return isApiError(error) && error.status === 401;
}
