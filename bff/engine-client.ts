/**
 * A typed client for the engine's API, acting as one user (their session token). An engine
 * that does not answer becomes 503 `engine_unavailable`, never a hang.
 */
import type { Permissions } from "../common/bff-api.ts";
import type {
  AuditEntry,
  AuditQuery,
  BatchPreview,
  Build,
  BuildDetail,
  Operation,
  OperationItem,
  OperationsQuery,
  Page,
  Pipeline,
  PipelineSummary,
  StatusCounts,
} from "../common/dto.ts";
import { AppError, fromErrorBody, UnavailableError } from "../common/errors.ts";

export type EngineMe = {
  username: string;
  isAdmin: boolean;
  projects: {
    name: string;
    displayName: string;
    createdAt: string;
    role: "viewer" | "developer" | "maintainer" | "admin";
    permissions: Permissions;
  }[];
};

export type EngineSession = { token: string; user: { username: string; isAdmin: boolean }; expiresAt: string };

export type LogChunkPage = {
  chunks: { id: number; jobId: number; stream: string; text: string }[];
  next: number;
  active: boolean;
};

const TIMEOUT_MS = 10_000;

export class EngineClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  as(token: string): EngineClient {
    return new EngineClient(this.baseUrl, token);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** Sends a request; the caller's signal (a closed browser stream) or the timeout aborts it. */
  async raw(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number | null } = {},
  ) {
    const timeout = opts.timeoutMs === null ? undefined : AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS);
    const signals = [timeout, opts.signal].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers({
          ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...opts.headers,
        }),
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new UnavailableError("engine_unavailable", "The build engine is not answering; try again shortly");
    }
  }

  async request<T>(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const res = await this.raw(method, path, opts);
    if (res.status === 204) return undefined as T;
    const body = await res.json().catch(() => undefined);
    if (!res.ok)
      throw res.status >= 500 && !body
        ? new AppError(502, "engine_error", `Engine answered ${res.status}`)
        : fromErrorBody(res.status, body, res.headers.get("Retry-After"));
    return body as T;
  }

  /** With the BFF key, the engine limits attempts by the browser's address rather than the BFF's. */
  signIn(username: string, password: string, from: { address: string; bffKey: string | undefined }) {
    return this.request<EngineSession>("POST", "/v1/sessions", {
      body: { username, password },
      ...(from.bffKey ? { headers: { "X-Sluice-Client-Address": from.address, "X-Sluice-Bff-Key": from.bffKey } } : {}),
    });
  }
  signOut() {
    return this.request<void>("DELETE", "/v1/sessions/current");
  }
  me() {
    return this.request<EngineMe>("GET", "/v1/me");
  }
  pipelines(project: string) {
    return this.request<{ items: PipelineSummary[] }>("GET", `/v1/projects/${enc(project)}/pipelines`);
  }
  pipeline(project: string, pipeline: string) {
    return this.request<Pipeline>("GET", `/v1/projects/${enc(project)}/pipelines/${enc(pipeline)}`);
  }
  builds(project: string, pipeline: string, query: Record<string, string | undefined>) {
    return this.request<Page<Build>>(
      "GET",
      `/v1/projects/${enc(project)}/pipelines/${enc(pipeline)}/builds${qs(query)}`,
    );
  }
  counts(project: string, pipeline: string, branch?: string) {
    return this.request<StatusCounts>(
      "GET",
      `/v1/projects/${enc(project)}/pipelines/${enc(pipeline)}/builds/counts${qs({ branch })}`,
    );
  }
  /** The caller's own operations on a pipeline that are still running (the history page resumes their toasts). */
  runningOperations(project: string, pipeline: string) {
    return this.request<Page<Operation>>(
      "GET",
      `/v1/projects/${enc(project)}/operations${qs({ pipeline, status: "running", mine: "1", limit: "100" })}`,
    );
  }
  operations(project: string, query: OperationsQuery) {
    return this.request<Page<Operation>>(
      "GET",
      `/v1/projects/${enc(project)}/operations${qs({ ...query, source: query.source?.join(","), limit: String(query.limit) })}`,
    );
  }
  audit(project: string, query: AuditQuery) {
    return this.request<Page<AuditEntry>>(
      "GET",
      `/v1/projects/${enc(project)}/audit${qs({ ...query, source: query.source?.join(","), limit: String(query.limit) })}`,
    );
  }
  /** A bulk cancel in one pipeline, or project-wide when `pipeline` is undefined. */
  batchCancel(project: string, pipeline: string | undefined, body: unknown, idempotencyKey?: string) {
    return this.request<Operation>("POST", `${buildsPath(project, pipeline)}/batch-cancel`, {
      body,
      ...(idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : {}),
    });
  }
  previewCancel(project: string, pipeline: string | undefined, body: unknown) {
    return this.request<BatchPreview>("POST", `${buildsPath(project, pipeline)}/batch-cancel/preview`, { body });
  }
  /** A bulk re-run in one pipeline, or project-wide when `pipeline` is undefined. */
  batchRerun(project: string, pipeline: string | undefined, body: unknown, idempotencyKey?: string) {
    return this.request<Operation>("POST", `${buildsPath(project, pipeline)}/batch-rerun`, {
      body,
      ...(idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : {}),
    });
  }
  previewRerun(project: string, pipeline: string | undefined, body: unknown) {
    return this.request<BatchPreview>("POST", `${buildsPath(project, pipeline)}/batch-rerun/preview`, { body });
  }
  cancelBuild(id: number, body: { reason?: string; force?: boolean }, idempotencyKey?: string) {
    return this.request<Operation>("POST", `/v1/builds/${id}/cancel`, {
      body,
      ...(idempotencyKey ? { headers: { "Idempotency-Key": idempotencyKey } } : {}),
    });
  }
  operation(id: string) {
    return this.request<Operation>("GET", `/v1/operations/${enc(id)}`);
  }
  operationItems(id: string, query: Record<string, string | undefined>) {
    return this.request<Page<OperationItem>>("GET", `/v1/operations/${enc(id)}/items${qs(query)}`);
  }
  build(id: number) {
    return this.request<BuildDetail>("GET", `/v1/builds/${id}`);
  }
  log(id: number, after: number) {
    return this.request<LogChunkPage>(
      "GET",
      `/v1/builds/${id}/log${qs({ format: "json", after: after > 0 ? String(after) : undefined })}`,
    );
  }
}

const enc = encodeURIComponent;

function buildsPath(project: string, pipeline: string | undefined): string {
  return pipeline === undefined
    ? `/v1/projects/${enc(project)}/builds`
    : `/v1/projects/${enc(project)}/pipelines/${enc(pipeline)}/builds`;
}

function qs(query: Record<string, string | undefined>): string {
  const entries = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== "");
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries).toString()}`;
}
