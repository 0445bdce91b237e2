/**
 * Every engine HTTP call the `sluice` client commands make, in one place, so they can move to a
 * shared typed client later without touching the commands. Errors keep the engine's own code and
 * message (`{"error": {"code", "message"}}`), whatever the code.
 */
import crypto from "node:crypto";
import type { OperationKind } from "../common/constants.ts";
import type {
  BatchPreview,
  Build,
  BuildDetail,
  Operation,
  OperationCounts,
  OperationItem,
  Page,
  PipelineSummary,
} from "../common/dto.ts";
import { readSse } from "../common/sse-parser.ts";

/** What the engine answered when it refused, or why it could not be asked. */
export class EngineError extends Error {
  constructor(
    /** The HTTP status; 0 when the engine could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** Which builds a bulk operation names; exactly one of these per request. */
export type Selection =
  | { buildNumbers: number[] }
  | { buildIds: number[] }
  | { fromOperation: string }
  | {
      filter: {
        status: string[];
        branch?: string;
        pipelines?: string[];
      };
    };

/** Where bulk requests go: one pipeline, or every pipeline of a project. */
export type Scope = { project: string; pipeline: string | undefined };

export type BuildsQuery = { status?: string[]; branch?: string; limit?: number; cursor?: string };
export type OperationsQuery = {
  pipeline?: string;
  status?: string;
  source?: string[];
  requestedBy?: string;
  mine?: boolean;
  limit?: number;
  cursor?: string;
};
/** What the event stream says about an operation while it runs. */
export type OperationProgress = { counts: OperationCounts; status: Operation["status"] };

const enc = encodeURIComponent;
/** Between two event streams of one operation: a stream that keeps breaking is not reopened in a loop. */
const RECONNECT_DELAY_MS = 500;

export class EngineApi {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async pipelines(project: string): Promise<PipelineSummary[]> {
    const page = await this.request<{ items: PipelineSummary[] }>("GET", `/v1/projects/${enc(project)}/pipelines`);
    return page.items;
  }

  builds(project: string, pipeline: string, query: BuildsQuery): Promise<Page<Build>> {
    return this.request(
      "GET",
      `/v1/projects/${enc(project)}/pipelines/${enc(pipeline)}/builds${queryString({
        status: query.status?.join(","),
        branch: query.branch,
        limit: query.limit,
        cursor: query.cursor,
      })}`,
    );
  }

  build(id: number): Promise<BuildDetail> {
    return this.request("GET", `/v1/builds/${id}`);
  }

  /**
   * A build by the number people see. The engine looks builds up by id, so this walks the history
   * newest first (200 a page) until the number is reached; recent builds take one request.
   */
  async buildByNumber(project: string, pipeline: string, number: number): Promise<BuildDetail | undefined> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.builds(project, pipeline, { limit: 200, ...(cursor ? { cursor } : {}) });
      const found = page.items.find((b) => b.number === number);
      if (found) return this.build(found.id);
      const oldest = page.items.at(-1)?.number;
      if (!page.nextCursor || oldest === undefined || oldest < number) return undefined;
      cursor = page.nextCursor;
    }
  }

  preview(kind: OperationKind, scope: Scope, selection: Selection): Promise<BatchPreview> {
    return this.request("POST", `${batchPath(scope)}/batch-${kind}/preview`, selection);
  }

  /** Confirms a preview: acts on the builds that matched and existed when it was taken. */
  confirm(
    kind: OperationKind,
    scope: Scope,
    body: Selection & { snapshot: string; reason?: string; force?: boolean },
  ): Promise<Operation> {
    // One key per confirmed preview, as the page sends: a retried request makes one operation.
    return this.request("POST", `${batchPath(scope)}/batch-${kind}`, body, { "Idempotency-Key": crypto.randomUUID() });
  }

  operations(project: string, query: OperationsQuery): Promise<Page<Operation>> {
    return this.request(
      "GET",
      `/v1/projects/${enc(project)}/operations${queryString({
        pipeline: query.pipeline,
        status: query.status,
        source: query.source?.join(","),
        requestedBy: query.requestedBy,
        mine: query.mine ? "1" : undefined,
        limit: query.limit,
        cursor: query.cursor,
      })}`,
    );
  }

  operation(id: string): Promise<Operation> {
    return this.request("GET", `/v1/operations/${enc(id)}`);
  }

  operationItems(
    id: string,
    query: { outcome?: string; limit?: number; cursor?: string },
  ): Promise<Page<OperationItem>> {
    return this.request("GET", `/v1/operations/${enc(id)}/items${queryString(query)}`);
  }

  /**
   * Follows an operation's events from its start until it completes; `onProgress` sees every
   * count change. A stream that ends or breaks before the operation completes (an engine
   * restarting, a proxy's timeout) is opened again from the last event seen. Answers the final
   * operation.
   */
  async follow(op: Operation, onProgress: (progress: OperationProgress) => void): Promise<Operation> {
    let after = "0";
    let current = op;
    while (current.status !== "completed") {
      const abort = new AbortController();
      let completed = false;
      const res = await this.fetch(`/v1/events${queryString({ operation: op.id, after })}`, {
        headers: { Accept: "text/event-stream" },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw await errorOf(res);
      const following = readSse(
        res.body,
        (e) => {
          if (e.id !== undefined) after = e.id;
          if (e.event !== "operation.progress" && e.event !== "operation.completed") return;
          const data = JSON.parse(e.data) as OperationProgress;
          onProgress(data);
          if (data.status === "completed") {
            completed = true;
            abort.abort();
          }
        },
        abort.signal,
      );
      // A broken stream is followed again, as one that ended is; an engine that is gone fails the next request.
      await following.catch(() => {});
      current = await this.operation(op.id);
      if (!completed && current.status !== "completed") {
        onProgress({ counts: current.counts, status: current.status });
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
      }
    }
    return current;
  }

  private async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await this.fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  private async fetch(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${this.token}` },
      });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new EngineError(
        0,
        "unreachable",
        `cannot reach the engine at ${this.url} (${cause?.code ?? cause?.message ?? (err as Error).message})`,
      );
    }
  }
}

function batchPath(scope: Scope): string {
  return scope.pipeline
    ? `/v1/projects/${enc(scope.project)}/pipelines/${enc(scope.pipeline)}/builds`
    : `/v1/projects/${enc(scope.project)}/builds`;
}

function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : "";
}

async function errorOf(res: Response): Promise<EngineError> {
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { code?: unknown; message?: unknown; details?: unknown } }
    | undefined;
  const error = body?.error;
  if (error && typeof error.code === "string") {
    return new EngineError(res.status, error.code, String(error.message ?? error.code), error.details);
  }
  return new EngineError(res.status, "http_error", `HTTP ${res.status} ${res.statusText}`);
}
