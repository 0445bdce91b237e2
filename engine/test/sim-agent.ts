/**
 * A simulated agent for tests and benchmarks: it speaks the real agent channel but runs no
 * processes. It holds the leases it is given, finishes them on demand, and answers stop orders
 * as told (acknowledge at once, never, or report a failure).
 */
import type { AgentChannel, JobAssignment, StopOrder } from "../../common/agent-channel.ts";

export type StopMode = "ack" | "ignore" | "fail";

export class SimAgent {
  readonly leases = new Map<string, JobAssignment>();
  readonly stopsReceived: StopOrder[] = [];
  private readonly abort = new AbortController();
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;
  stopMode: StopMode;

  constructor(
    private readonly channel: AgentChannel,
    readonly name: string,
    private readonly opts: { slots: number; stopMode?: StopMode; waitMs?: number },
  ) {
    this.stopMode = opts.stopMode ?? "ack";
  }

  async start(): Promise<this> {
    await this.channel.register({ name: this.name, slots: this.opts.slots });
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        this.poll = new AbortController();
        const { assignments, stops } = await this.channel.poll({
          agentId: this.name,
          freeSlots: Math.max(0, this.opts.slots - this.leases.size),
          waitMs: this.opts.waitMs ?? 1000,
          signal: AbortSignal.any([this.abort.signal, this.poll.signal]),
        });
        for (const a of assignments) this.leases.set(a.leaseId, a);
        if (stops.length > 0) await this.answer(stops);
      } catch {
        if (this.abort.signal.aborted) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private async answer(stops: StopOrder[]): Promise<void> {
    this.stopsReceived.push(...stops);
    if (this.stopMode === "ignore") return;
    for (const s of stops) this.leases.delete(s.leaseId);
    this.poll?.abort();
    const error = this.stopMode === "fail" ? "processes survived SIGKILL" : undefined;
    await this.channel.acknowledgeStops(
      this.name,
      stops.map((s) => (error ? { leaseId: s.leaseId, error } : { leaseId: s.leaseId })),
    );
  }

  /** Reports a job finished, as a real agent would when its last step exits. */
  async finish(leaseId: string, status: "SUCCEEDED" | "FAILED" = "SUCCEEDED") {
    this.leases.delete(leaseId);
    const result = await this.channel.reportJob(this.name, { leaseId, status });
    // A slot is free: ask for work now, as a real agent does.
    this.poll?.abort();
    return result;
  }
}
