/**
 * The page's one event stream (`GET /api/stream?topics=…`, see common/page-stream.ts): everything
 * a browser shows live — its pages' builds, its toasts' operations, the operations centre — on one
 * connection. Browsers allow six connections per host over HTTP/1.1; one stream per toast and per
 * tab used them all up and froze the page.
 *
 * Each topic is checked as the signed-in user before the stream starts: one the user may not read
 * is `refused` and the others go on. The topics of one project share one engine stream of that
 * project, opened as the user (so the engine decides what it carries, and a revoked session or a
 * lost membership ends it); while a reconnect adds a topic there are two, the resumed topics
 * catching up and the new one starting from now. Build changes are coalesced per pipeline. When
 * any engine stream ends, the browser's stream ends too, and its reconnect checks every topic again.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Request, Response } from "express";
import type { LogPage } from "../../common/contract/builds.ts";
import type { Operation } from "../../common/dto.ts";
import type { EngineClient } from "../../common/engine-client.ts";
import { AppError, InputError } from "../../common/errors.ts";
import type { EngineEvent, OperationEvent } from "../../common/events.ts";
import {
  formatPositions,
  parsePositions,
  type StreamData,
  type StreamEventName,
  StreamQuery,
  type StreamTopic,
} from "../../common/page-stream.ts";
import type { StreamSlots } from "../../common/stream-slots.ts";
import { parseInput } from "../../common/validation.ts";
import { type Batch, Coalescer, toBuildChange } from "./coalesce.ts";
import { openEngineEvents } from "./engine-events.ts";
import { browserStream, closedSignal, follow, withStreamPlace } from "./streams.ts";

/** A topic the user may read, the project its events come from, and where it resumes (none: from now). */
type Topic = { key: string; topic: StreamTopic; project: string; after: number | undefined };
type Refusal = { key: string; error: { code: string; message: string } };

type Send = <K extends StreamEventName>(event: K, data: StreamData[K]) => Promise<void>;

const BUILD_TYPES = ["build.created", "build.status_changed"];
const OPERATION_TYPES = ["operation.progress", "operation.completed", "operation.stuck"];

export async function pageStream(engine: EngineClient, slots: StreamSlots, req: Request, res: Response) {
  const query = parseInput(StreamQuery, req.query);
  const resume = resumePositions(req, query.after);
  await withStreamPlace(engine, slots, async () => {
    const operations = new OperationCache(engine);
    const checked = await Promise.all(
      query.topics.map(({ key, topic }) => checkTopic(engine, operations, key, topic, resume.get(key))),
    );
    const refused = checked.filter((c): c is Refusal => "error" in c);
    const feeds = feedsFor(
      engine,
      checked.filter((c): c is Topic => !("error" in c)),
      operations,
    );
    if (!(await openAll(engine, feeds, closedSignal(res)))) return;

    const sse = browserStream(res);
    await sse.send(refused.map(({ key, error }) => ({ event: "refused", data: { topics: [key], error } })));
    const send: Send = (event, data) => {
      const positions = new Map<string, number>();
      for (const feed of feeds) feed.positionsInto(positions);
      return sse.send({ event, data, id: formatPositions(positions) });
    };
    // The first feed to lose its source (revocation, the engine stopping) ends them all; a log
    // that has said everything just stops, and the stream stays until the page lets its topic go.
    // A stream whose every topic was refused ends at once.
    const lost = new AbortController();
    const signal = AbortSignal.any([sse.signal, lost.signal]);
    await Promise.all(
      feeds.map(async (feed) => {
        if ((await feed.run(req, signal, send)) === "lost") lost.abort();
      }),
    );
    if (feeds.length > 0 && !signal.aborted) {
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    }
    sse.end();
  });
}

/** Where each topic resumes: `Last-Event-ID` (a browser's reconnect), else `?after=` (a replaced connection's last id). */
function resumePositions(req: Request, after: string | undefined): Map<string, number> {
  const id = req.get("Last-Event-ID") ?? after ?? "";
  const positions = parsePositions(id);
  if (!positions) {
    throw new InputError("Last-Event-ID must be the id of a message this stream sent", undefined, "invalid_event_id");
  }
  return positions;
}

/** Whether the user may read the topic (as the engine answers), and which project its events come from. */
async function checkTopic(
  engine: EngineClient,
  operations: OperationCache,
  key: string,
  topic: StreamTopic,
  after: number | undefined,
): Promise<Topic | Refusal> {
  try {
    return { key, topic, project: await projectOf(engine, operations, topic), after };
  } catch (err) {
    // Not readable, or not there: this topic is refused, the others go on. Anything else (the
    // engine down, too many streams, no session) refuses the whole stream.
    if (err instanceof AppError && (err.status === 404 || err.status === 403)) {
      return { key, error: { code: err.code, message: err.message } };
    }
    throw err;
  }
}

async function projectOf(engine: EngineClient, operations: OperationCache, topic: StreamTopic): Promise<string> {
  switch (topic.kind) {
    case "pipeline":
      await engine.call("getPipeline", { params: { project: topic.project, pipeline: topic.pipeline } });
      return topic.project;
    case "project":
    case "operations":
      await engine.call("getProject", { params: { project: topic.project } });
      return topic.project;
    case "operation":
      return (await operations.load(topic.id)).project;
    case "log":
      return (await engine.call("getBuild", { params: { id: topic.build } })).project;
    default: {
      const unknown: never = topic;
      throw new Error(`unknown topic ${JSON.stringify(unknown)}`);
    }
  }
}

/** What feeds a stream: an engine event stream, or a build's log. */
type Feed = {
  /** Opens its source before the browser's stream starts, so that a refusal is a plain JSON error. */
  open: (engine: EngineClient, signal: AbortSignal) => Promise<void>;
  /** Where its topics have got to. */
  positionsInto: (positions: Map<string, number>) => void;
  /** Feeds its topics until it has said everything (`finished`) or its source is gone (`lost`). */
  run: (req: Request, signal: AbortSignal, send: Send) => Promise<"finished" | "lost">;
};

/**
 * The engine streams the topics need: per project, one for the topics that resume and one for
 * those that start from now; and a new operation's topic from its first event, since a toast
 * subscribes only after the operation was accepted, and it may even have completed by then. A
 * build's log is read on its own.
 */
function feedsFor(engine: EngineClient, topics: Topic[], operations: OperationCache): Feed[] {
  const groups = new Map<string, { source: FeedSource; after: number | undefined; topics: Topic[] }>();
  const logs: Feed[] = [];
  for (const topic of topics) {
    if (topic.topic.kind === "log") {
      logs.push(new LogFeed(engine, topic.key, topic.topic.build, topic.after ?? 0));
      continue;
    }
    const fresh = topic.after === undefined;
    const [name, source, after] =
      fresh && topic.topic.kind === "operation"
        ? [`operation ${topic.topic.id}`, { operation: topic.topic.id }, 0]
        : fresh
          ? [`${topic.project} new`, { project: topic.project }, undefined]
          : [`${topic.project} resumed`, { project: topic.project }, topic.after];
    const group = groups.get(name) ?? { source, after, topics: [] };
    group.topics.push(topic);
    if (after !== undefined && group.after !== undefined) group.after = Math.min(group.after, after);
    groups.set(name, group);
  }
  return [...[...groups.values()].map((g) => new EventFeed(g.source, g.after, g.topics, operations)), ...logs];
}

/**
 * Opens every feed's engine stream before the browser's starts, so that a refusal is a plain JSON
 * error. False when the browser left meanwhile (a page closed or moved on): nothing to answer, and
 * nothing went wrong.
 */
async function openAll(engine: EngineClient, feeds: Feed[], closed: AbortSignal): Promise<boolean> {
  const failed = new AbortController();
  const signal = AbortSignal.any([closed, failed.signal]);
  try {
    await Promise.all(feeds.map((feed) => feed.open(engine, signal)));
    return !closed.aborted;
  } catch (err) {
    failed.abort();
    if (closed.aborted) return false;
    throw err;
  }
}

/** The engine's events of one project, or of one operation. */
type FeedSource = { project: string } | { operation: string };

/** Some topics of one project, fed by one engine stream. */
class EventFeed implements Feed {
  private readonly project: string;
  private body: ReadableStream<Uint8Array> | undefined;
  /** Every event of the stream up to here has been sent, or was not wanted (the topics' position). */
  private handled: number | undefined;
  private processed: number | undefined;
  /** Operations whose completion was sent: anything the engine sent after it is old news. */
  private readonly completed = new Set<string>();
  private readonly coalescer = new Coalescer((batch) => this.flushed(batch));
  private send: Send = async () => {};

  constructor(
    private readonly source: FeedSource,
    /** Where the engine stream starts: the earliest of the topics' positions; none: from now. */
    private readonly after: number | undefined,
    private readonly topics: Topic[],
    private readonly operations: OperationCache,
  ) {
    this.project = (topics[0] as Topic).project;
  }

  async open(engine: EngineClient, signal: AbortSignal): Promise<void> {
    const kinds = new Set(this.topics.map((t) => t.topic.kind));
    const builds = kinds.has("pipeline") || kinds.has("project");
    const operations = kinds.has("pipeline") || kinds.has("operations") || kinds.has("operation");
    const types = [...(builds ? BUILD_TYPES : []), ...(operations ? OPERATION_TYPES : [])].join(",");
    this.body = await openEngineEvents(engine, { ...this.source, types }, { after: this.after, signal });
  }

  positionsInto(positions: Map<string, number>): void {
    for (const t of this.topics) {
      const position = this.handled ?? t.after;
      if (position !== undefined) positions.set(t.key, position);
    }
  }

  async run(req: Request, signal: AbortSignal, send: Send): Promise<"lost"> {
    this.send = send;
    if (this.body) await follow(req, this.body, signal, (e) => this.onEvent(e));
    this.coalescer.flush();
    this.coalescer.stop();
    return "lost";
  }

  private async onEvent(e: EngineEvent): Promise<void> {
    if (e.type === "build.created" || e.type === "build.status_changed") {
      if (this.wanting(e.seq, (t) => this.carriesBuildsOf(t, e.pipeline)).length > 0) {
        this.coalescer.add(e.pipeline, toBuildChange(e), e.seq);
      }
    } else if (e.type === "operation.progress" || e.type === "operation.completed" || e.type === "operation.stuck") {
      const topics = this.wanting(e.seq, (t) => carriesOperation(t, e));
      if (topics.length > 0 && !this.completed.has(e.operationId)) {
        // What was gathered goes first, so the browser sees the changes in order.
        this.coalescer.flush();
        const operation = await this.operations.merge(e);
        this.done(e.seq);
        if (!operation) return;
        if (operation.status === "completed") this.completed.add(operation.id);
        await this.send("operation", { topics, operation });
        return;
      }
    }
    this.done(e.seq);
  }

  /** The keys of the topics that want an event: `carries` it, and had not had it before a reconnect. */
  private wanting(seq: number, carries: (t: Topic) => boolean): string[] {
    return this.topics.filter((t) => carries(t) && (t.after === undefined || seq > t.after)).map((t) => t.key);
  }

  private carriesBuildsOf(t: Topic, pipeline: string): boolean {
    return t.topic.kind === "project" || (t.topic.kind === "pipeline" && t.topic.pipeline === pipeline);
  }

  private done(seq: number): void {
    this.processed = seq;
    if (this.coalescer.empty) this.handled = seq;
  }

  private flushed(batch: Batch): void {
    this.handled = this.processed;
    for (const [pipeline, changes] of batch.byPipeline) {
      const topics = this.topics.filter((t) => this.carriesBuildsOf(t, pipeline)).map((t) => t.key);
      void this.send("builds", { topics, project: this.project, pipeline, changes: [...changes.values()] });
    }
  }
}

function carriesOperation(t: Topic, e: OperationEvent): boolean {
  switch (t.topic.kind) {
    case "operation":
      return t.topic.id === e.operationId;
    case "operations":
      return true;
    case "pipeline":
      return e.pipeline === t.topic.pipeline;
    case "project":
    case "log":
      return false;
    default: {
      const unknown: never = t.topic;
      throw new Error(`unknown topic ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A build's log from a chunk on (0: from its start), live while the build runs. The engine keeps
 * no events for log lines, so the log is read again every `pollMs` while nothing new came. A
 * build can end before its agent has said everything (a forced cancel finalizes it at once, and
 * the agent's stop lines follow): the log ends only once the build has ended and no line came for
 * `settleMs`.
 */
class LogFeed implements Feed {
  constructor(
    private readonly engine: EngineClient,
    private readonly key: string,
    private readonly build: number,
    private position: number,
    private readonly pollMs = 500,
    private readonly settleMs = 2000,
  ) {}

  async open(): Promise<void> {}

  positionsInto(positions: Map<string, number>): void {
    positions.set(this.key, this.position);
  }

  async run(req: Request, signal: AbortSignal, send: Send): Promise<"finished" | "lost"> {
    let quietSince: number | undefined;
    while (!signal.aborted) {
      let page: LogPage;
      try {
        page = await this.engine.call("getBuildLog", {
          params: { id: this.build },
          query: { format: "json", after: this.position > 0 ? String(this.position) : undefined },
        });
      } catch (err) {
        // The build or the right to read it went, or the engine did: the browser reconnects.
        if (!signal.aborted) req.log?.warn({ err }, "a build's log could not be read");
        return "lost";
      }
      if (page.active || page.chunks.length > 0) quietSince = undefined;
      else quietSince ??= Date.now();
      const ended = quietSince !== undefined && Date.now() - quietSince >= this.settleMs;
      if (page.chunks.length > 0 || ended) {
        this.position = page.next;
        await send("log", { topics: [this.key], build: this.build, chunks: page.chunks, ended });
      }
      if (ended) return "finished";
      if (page.chunks.length === 0) await sleep(this.pollMs, undefined, { signal }).catch(() => {});
    }
    return "finished";
  }
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

  /**
   * The operation after an event. Its stuck builds come from no event but `operation.stuck`: it
   * and every event after it, until none is stuck, read the operation again for the count.
   */
  async merge(e: OperationEvent): Promise<Operation | undefined> {
    const base = await this.load(e.operationId).catch(() => undefined);
    if (!base) return undefined;
    const stuck = e.status === "completed" ? 0 : await this.stuckNow(e, base);
    const operation: Operation = {
      ...base,
      status: e.status,
      counts: e.counts,
      completedAt: e.status === "completed" ? (base.completedAt ?? e.at) : null,
      ...(stuck === undefined ? {} : { stuck }),
    };
    this.known.set(e.operationId, operation);
    return operation;
  }

  private async stuckNow(e: OperationEvent, base: Operation): Promise<number | undefined> {
    if (e.type !== "operation.stuck" && !base.stuck) return base.stuck;
    const fresh = await this.engine.call("getOperation", { params: { id: e.operationId } }).catch(() => undefined);
    return fresh?.stuck ?? (e.type === "operation.stuck" ? e.stuck : base.stuck);
  }
}
