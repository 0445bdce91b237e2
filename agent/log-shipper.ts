/**
 * Collects the output of every running step and ships it to the engine in batches. Bounded in
 * two ways: each job keeps at most `maxBytes` of output (the rest is counted, not kept, and the
 * engine is told how much was dropped), and while more than `highWaterBytes` wait to be sent the
 * steps' output is not read (`congested`), so a flooding step cannot grow the agent's memory.
 */
import { StringDecoder } from "node:string_decoder";
import type { AgentChannel, LogChunk } from "../common/agent-channel.ts";
import { formatBytes } from "../common/format.ts";
import { logNote } from "../common/log-notes.ts";
import { retrying } from "./retry.ts";

type LeaseLog = {
  maxBytes: number;
  kept: number;
  dropped: number;
  /** The note that output is being dropped was written. */
  noted: boolean;
  decoders: Map<string, StringDecoder>;
};

export class LogShipper {
  private buffer: LogChunk[] = [];
  private bufferedBytes = 0;
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The send waiting for the one in flight; it takes what is buffered when it starts. */
  private queued: Promise<void> | undefined;
  private readonly leases = new Map<string, LeaseLog>();
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly channel: AgentChannel,
    private readonly agentId: () => string,
    private readonly opts: {
      intervalMs?: number;
      highWaterBytes?: number;
      /** The agent is shutting down: a send is no longer retried. */
      stopped?: () => boolean;
      onDelivered?: () => void;
    } = {},
  ) {}

  /** Starts keeping a job's output, at most `maxBytes` of it. */
  open(leaseId: string, maxBytes: number): void {
    this.leases.set(leaseId, { maxBytes, kept: 0, dropped: 0, noted: false, decoders: new Map() });
  }

  /** Output of a step: kept up to the job's limit, counted beyond it. */
  output(leaseId: string, stream: "stdout" | "stderr", chunk: Buffer): void {
    const log = this.leases.get(leaseId);
    if (!log) return;
    const room = Math.max(0, log.maxBytes - log.kept);
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    log.kept += kept.length;
    log.dropped += chunk.length - kept.length;
    if (kept.length > 0) {
      let decoder = log.decoders.get(stream);
      if (!decoder) {
        decoder = new StringDecoder("utf8");
        log.decoders.set(stream, decoder);
      }
      const text = decoder.write(kept);
      if (text) this.push({ leaseId, stream, text });
    }
    if (kept.length < chunk.length && !log.noted) {
      log.noted = true;
      this.system(leaseId, logNote("outputLimitReached", formatBytes(log.maxBytes)));
    }
  }

  /** A line from the agent itself (commands, exit codes, how a job stopped); always kept. */
  system(leaseId: string, text: string): void {
    this.push({ leaseId, stream: "system", text });
  }

  /**
   * A job's steps are over: tells the engine how much output was dropped, then forgets the job
   * (later lines about it, such as how it stopped, still go out through `system`). Once per job.
   */
  close(leaseId: string): void {
    const log = this.leases.get(leaseId);
    if (!log) return;
    this.leases.delete(leaseId);
    if (log.dropped > 0) {
      this.push({
        leaseId,
        stream: "system",
        text: logNote("outputDropped", formatBytes(log.dropped), formatBytes(log.maxBytes)),
        dropped: log.dropped,
      });
    }
  }

  /** Too much output waits to be sent: stop reading steps until `drained()`. */
  get congested(): boolean {
    return this.bufferedBytes + this.inFlightBytes > (this.opts.highWaterBytes ?? 4 * 2 ** 20);
  }

  /** Resolves when output may be read again. */
  drained(): Promise<void> {
    if (!this.congested) return Promise.resolve();
    void this.flush();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Ships what is buffered; resolves when everything written so far has been sent (or given up).
   * Calls while a send is in flight share the next one: a hundred jobs ending together make one
   * or two messages, not a hundred.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued) return this.queued;
    this.queued = this.flushing.then(() => this.sendBuffered());
    this.flushing = this.queued;
    return this.queued;
  }

  /** Takes the buffer as it is when the send starts, so it includes every write before then. */
  private async sendBuffered(): Promise<void> {
    this.queued = undefined;
    const chunks = this.buffer;
    const bytes = this.bufferedBytes;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.inFlightBytes += bytes;
    try {
      if (chunks.length > 0) {
        // Retried while the engine is away; meanwhile the buffer fills and steps are read slower.
        await retrying(() => this.channel.appendLog(this.agentId(), chunks), {
          stopped: this.opts.stopped ?? (() => false),
        });
        this.opts.onDelivered?.();
      }
    } catch {
      // The engine refused the chunks (or the agent is stopping): they are lost, not the build.
    } finally {
      this.inFlightBytes -= bytes;
      this.wakeDrainWaiters();
    }
  }

  private push(chunk: LogChunk): void {
    const last = this.buffer[this.buffer.length - 1];
    const size = Buffer.byteLength(chunk.text);
    if (
      last &&
      last.leaseId === chunk.leaseId &&
      last.stream === chunk.stream &&
      !chunk.dropped &&
      last.text.length < 64_000
    ) {
      last.text += chunk.text;
    } else {
      this.buffer.push(chunk);
    }
    this.bufferedBytes += size;
    if (this.congested) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.intervalMs ?? 200);
  }

  private wakeDrainWaiters(): void {
    if (this.congested) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
