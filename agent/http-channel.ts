/** The agent channel over HTTP: what a standalone agent uses to talk to a remote engine. */
import type {
  AgentChannel,
  AgentRegistration,
  JobReport,
  LogChunk,
  PollResult,
  ReportResult,
  StepReport,
  StopAck,
} from "../common/agent-channel.ts";
import { fromErrorBody } from "../common/errors.ts";

export class HttpAgentChannel implements AgentChannel {
  constructor(
    private readonly engineUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await fetch(`${this.engineUrl}/v1${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    if (res.status === 204) return undefined as T;
    const json = await res.json().catch(() => undefined);
    if (!res.ok) throw fromErrorBody(res.status, json);
    return json as T;
  }

  register(agent: AgentRegistration) {
    return this.call<{ agentId: string }>("/agents/register", agent);
  }

  async poll(r: { agentId: string; freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult> {
    try {
      return await this.call<PollResult>(
        `/agents/${r.agentId}/poll`,
        { freeSlots: r.freeSlots, waitMs: r.waitMs },
        r.signal,
      );
    } catch (err) {
      if (r.signal?.aborted) return { assignments: [], stops: [] };
      throw err;
    }
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
