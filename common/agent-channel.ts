/**
 * The agent channel: how an agent and the engine talk. The in-process agent calls the engine's
 * implementation directly; a remote agent speaks the same messages over HTTP (their schemas are
 * in `contract/agents.ts`).
 */
import type {
  AgentRegistration,
  HeartbeatResult,
  JobReport,
  LogChunk,
  PollResult,
  ReportResult,
  StepReport,
  StopAck,
  Welcome,
} from "./contract/agents.ts";

export {
  AgentContainment,
  AgentRegistration,
  AgentStateBody,
  Checkout,
  HeartbeatResult,
  JobAssignment,
  JobReport,
  LogChunk,
  PollResult,
  ReportResult,
  StepReport,
  StopAck,
  StopOrder,
  Welcome,
} from "./contract/agents.ts";

/**
 * What an agent says on every contact, so the engine can reconcile: the leases it runs, and up to
 * when it has seen the engine's answers (`seenUntil`, the `now` of the last poll answer it
 * processed; 0 before the first). Every lease granted to it until then is in `leases` or over;
 * a running job of an earlier lease that is missing was dropped by the agent.
 */
export type AgentState = { agentId: string; instance: string; leases: string[]; seenUntil: number };

export interface AgentChannel {
  register(agent: AgentRegistration): Promise<Welcome>;
  /**
   * Reconciles (see `AgentState`), leases up to `freeSlots` jobs and collects stop orders; waits up
   * to `waitMs` for work or a stop.
   */
  poll(request: AgentState & { freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult>;
  /** Reconciles at once: the agent is alive, and learns which of its leases to stop. */
  heartbeat(request: AgentState): Promise<HeartbeatResult>;
  reportStep(agentId: string, report: StepReport): Promise<ReportResult>;
  reportJob(agentId: string, report: JobReport): Promise<ReportResult>;
  appendLog(agentId: string, chunks: LogChunk[]): Promise<void>;
  acknowledgeStops(agentId: string, acks: StopAck[]): Promise<void>;
}
