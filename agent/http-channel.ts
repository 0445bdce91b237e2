/**
 * The agent channel over HTTP: what a standalone agent uses to talk to remote engines. It knows
 * several engine URLs (replicas sharing one database) and moves to the next one when the current
 * one does not answer; every request has a timeout, so a partition is noticed rather than waited on.
 */
import type {
  AgentChannel,
  AgentRegistration,
  AgentState,
  JobReport,
  LogChunk,
  PollResult,
  StepReport,
  StopAck,
} from "../common/agent-channel.ts";
import type { RouteName } from "../common/contract/routes.ts";
import { type CallInput, type CallOutput, EngineClient } from "../common/engine-client.ts";
import { isTransient } from "./retry.ts";

const REQUEST_TIMEOUT_MS = 15_000;

export class HttpAgentChannel implements AgentChannel {
  private current = 0;
  private readonly engines: EngineClient[];
  /** Aborted at each failover: calls still waiting on the engine left behind move at once. */
  private moved = new AbortController();

  constructor(
    engineUrls: string | readonly string[],
    token: string,
    private readonly onFailover?: (from: string, to: string) => void,
  ) {
    const urls = typeof engineUrls === "string" ? [engineUrls] : [...engineUrls];
    if (urls.length === 0) throw new Error("An agent needs at least one engine URL");
    this.engines = urls.map((url) => new EngineClient(url, { token, timeoutMs: REQUEST_TIMEOUT_MS }));
  }

  /** The engine in use now. */
  get engineUrl(): string {
    return this.engine.baseUrl;
  }

  private get engine(): EngineClient {
    return this.engines[this.current] as EngineClient;
  }

  /**
   * One call; when the engine does not answer (or answers 5xx) the next engine is tried once each
   * before the error goes back to the caller, which retries with backoff. A call waiting on an
   * engine another call already left (a long poll into a partition) moves with it.
   */
  private async call<N extends RouteName>(
    name: N,
    input: CallInput<N>,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<CallOutput<N>> {
    let lastError: unknown;
    for (let tried = 0; tried < this.engines.length; tried++) {
      const engine = this.engine;
      const moved = this.moved.signal;
      try {
        return await engine.call(name, input, {
          ...opts,
          signal: opts.signal ? AbortSignal.any([opts.signal, moved]) : moved,
        });
      } catch (err) {
        if (opts.signal?.aborted || !isTransient(err)) throw err;
        lastError = err;
        if (!moved.aborted) this.failover(engine);
      }
    }
    throw lastError;
  }

  private failover(from: EngineClient): void {
    if (this.engines.length < 2 || this.engine !== from) return;
    this.current = (this.current + 1) % this.engines.length;
    this.moved.abort();
    this.moved = new AbortController();
    this.onFailover?.(from.baseUrl, this.engineUrl);
  }

  register(agent: AgentRegistration) {
    return this.call("registerAgent", { body: agent });
  }

  async poll(r: AgentState & { freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult> {
    const { signal, agentId, ...body } = r;
    try {
      return await this.call(
        "pollAgent",
        { params: { id: agentId }, body },
        { ...(signal ? { signal } : {}), timeoutMs: r.waitMs + REQUEST_TIMEOUT_MS },
      );
    } catch (err) {
      if (signal?.aborted) return { assignments: [], stops: [], now: 0 };
      throw err;
    }
  }

  heartbeat(state: AgentState) {
    const { agentId, ...body } = state;
    return this.call("heartbeatAgent", { params: { id: agentId }, body });
  }

  reportStep(agentId: string, report: StepReport) {
    return this.call("reportStep", { params: { id: agentId }, body: report });
  }

  reportJob(agentId: string, report: JobReport) {
    return this.call("reportJob", { params: { id: agentId }, body: report });
  }

  async appendLog(agentId: string, chunks: LogChunk[]) {
    await this.call("appendLog", { params: { id: agentId }, body: { chunks } });
  }

  async acknowledgeStops(agentId: string, acks: StopAck[]) {
    await this.call("acknowledgeStops", { params: { id: agentId }, body: { acks } });
  }
}
