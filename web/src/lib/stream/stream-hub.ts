/**
 * The browser's one connection to `GET /api/stream`: an `EventSource` on the topics every tab
 * follows. A change of topics replaces the connection, resuming the topics that continue (the old
 * connection's last id, `?after=`); the browser resumes a dropped connection by itself
 * (`Last-Event-ID`), and when it gives up (an HTTP error closes the source) we open a new one with
 * backoff.
 */
import {
  formatPositions,
  parsePositions,
  replaysFromStart,
  STREAM_EVENT_NAMES,
  type StreamMessage,
  StreamMessage as StreamMessageSchema,
} from "@common/page-stream.ts";
import type { StreamStatus } from "./protocol.ts";

export const STREAM_URL = "/api/stream";

const FIRST_RETRY_MS = 1000;
/** Low enough that a page finds a restarted server within seconds. */
const MAX_RETRY_MS = 10_000;

export type HubListener = {
  message: (message: StreamMessage) => void;
  /** A topic that turns live after a drop (or when added) may have missed events: the tabs read again. */
  status: (status: StreamStatus) => void;
};

export class StreamHub {
  private wanted: readonly string[] = [];
  private readonly refused = new Set<string>();
  /** Topics carried now that a new subscriber wants from the start: the next connection starts them over. */
  private readonly restart = new Set<string>();
  private source: EventSource | null = null;
  /** The topics of the current connection (also while it waits to retry). */
  private topics: readonly string[] = [];
  private lastEventId = "";
  private status: StreamStatus = { connection: "connecting", live: [], refused: [] };
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly listener: HubListener) {}

  /**
   * Follows `topics` from now on; `added` are topics someone just subscribed to (a refused one is
   * tried again; a log the stream carries already is sent again from its start). Changes made in
   * one turn of the event loop make one new connection.
   */
  follow(topics: Iterable<string>, added: Iterable<string> = []): void {
    for (const topic of added) {
      this.refused.delete(topic);
      if (replaysFromStart(topic) && this.topics.includes(topic)) this.restart.add(topic);
    }
    this.wanted = [...new Set(topics)].sort();
    this.changeTimer ??= setTimeout(() => {
      this.changeTimer = undefined;
      const next = this.wanted.filter((t) => !this.refused.has(t));
      if (next.join(",") !== this.topics.join(",") || this.restart.size > 0) this.connect(next);
    }, 0);
  }

  private connect(topics: readonly string[]): void {
    this.source?.close();
    this.source = null;
    clearTimeout(this.retryTimer);
    // Only the topics that continue resume; a topic added (or added again) starts afresh.
    const continuing = new Set(topics.filter((t) => this.topics.includes(t) && !this.restart.has(t)));
    this.restart.clear();
    const positions = parsePositions(this.lastEventId) ?? new Map();
    this.lastEventId = formatPositions(new Map([...positions].filter(([topic]) => continuing.has(topic))));
    this.topics = topics;
    this.setStatus({ ...this.status, live: this.status.live.filter((t) => continuing.has(t)) });
    if (topics.length === 0) return;

    const after = this.lastEventId ? `&after=${encodeURIComponent(this.lastEventId)}` : "";
    const current = new EventSource(`${STREAM_URL}?topics=${encodeURIComponent(topics.join(","))}${after}`, {
      withCredentials: true,
    });
    this.source = current;
    for (const name of STREAM_EVENT_NAMES) {
      current.addEventListener(name, (event) => {
        if (current === this.source) this.received(name, event as MessageEvent<string>);
      });
    }
    current.onopen = () => {
      if (current !== this.source) return;
      this.retryMs = FIRST_RETRY_MS;
      this.setStatus({
        connection: "open",
        live: topics.filter((t) => !this.refused.has(t)),
        refused: [...this.refused],
      });
    };
    current.onerror = () => {
      if (current !== this.source) return;
      this.setStatus({ ...this.status, connection: "reconnecting", live: [] });
      if (current.readyState !== EventSource.CLOSED) return;
      current.close();
      this.source = null;
      this.retryTimer = setTimeout(() => this.connect(this.topics), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    };
  }

  private received(name: string, event: MessageEvent<string>): void {
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    const parsed = StreamMessageSchema.safeParse({ event: name, data: parseJson(event.data) });
    if (!parsed.success) {
      console.warn(`the stream sent a ${name} message the page does not understand`, parsed.error);
      return;
    }
    const message = parsed.data;
    if (message.event !== "refused") {
      this.listener.message(message);
      return;
    }
    for (const topic of message.data.topics) this.refused.add(topic);
    this.setStatus({
      ...this.status,
      live: this.status.live.filter((t) => !this.refused.has(t)),
      refused: [...this.refused],
    });
    this.listener.message(message);
    // The server ends a stream whose every topic it refused: it is not opened again for them.
    if (this.topics.every((t) => this.refused.has(t))) this.connect([]);
  }

  private setStatus(status: StreamStatus): void {
    this.status = status;
    this.listener.status(status);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
