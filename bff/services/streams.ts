/**
 * The page's live streams, on top of the engine's event stream as the signed-in user (so the
 * engine decides what they may see, and a revoked session or a lost membership ends the
 * stream). The engine's stream is opened, and the user's place among their open streams taken,
 * before the browser's stream starts: a refusal is a plain JSON error.
 */
import type { Request, Response } from "express";
import type { BuildsStreamData, LogChunkData, OperationStreamData } from "../../common/bff-api.ts";
import type { Operation } from "../../common/dto.ts";
import { type EngineClient, readEngineEvents } from "../../common/engine-client.ts";
import type { EngineEvent, OperationEvent } from "../../common/events.ts";
import { openSse, resumeId, type SseWriter } from "../../common/sse.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";
import { Coalescer, toBuildChange } from "./coalesce.ts";
import { openEngineEvents } from "./engine-events.ts";

const BUILD_TYPES = "build.created,build.status_changed,operation.progress,operation.completed";

/**
 * Build changes of a pipeline (or of a whole project) as coalesced `builds` messages, and the
 * pipeline's operations as `operation` messages.
 */
export async function buildsStream(
  engine: EngineClient,
  slots: StreamSlots,
  req: Request,
  res: Response,
  scope: { project: string; pipeline?: string },
): Promise<void> {
  const query = { project: scope.project, ...(scope.pipeline ? { pipeline: scope.pipeline } : {}), types: BUILD_TYPES };
  await withStreamPlace(engine, slots, () => pipelineStream(engine, req, res, query));
}

async function pipelineStream(
  engine: EngineClient,
  req: Request,
  res: Response,
  query: { project: string; pipeline?: string; types: string },
) {
  const body = await openEngineEvents(engine, query, { after: resumeId(req), signal: closedSignal(res) });
  const sse = browserStream(res);
  const coalescer = new Coalescer((batch) => {
    for (const [pipeline, changes] of batch.byPipeline) {
      const data: BuildsStreamData = { pipeline, changes: [...changes.values()] };
      void sse.send({ event: "builds", data, id: batch.seq });
    }
  });
  const operations = new OperationCache(engine);
  await follow(req, body, sse, async (e) => {
    if (e.type === "build.created" || e.type === "build.status_changed") {
      coalescer.add(e.pipeline, toBuildChange(e), e.seq);
      return;
    }
    if (e.type === "operation.progress" || e.type === "operation.completed") {
      coalescer.flush();
      const operation = await operations.merge(e);
      if (operation)
        await sse.send({ event: "operation", data: { operation } satisfies OperationStreamData, id: e.seq });
    }
  });
  coalescer.flush();
  coalescer.stop();
  sse.end();
}

/** Every operation of a project as it starts and progresses: `operation` messages (the operations centre). */
export async function operationsStream(
  engine: EngineClient,
  slots: StreamSlots,
  req: Request,
  res: Response,
  project: string,
): Promise<void> {
  await withStreamPlace(engine, slots, async () => {
    const query = { project, types: "operation.progress,operation.completed" };
    const body = await openEngineEvents(engine, query, { after: resumeId(req), signal: closedSignal(res) });
    const sse = browserStream(res);
    const operations = new OperationCache(engine);
    await follow(req, body, sse, async (e) => {
      if (e.type !== "operation.progress" && e.type !== "operation.completed") return;
      const operation = await operations.merge(e);
      if (operation)
        await sse.send({ event: "operation", data: { operation } satisfies OperationStreamData, id: e.seq });
    });
    sse.end();
  });
}

/** One operation's progress: `progress` messages, then `completed`, then the end. */
export async function operationStream(
  engine: EngineClient,
  slots: StreamSlots,
  req: Request,
  res: Response,
  id: string,
): Promise<void> {
  await withStreamPlace(engine, slots, async () => {
    const operations = new OperationCache(engine);
    await operations.load(id);
    const body = await openEngineEvents(
      engine,
      { operation: id, types: "operation.progress,operation.completed" },
      { after: resumeId(req) ?? 0, signal: closedSignal(res) },
    );
    const sse = browserStream(res);
    const done = new AbortController();
    await follow(
      req,
      body,
      sse,
      async (e) => {
        // Events read together with the one that completed it are already queued: the stream
        // ends at the first `completed` however the engine's events were batched.
        if (done.signal.aborted) return;
        if (e.type !== "operation.progress" && e.type !== "operation.completed") return;
        const operation = await operations.merge(e);
        if (!operation) return;
        await sse.send({
          event: operation.status === "completed" ? "completed" : "progress",
          data: { operation } satisfies OperationStreamData,
          id: e.seq,
        });
        if (operation.status === "completed") done.abort();
      },
      done.signal,
    );
    sse.end();
  });
}

/** Holds one of the user's places among their open streams while `stream` runs (429 when none is left). */
async function withStreamPlace(engine: EngineClient, slots: StreamSlots, stream: () => Promise<void>): Promise<void> {
  const { username } = await engine.call("me", {});
  const release = slots.take(username);
  try {
    await stream();
  } finally {
    release();
  }
}

/** The browser's stream, ended when the BFF shuts down (`app.locals.shutdown`). */
function browserStream(res: Response): SseWriter {
  return openSse(res, { heartbeatMs: 15_000, shutdown: res.app.locals.shutdown as AbortSignal | undefined });
}

/** Aborts when the browser goes away, also before its stream has started. */
function closedSignal(res: Response): AbortSignal {
  const closed = new AbortController();
  res.once("close", () => closed.abort());
  return closed.signal;
}

/** Runs the engine stream into the browser stream until either ends. */
async function follow(
  req: Request,
  body: ReadableStream<Uint8Array>,
  sse: SseWriter,
  onEvent: (e: EngineEvent) => Promise<void>,
  until?: AbortSignal,
): Promise<void> {
  const signal = until ? AbortSignal.any([sse.signal, until]) : sse.signal;
  let chain = Promise.resolve();
  try {
    await readEngineEvents(
      body,
      (e) => {
        chain = chain.then(() => onEvent(e));
      },
      signal,
    );
  } catch (err) {
    // The engine went away mid-stream, or sent an event the contract does not allow: the browser
    // reconnects (and is told why then); the log says which.
    if (!signal.aborted) req.log?.warn({ err }, "the engine's event stream broke");
  }
  await chain.catch(() => {});
}

/** Operations as the page shows them: fetched once, then kept current from the events. */
class OperationCache {
  private readonly known = new Map<string, Operation>();

  constructor(private readonly engine: EngineClient) {}

  async load(id: string): Promise<Operation> {
    const cached = this.known.get(id);
    if (cached) return cached;
    const operation = await this.engine.call("getOperation", { params: { id } });
    this.known.set(id, operation);
    return operation;
  }

  async merge(e: OperationEvent): Promise<Operation | undefined> {
    const base = await this.load(e.operationId).catch(() => undefined);
    if (!base) return undefined;
    const operation: Operation = {
      ...base,
      status: e.status,
      counts: e.counts,
      completedAt: e.status === "completed" ? (base.completedAt ?? e.at) : null,
    };
    this.known.set(e.operationId, operation);
    return operation;
  }
}

/** A build's log: every chunk from the start (or after Last-Event-ID), live while it runs, then `end`. */
export async function logStream(
  engine: EngineClient,
  slots: StreamSlots,
  req: Request,
  res: Response,
  buildId: number,
  pollMs = 500,
): Promise<void> {
  await withStreamPlace(engine, slots, () => followLog(engine, req, res, buildId, pollMs));
}

async function followLog(engine: EngineClient, req: Request, res: Response, buildId: number, pollMs: number) {
  let after = resumeId(req) ?? 0;
  let page = await logPage(engine, buildId, after);
  const sse = browserStream(res);
  while (!sse.signal.aborted) {
    await sse.send(page.chunks.map((c) => ({ event: "chunk", data: c satisfies LogChunkData, id: c.id })));
    after = page.next;
    if (!page.active && page.chunks.length === 0) break;
    if (page.chunks.length === 0) await new Promise((r) => setTimeout(r, pollMs));
    try {
      page = await logPage(engine, buildId, after);
    } catch {
      break;
    }
  }
  await sse.send({ event: "end", data: {} });
  sse.end();
}

function logPage(engine: EngineClient, id: number, after: number) {
  return engine.call("getBuildLog", {
    params: { id },
    query: { format: "json", after: after > 0 ? String(after) : undefined },
  });
}
