/**
 * Stop acknowledgements, batched: every stop that finishes in the same moment goes to the engine
 * in one message, retried while the engine is unreachable (it may be restarting or failing over).
 */
import type { AgentChannel, StopAck } from "../common/agent-channel.ts";
import { retrying } from "./retry.ts";

export class StopAcks {
  private pending: StopAck[] = [];
  /** Leases stopped but not yet acknowledged: still reported to the engine, so it waits for the ack. */
  private readonly unacknowledged = new Set<string>();
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly channel: AgentChannel,
    private readonly agentId: () => string,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
    private readonly opts: { stopped: () => boolean; onDelivered: () => void },
  ) {}

  /** Leases whose acknowledgement is on its way. */
  get leases(): string[] {
    return [...this.unacknowledged];
  }

  add(ack: StopAck): void {
    this.pending.push(ack);
    this.unacknowledged.add(ack.leaseId);
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

  /** Retried while the engine is away; the engine's stop deadline covers one that never arrives. */
  private async deliver(acks: StopAck[]): Promise<void> {
    try {
      await retrying(() => this.channel.acknowledgeStops(this.agentId(), acks), {
        stopped: () => this.closed || this.opts.stopped(),
      });
      this.opts.onDelivered();
    } catch (err) {
      this.log("stop acknowledgement failed", { leases: acks.length, err });
    } finally {
      for (const ack of acks) this.unacknowledged.delete(ack.leaseId);
    }
  }
}
