/** Collects output of every running step and ships it to the engine in batches. */
import type { AgentChannel, LogChunk } from "../common/agent-channel.ts";

export class LogShipper {
  private buffer: LogChunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: AgentChannel,
    private readonly agentId: () => string,
    private readonly intervalMs = 200,
  ) {}

  write(leaseId: string, stream: LogChunk["stream"], text: string): void {
    const last = this.buffer[this.buffer.length - 1];
    if (last && last.leaseId === leaseId && last.stream === stream && last.text.length < 64_000) last.text += text;
    else this.buffer.push({ leaseId, stream, text });
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Ships what is buffered; resolves when everything written so far has been sent. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunks = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (chunks.length === 0) return;
      try {
        await this.channel.appendLog(this.agentId(), chunks);
      } catch {
        // Logs are best effort: a lost chunk must not stop the build.
      }
    });
    return this.flushing;
  }
}
