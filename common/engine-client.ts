/**
 * The one client of the engine's HTTP API, built on the route table (`contract/routes.ts`): the
 * BFF, the agent's HTTP channel and the CLI all call the engine through it.
 *
 *     const engine = new EngineClient("http://127.0.0.1:8081", { token });
 *     const build = await engine.call("getBuild", { params: { id: 12 } });
 *     const op = await engine.call("batchCancel", {
 *       params: { project: "demo", pipeline: "web-app" },
 *       body: { buildNumbers: [12, 13], reason: "bad push" },
 *       headers: { "Idempotency-Key": key },
 *     });
 *     const events = await engine.stream("events", { query: { project: "demo" } });
 *     await readEngineEvents(events, (e) => ..., signal);
 *
 * What it sends is checked against the route's schemas first: an invalid body, query or path
 * parameter throws an InputError (400 `invalid_input`) and nothing is sent. What it receives is
 * parsed with the route's answer schema: an answer that does not match throws a 502
 * `engine_contract` AppError. An engine refusal (`{"error": {"code", "message"}}`) becomes an
 * AppError with its status and code (a 429 keeps its Retry-After); an engine that does not
 * answer in time becomes 503 `engine_unavailable`.
 */
import type { z } from "zod";
import { EngineEvent } from "./contract/events.ts";
import { ROUTES, type RouteDef, type RouteName, type Routes } from "./contract/routes.ts";
import { AppError, fromErrorBody, InputError, UnavailableError } from "./errors.ts";
import { readSse } from "./sse-parser.ts";
import { fieldIssues, issueText } from "./validation.ts";

type Schema<R, K extends string> = R extends { [k in K]: infer S extends z.ZodType } ? S : undefined;

/** What a call to route `N` takes: path parameters, query, body and headers, each as the route declares them. */
export type CallInput<N extends RouteName> = (Schema<Routes[N], "params"> extends z.ZodType
  ? { params: { [K in keyof z.input<Schema<Routes[N], "params">>]: string | number } }
  : { params?: undefined }) &
  (Schema<Routes[N], "query"> extends z.ZodType
    ? { query?: z.input<Schema<Routes[N], "query">> }
    : { query?: undefined }) &
  (Schema<Routes[N], "body"> extends z.ZodType
    ? { body: z.input<Schema<Routes[N], "body">> }
    : { body?: undefined }) & {
    /** Sent as they are: `Idempotency-Key`, `Last-Event-ID`, `X-Request-Id`, … */
    headers?: Record<string, string | undefined>;
  };

type Answers<N extends RouteName> = Routes[N]["responses"];
/** What a call to route `N` answers: its success schema's output (`undefined` for a 204). */
export type CallOutput<N extends RouteName> = {
  [S in keyof Answers<N>]: Answers<N>[S] extends z.ZodType ? z.output<Answers<N>[S]> : undefined;
}[keyof Answers<N>];

export type CallOptions = {
  /** Aborts the request (a closed browser stream, a stopping agent); the caller's abort is rethrown as is. */
  signal?: AbortSignal;
  /** Milliseconds before the engine counts as not answering; `null`: no limit (streams). */
  timeoutMs?: number | null;
};

export type EngineClientOptions = {
  /** The caller's bearer token: a session, an API token or an agent token. */
  token?: string;
  /** Default per-request timeout (10 s). */
  timeoutMs?: number;
  /** Headers sent with every request (say, a `User-Agent`). */
  headers?: Record<string, string>;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
};

const DEFAULT_TIMEOUT_MS = 10_000;

export class EngineClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly options: EngineClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
  }

  /** The same engine, as another caller. */
  as(token: string): EngineClient {
    return new EngineClient(this.baseUrl, { ...this.options, token });
  }

  /** Calls route `name` and returns its parsed answer. */
  async call<N extends RouteName>(name: N, input: CallInput<N>, options: CallOptions = {}): Promise<CallOutput<N>> {
    const route: RouteDef = ROUTES[name];
    const res = await this.send(route, input, options);
    const schema = route.responses[res.status as keyof RouteDef["responses"]];
    if (schema === undefined) throw contractError(name, `answered ${res.status}, which the route does not declare`);
    if (schema === null) return undefined as CallOutput<N>;
    const body = route.produces === "text/plain" ? await res.text() : await res.json().catch(() => undefined);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw contractError(name, fieldIssues(parsed.error).map(issueText).join("; "));
    return parsed.data as CallOutput<N>;
  }

  /**
   * Opens a streaming route (`events`) and returns its body once the engine has accepted it; a
   * refusal (no permission, too many streams) is thrown before anything is read.
   */
  async stream<N extends StreamRouteName>(
    name: N,
    input: CallInput<N>,
    options: Omit<CallOptions, "timeoutMs"> = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const route: RouteDef = ROUTES[name];
    const res = await this.send(route, input, { ...options, timeoutMs: null });
    if (!res.body) throw contractError(name, "answered without a body");
    return res.body;
  }

  /** A route's text answer (`getBuildLog` without `format=json`). */
  async text<N extends RouteName>(name: N, input: CallInput<N>, options: CallOptions = {}): Promise<string> {
    return (await this.send(ROUTES[name], input, options)).text();
  }

  /** Checks the input, sends it, and returns a 2xx response; anything else is thrown as an AppError. */
  private async send(
    route: RouteDef,
    input: { params?: unknown; query?: unknown; body?: unknown; headers?: Record<string, string | undefined> },
    options: CallOptions,
  ): Promise<Response> {
    const url = this.baseUrl + pathOf(route, input.params) + queryOf(route, input.query);
    if (route.body) check(route.body, input.body, "body");
    const headers: Record<string, string> = { ...this.options.headers };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    for (const [key, value] of Object.entries(input.headers ?? {})) if (value !== undefined) headers[key] = value;
    if (input.body !== undefined) headers["Content-Type"] = "application/json";
    const timeoutMs =
      options.timeoutMs === undefined ? (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : options.timeoutMs;
    const signals = [timeoutMs === null ? undefined : AbortSignal.timeout(timeoutMs), options.signal].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(url, {
        method: route.method.toUpperCase(),
        headers,
        ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new UnavailableError("engine_unavailable", "The build engine is not answering; try again shortly");
    }
    if (res.ok) return res;
    const body = await res.json().catch(() => undefined);
    throw res.status >= 500 && !body
      ? new AppError(502, "engine_error", `Engine answered ${res.status}`)
      : fromErrorBody(res.status, body, res.headers.get("Retry-After"));
  }
}

/** The routes answered with a stream rather than one JSON value. */
export type StreamRouteName = {
  [N in RouteName]: Routes[N] extends { produces: "text/event-stream" } ? N : never;
}[RouteName];

/** Reads an opened event stream until it ends or `signal` aborts; each event parsed with the contract's `EngineEvent`. */
export function readEngineEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: EngineEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  return readSse(
    body,
    (message) => {
      const parsed = EngineEvent.safeParse(JSON.parse(message.data));
      if (!parsed.success) throw contractError("events", fieldIssues(parsed.error).map(issueText).join("; "));
      onEvent(parsed.data);
    },
    signal,
  );
}

function contractError(name: string, problem: string): AppError {
  return new AppError(502, "engine_contract", `The engine's answer to ${name} does not match the contract: ${problem}`);
}

/** Validates what is about to be sent: a bad value is the caller's to fix, and nothing goes out. */
function check(schema: z.ZodType, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issues = fieldIssues(result.error);
  throw new InputError(`Invalid ${what}: ${issues.map(issueText).join("; ")}`, { issues });
}

function pathOf(route: RouteDef, params: unknown): string {
  const given = Object.fromEntries(
    Object.entries((params ?? {}) as Record<string, string | number>).map(([k, v]) => [k, String(v)]),
  );
  if (route.params) check(route.params, given, "path");
  return route.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(given[key] as string));
}

/** The query as sent: the values as given (the route's schema checks them first), empty ones left out. */
function queryOf(route: RouteDef, query: unknown): string {
  if (query === undefined) return "";
  if (route.query) check(route.query, query, "query");
  const entries = Object.entries(query as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)] as [string, string]);
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries)}`;
}
