/**
 * Wakes waiters inside the process when something they care about changed (new outbox events,
 * work for an agent, due queue tasks). With PostgreSQL it also carries the wake-ups to other
 * engine replicas over LISTEN/NOTIFY. It carries no data: readers go back to the database.
 */
import { EventEmitter } from "node:events";
import type pg from "pg";
import type { Logger } from "../../common/logger.ts";
import type { Wakeups } from "../ports/wakeups.ts";

export class Bus implements Wakeups {
  private readonly emitter = new EventEmitter();
  private listener: pg.PoolClient | undefined;
  private readonly pending = new Set<string>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  /** `channel` separates databases that share a server (each test schema gets its own). */
  constructor(
    private readonly pool?: pg.Pool,
    private readonly channel = "sluice",
    private readonly log?: Logger,
  ) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (!this.pool) return;
    await this.listen();
  }

  /**
   * LISTEN on a dedicated connection. When it drops (the server restarts, an admin terminates
   * it), it is replaced with backoff and every subscriber is woken: notifications sent meanwhile
   * are lost, and readers go back to the database anyway.
   */
  private async listen(attempt = 0): Promise<void> {
    if (!this.pool || this.closed) return;
    try {
      const client = await this.pool.connect();
      const lost = (err?: Error) => {
        if (this.listener !== client) return;
        this.listener = undefined;
        client.release(true);
        if (this.closed) return;
        this.log?.warn("lost the LISTEN connection; reconnecting", err ? { err } : {});
        this.scheduleListen(0);
      };
      client.on("error", lost);
      client.on("end", () => lost());
      client.on("notification", (msg) => {
        for (const topic of (msg.payload ?? "").split(",")) if (topic) this.emitter.emit(topic);
      });
      await client.query(`LISTEN "${this.channel}"`);
      this.listener = client;
      if (attempt > 0) this.wakeEveryone();
    } catch (err) {
      if (this.closed) return;
      if (attempt === 0) throw err;
      this.log?.warn("LISTEN failed; retrying", { err, attempt });
      this.scheduleListen(attempt);
    }
  }

  private scheduleListen(attempt: number): void {
    clearTimeout(this.reconnectTimer);
    const delay = Math.min(5000, 100 * 2 ** attempt);
    this.reconnectTimer = setTimeout(() => void this.listen(attempt + 1), delay);
  }

  /** Every waiter looks again (after a gap in notifications). */
  private wakeEveryone(): void {
    for (const topic of this.emitter.eventNames()) this.emitter.emit(topic);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.emitter.removeAllListeners();
    if (this.listener) {
      this.listener.release(true);
      this.listener = undefined;
    }
  }

  /**
   * Wakes subscribers of `topic` on the next tick; a burst of publishes of one topic (a thousand
   * builds settling) wakes each subscriber once. Other replicas are told at the same time.
   */
  publish(topic: string): void {
    if (this.closed) return;
    if (this.pending.size === 0) setImmediate(() => this.flush());
    this.pending.add(topic);
  }

  subscribe(topic: string, listener: () => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Resolves when `topic` is published, after `ms`, or when `signal` aborts, whichever is first. */
  wait(topics: string | string[], ms: number, signal?: AbortSignal): Promise<void> {
    const list = Array.isArray(topics) ? topics : [topics];
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const t of list) this.emitter.off(t, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const t of list) this.emitter.on(t, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private flush(): void {
    const topics = [...this.pending];
    this.pending.clear();
    for (const topic of topics) this.emitter.emit(topic);
    if (!this.pool || this.closed) return;
    const payload = topics.join(",");
    this.pool.query("SELECT pg_notify($1, $2)", [this.channel, payload]).catch(() => {
      // A lost wake-up only delays other replicas until their next poll; nothing is lost.
    });
  }
}
