/**
 * The one way the page talks to the BFF: routes named in the page contract
 * (`common/contract/page-routes.ts`), same-origin `fetch` with the session cookie, the CSRF token on
 * every mutation, every answer parsed with its route's schema (an answer outside the contract is a
 * `page_contract` error, reported, never cast), and refusals rebuilt from the
 * `{error: {code, message}}` body.
 *
 *     const { builds } = await callApi("history", { params: { project, pipeline }, query: { branch } });
 */

import { CSRF_HEADER } from "@common/constants.ts";
import {
  PAGE_ROUTES,
  type PageRouteDef,
  type PageRouteName,
  type PageRoutes,
  successOf,
} from "@common/contract/page-routes.ts";
import { AppError, fromErrorBody } from "@common/errors.ts";
import type { z } from "zod";

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

type Schema<R, K extends string> = R extends { [k in K]: infer S extends z.ZodType } ? S : undefined;

/** What a call of route `N` takes: its path parameters, query and body as the route declares them. */
export type ApiInput<N extends PageRouteName> = (Schema<PageRoutes[N], "params"> extends z.ZodType
  ? { params: { [K in keyof z.input<Schema<PageRoutes[N], "params">>]: string | number } }
  : { params?: undefined }) &
  (Schema<PageRoutes[N], "query"> extends z.ZodType ? { query?: Query } : { query?: undefined }) &
  (Schema<PageRoutes[N], "body"> extends z.ZodType
    ? { body: z.input<Schema<PageRoutes[N], "body">> }
    : { body?: undefined }) & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

type Answers<N extends PageRouteName> = PageRoutes[N]["responses"];
/** What route `N` answers: its success schema's output (`undefined` for a 204). */
export type ApiOutput<N extends PageRouteName> = {
  [S in keyof Answers<N>]: Answers<N>[S] extends z.ZodType ? z.output<Answers<N>[S]> : undefined;
}[keyof Answers<N>];

/** Route `name`'s path with its parameters filled in (each encoded). */
export function apiPath(route: PageRouteDef, params: Record<string, string | number> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(params[key])));
}

/** Calls route `name` of the page contract and returns its answer, parsed with the route's schema. */
export async function callApi<N extends PageRouteName>(name: N, input: ApiInput<N>): Promise<ApiOutput<N>> {
  const route: PageRouteDef = PAGE_ROUTES[name];
  const params = input.params as Record<string, string | number> | undefined;
  const body = await api(apiPath(route, params), {
    method: route.method.toUpperCase() as RequestOptions["method"],
    query: input.query,
    body: input.body,
    headers: input.headers,
    signal: input.signal,
  });
  const { schema } = successOf(route);
  if (schema === null) return undefined as ApiOutput<N>;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    // Reported where a developer looks, and shown to the person as a translated error.
    console.error(`Sluice: the answer of ${name} does not match the page contract`, parsed.error.issues);
    throw new AppError(502, "page_contract", `The answer of ${name} does not match the page contract`);
  }
  return parsed.data as ApiOutput<N>;
}

/** A request to the BFF; its answer's body as JSON (unchecked: `callApi` parses it with the route's schema). */
async function api(path: string, options: RequestOptions = {}): Promise<unknown> {
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
  return body;
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
