/**
 * The agent channel over HTTP: what a standalone agent uses to talk to remote engines. It knows
 * several engine URLs (replicas sharing one database) and moves to the next one when the current
 * one does not answer; every request has a timeout, so a partition is noticed rather than waited on.
 */
import type {
  AgentChannel,
  AgentRegistration,
  AgentState,
  HeartbeatResult,
  JobReport,
  LogChunk,
  PollResult,
  ReportResult,
  StepReport,
  StopAck,
  Welcome,
} from "../common/agent-channel.ts";
import { fromErrorBody } from "../common/errors.ts";
import { isTransient } from "./retry.ts";

const REQUEST_TIMEOUT_MS = 15_000;

export class HttpAgentChannel implements AgentChannel {
  private current = 0;
  private readonly urls: string[];

  constructor(
    engineUrls: string | readonly string[],
    private readonly token: string,
    private readonly onFailover?: (from: string, to: string) => void,
  ) {
    this.urls = (typeof engineUrls === "string" ? [engineUrls] : [...engineUrls]).map((u) => u.replace(/\/$/, ""));
    if (this.urls.length === 0) throw new Error("An agent needs at least one engine URL");
  }

  /** The engine in use now. */
  get engineUrl(): string {
    return this.urls[this.current] as string;
  }

  /**
   * One call; when the engine does not answer (or answers 5xx) the next engine is tried once each
   * before the error goes back to the caller, which retries with backoff.
   */
  private async call<T>(
    path: string,
    body: unknown,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    let lastError: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      const url = this.engineUrl;
      try {
        return await this.callOne<T>(url, path, body, opts);
      } catch (err) {
        if (opts.signal?.aborted || !isTransient(err)) throw err;
        lastError = err;
        this.failover(url);
      }
    }
    throw lastError;
  }

  private async callOne<T>(
    url: string,
    path: string,
    body: unknown,
    opts: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<T> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
    const res = await fetch(`${url}/v1${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
    });
    if (res.status === 204) return undefined as T;
    const json = await res.json().catch(() => undefined);
    if (!res.ok) throw fromErrorBody(res.status, json);
    return json as T;
  }

  private failover(from: string): void {
    if (this.urls.length < 2 || this.engineUrl !== from) return;
    this.current = (this.current + 1) % this.urls.length;
    this.onFailover?.(from, this.engineUrl);
  }

  register(agent: AgentRegistration) {
    return this.call<Welcome>("/agents/register", agent);
  }

  async poll(r: AgentState & { freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult> {
    const { signal, agentId, ...body } = r;
    try {
      return await this.call<PollResult>(`/agents/${agentId}/poll`, body, {
        ...(signal ? { signal } : {}),
        timeoutMs: r.waitMs + REQUEST_TIMEOUT_MS,
      });
    } catch (err) {
      if (signal?.aborted) return { assignments: [], stops: [], now: 0 };
      throw err;
    }
  }

  heartbeat(state: AgentState) {
    const { agentId, ...body } = state;
    return this.call<HeartbeatResult>(`/agents/${agentId}/heartbeat`, body);
  }

  reportStep(agentId: string, report: StepReport) {
    return this.call<ReportResult>(`/agents/${agentId}/steps`, report);
  }

  reportJob(agentId: string, report: JobReport) {
    return this.call<ReportResult>(`/agents/${agentId}/jobs`, report);
  }

  appendLog(agentId: string, chunks: LogChunk[]) {
    return this.call<void>(`/agents/${agentId}/logs`, { chunks });
  }

  acknowledgeStops(agentId: string, acks: StopAck[]) {
    return this.call<void>(`/agents/${agentId}/stops/ack`, { acks });
  }
}
