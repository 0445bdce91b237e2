/**
 * The engine calls of the `sluice` client commands, on the one engine client
 * (`common/engine-client.ts`: what is sent is checked against the contract, what comes back is
 * parsed with it). Errors keep the engine's own code and message (`{"error": {"code",
 * "message"}}`), whatever the code, so the command prints what the engine said.
 */
import crypto from "node:crypto";
import type { z } from "zod";
import type { KeepNewestPer, OperationKind, OperationStatus } from "../common/constants.ts";
import {
  BatchCancelRequest,
  BatchPreviewRequest,
  BatchRerunPreviewRequest,
  BatchRerunRequest,
  type OperationsQuery as OperationsQueryText,
} from "../common/contract/operations.ts";
import type { HookDelivery, Repository, RepositoryWithSecret } from "../common/contract/repositories.ts";
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
import { EngineClient, readEngineEvents } from "../common/engine-client.ts";
import { AppError, InputError } from "../common/errors.ts";
import { parseInput } from "../common/validation.ts";
import { EngineError } from "./engine-error.ts";
import { UsageError } from "./exit-codes.ts";

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
        keepNewest?: { per: KeepNewestPer; count: number };
        includeProtectedBranches?: boolean;
      };
    };

/** Where bulk requests go: one pipeline, or every pipeline of a project. */
export type Scope = { project: string; pipeline: string | undefined };

export type BuildsQuery = { status?: string[]; branch?: string; limit?: number; cursor?: string };
export type OperationsQuery = {
  pipeline?: string;
  status?: OperationStatus;
  source?: string[];
  requestedBy?: string;
  mine?: boolean;
  limit?: number;
  cursor?: string;
};
/** What the event stream says about an operation while it runs. */
export type OperationProgress = { counts: OperationCounts; status: Operation["status"] };

/** Between two event streams of one operation: a stream that keeps breaking is not reopened in a loop. */
const RECONNECT_DELAY_MS = 500;

/** A kind this CLI does not know (an engine newer than the command): said, not guessed. */
function unknownKind(kind: never): never {
  throw new UsageError(`this sluice does not know operations of kind "${String(kind)}"`);
}

export class EngineApi {
  private readonly client: EngineClient;

  constructor(
    readonly url: string,
    token: string,
  ) {
    // Streams have no limit; every other answer comes within the client's default timeout.
    this.client = new EngineClient(url, { token, timeoutMs: 30_000 });
  }

  async repositories(project: string): Promise<Repository[]> {
    return (await this.call(() => this.client.call("listRepositories", { params: { project } }))).items;
  }

  repository(project: string, repository: string): Promise<Repository> {
    return this.call(() => this.client.call("getRepository", { params: { project, repository } }));
  }

  hookDeliveries(
    project: string,
    repository: string,
    query: { limit?: number; cursor?: string },
  ): Promise<Page<HookDelivery>> {
    return this.call(() =>
      this.client.call("listHookDeliveries", {
        params: { project, repository },
        query: { limit: query.limit === undefined ? undefined : String(query.limit), cursor: query.cursor },
      }),
    );
  }

  redeliverHook(project: string, repository: string, delivery: number): Promise<HookDelivery> {
    return this.call(() =>
      this.client.call("redeliverHook", { params: { project, repository, delivery: String(delivery) } }),
    );
  }

  rotateHookSecret(project: string, repository: string): Promise<RepositoryWithSecret> {
    return this.call(() => this.client.call("rotateHookSecret", { params: { project, repository } }));
  }

  async pipelines(project: string): Promise<PipelineSummary[]> {
    return (await this.call(() => this.client.call("listPipelines", { params: { project } }))).items;
  }

  builds(project: string, pipeline: string, query: BuildsQuery): Promise<Page<Build>> {
    return this.call(() =>
      this.client.call("listBuilds", {
        params: { project, pipeline },
        query: {
          status: query.status?.join(","),
          branch: query.branch,
          limit: query.limit === undefined ? undefined : String(query.limit),
          cursor: query.cursor,
        },
      }),
    );
  }

  build(id: number): Promise<BuildDetail> {
    return this.call(() => this.client.call("getBuild", { params: { id } }));
  }

  /** A build by the number people see (`#12`), or undefined when the pipeline has none. */
  async buildByNumber(project: string, pipeline: string, number: number): Promise<BuildDetail | undefined> {
    try {
      return await this.call(() => this.client.call("getBuildByNumber", { params: { project, pipeline, number } }));
    } catch (err) {
      if (err instanceof EngineError && err.code === "build_not_found") return undefined;
      throw err;
    }
  }

  preview(kind: OperationKind, scope: Scope, selection: Selection): Promise<BatchPreview> {
    const { project, pipeline } = scope;
    switch (kind) {
      case "cancel": {
        const body = parseInput(BatchPreviewRequest, selection);
        return this.call(() =>
          pipeline
            ? this.client.call("previewCancel", { params: { project, pipeline }, body })
            : this.client.call("previewProjectCancel", { params: { project }, body }),
        );
      }
      case "rerun": {
        const body = parseInput(BatchRerunPreviewRequest, selection);
        return this.call(() =>
          pipeline
            ? this.client.call("previewRerun", { params: { project, pipeline }, body })
            : this.client.call("previewProjectRerun", { params: { project }, body }),
        );
      }
      default:
        return unknownKind(kind);
    }
  }

  /** Confirms a preview: acts on the builds that matched and existed when it was taken. */
  confirm(
    kind: OperationKind,
    scope: Scope,
    request: Selection & { snapshot: string; reason?: string; force?: boolean; confirmCount?: number },
  ): Promise<Operation> {
    const { project, pipeline } = scope;
    // One key per confirmed preview, as the page sends: a retried request makes one operation.
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    switch (kind) {
      case "cancel": {
        const body = parseInput(BatchCancelRequest, request);
        return this.call(() =>
          pipeline
            ? this.client.call("batchCancel", { params: { project, pipeline }, body, headers })
            : this.client.call("batchProjectCancel", { params: { project }, body, headers }),
        );
      }
      case "rerun": {
        const { force: _force, confirmCount: _confirmCount, ...rerun } = request;
        const body = parseInput(BatchRerunRequest, rerun);
        return this.call(() =>
          pipeline
            ? this.client.call("batchRerun", { params: { project, pipeline }, body, headers })
            : this.client.call("batchProjectRerun", { params: { project }, body, headers }),
        );
      }
      default:
        return unknownKind(kind);
    }
  }

  operations(project: string, query: OperationsQuery): Promise<Page<Operation>> {
    // The command's flags as the engine's query text (checked again by the client with the contract's schema).
    const text: z.input<typeof OperationsQueryText> = {
      pipeline: query.pipeline,
      status: query.status,
      source: query.source?.join(","),
      requestedBy: query.requestedBy,
      mine: query.mine ? "1" : undefined,
      limit: query.limit === undefined ? undefined : String(query.limit),
      cursor: query.cursor,
    };
    return this.call(() => this.client.call("listOperations", { params: { project }, query: text }));
  }

  operation(id: string): Promise<Operation> {
    return this.call(() => this.client.call("getOperation", { params: { id } }));
  }

  operationItems(
    id: string,
    query: { outcome?: string; limit?: number; cursor?: string },
  ): Promise<Page<OperationItem>> {
    return this.call(() =>
      this.client.call("listOperationItems", {
        params: { id },
        query: {
          outcome: query.outcome,
          cursor: query.cursor,
          limit: query.limit === undefined ? undefined : String(query.limit),
        },
      }),
    );
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
      const body = await this.call(() =>
        this.client.stream("events", { query: { operation: op.id, after } }, { signal: abort.signal }),
      );
      const following = readEngineEvents(
        body,
        (e) => {
          after = String(e.seq);
          if (e.type !== "operation.progress" && e.type !== "operation.completed") return;
          onProgress({ counts: e.counts, status: e.status });
          if (e.status === "completed") {
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

  /** Runs one client call and turns what it throws into an EngineError (or a usage error). */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw engineErrorOf(err, this.url);
    }
  }
}

/** The engine's own code, also for codes this build of the CLI does not know (kept in `details.code`). */
function engineErrorOf(err: unknown, url: string): unknown {
  if (err instanceof InputError) return new UsageError(err.message);
  if (!(err instanceof AppError)) return err;
  if (err.code === "engine_unavailable") return new EngineError(0, "unreachable", `cannot reach the engine at ${url}`);
  const unknown = err.code === "http_error" ? (err.details as { code?: unknown } | undefined)?.code : undefined;
  return new EngineError(err.status, typeof unknown === "string" ? unknown : err.code, err.message, err.details);
}
