/**
 * Stop acknowledgements, batched: every stop that finishes in the same moment goes to the engine
 * in one message, retried while the engine is unreachable (it may be restarting).
 */
import type { AgentChannel, StopAck } from "../common/agent-channel.ts";

/** About a minute of retries: an engine restart, not an engine gone for good. */
const ATTEMPTS = 16;

export class StopAcks {
  private pending: StopAck[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly channel: AgentChannel,
    private readonly agentId: () => string,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  add(ack: StopAck): void {
    this.pending.push(ack);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  /** Waits for what is being sent (the agent is stopping). */
  async settle(): Promise<void> {
    this.closed = true;
    if (this.pending.length > 0) this.send();
    await Promise.all(this.inFlight);
  }

  private send(): void {
    this.scheduled = false;
    const acks = this.pending;
    this.pending = [];
    if (acks.length === 0) return;
    const sending = this.deliver(acks).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  private async deliver(acks: StopAck[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.channel.acknowledgeStops(this.agentId(), acks);
        return;
      } catch (err) {
        if (this.closed || attempt >= ATTEMPTS) {
          // The engine's stop deadline covers an acknowledgement that never arrives.
          this.log("stop acknowledgement failed", { leases: acks.length, err: String(err) });
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }
}
