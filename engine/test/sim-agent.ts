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
  private readonly stopped = new Set<string>();
  readonly instance = `sim-${Math.random().toString(36).slice(2)}`;
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
    await this.channel.register({ name: this.name, slots: this.opts.slots, instance: this.instance });
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
          instance: this.instance,
          leases: [...this.leases.keys()],
          // A simulator also holds seeded leases it never saw granted: it claims to have seen no
          // answer yet, so the engine never takes its silence about a lease as a drop.
          seenUntil: 0,
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

  private async answer(orders: StopOrder[]): Promise<void> {
    // The engine repeats a stop while the lease is still reported; each counts once here.
    const stops = orders.filter((o) => !this.stopped.has(o.leaseId));
    for (const s of stops) this.stopped.add(s.leaseId);
    this.stopsReceived.push(...stops);
    if (this.stopMode === "ignore" || stops.length === 0) return;
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
