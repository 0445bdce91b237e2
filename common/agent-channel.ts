/**
 * The agent channel: how an agent and the engine talk. The in-process agent calls the engine's
 * implementation directly; a remote agent speaks the same messages over HTTP.
 */
import { z } from "zod";

export type JobAssignment = {
  leaseId: string;
  jobId: number;
  buildId: number;
  jobName: string;
  steps: { index: number; name: string; run: string }[];
  env: Record<string, string>;
  timeoutSeconds: number;
  graceSeconds: number;
  /** At most this much of the job's output is kept; the rest is counted and dropped. */
  logMaxBytes: number;
};

/**
 * One stop message per agent: every lease to stop, with the grace period to give each and, for
 * the build log, who asked and why ("canceled by dev: bad push").
 */
export type StopOrder = { leaseId: string; graceSeconds: number; force: boolean; reason?: string };

/**
 * What an agent says on every contact, so the engine can reconcile: the leases it runs, and up to
 * when it has seen the engine's answers (`seenUntil`, the `now` of the last poll answer it
 * processed; 0 before the first). Every lease granted to it until then is in `leases` or over;
 * a running job of an earlier lease that is missing was dropped by the agent.
 */
export type AgentState = { agentId: string; instance: string; leases: string[]; seenUntil: number };

/** The poll's answer; `now` is the engine's clock when it answered (see `AgentState.seenUntil`). */
export type PollResult = { assignments: JobAssignment[]; stops: StopOrder[]; now: number };

export type HeartbeatResult = { stops: StopOrder[]; now: number };

/** `AgentState` as it travels over HTTP (the agent id is in the path). */
export const AgentStateBody = z.strictObject({
  instance: z.string().min(1).max(64),
  leases: z.array(z.string().max(100)).max(10_000),
  seenUntil: z.number().int().min(0),
});

export const StepReport = z.strictObject({
  leaseId: z.string(),
  stepIndex: z.number().int().min(0),
  status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED"]),
  exitCode: z.number().int().nullable().default(null),
  pgid: z.number().int().positive().optional(),
});
export type StepReport = z.input<typeof StepReport>;

export const JobReport = z.strictObject({
  leaseId: z.string(),
  status: z.enum(["SUCCEEDED", "FAILED", "TIMED_OUT"]),
  reason: z.string().max(500).nullable().default(null),
});
export type JobReport = z.input<typeof JobReport>;

export const LogChunk = z.strictObject({
  leaseId: z.string(),
  stream: z.enum(["stdout", "stderr", "system"]),
  text: z.string(),
  /** Bytes of output the agent dropped past the job's limit (sent once, when the job ends). */
  dropped: z.number().int().min(0).optional(),
});
export type LogChunk = z.infer<typeof LogChunk>;

/** `error`: the agent could not stop the job (its processes may still run); the item fails with it. */
export const StopAck = z.strictObject({ leaseId: z.string(), error: z.string().max(500).optional() });
export type StopAck = z.infer<typeof StopAck>;

/** What a report learns back: `stop` means the lease is gone or a stop was requested. */
export type ReportResult = { accepted: boolean; stop: boolean };

/** How an agent contains its jobs' processes, as it reports when it registers. */
export const AgentContainment = z.strictObject({
  mechanism: z.enum(["pid-namespace", "env-marker"]),
  userNamespace: z.boolean(),
  stepUser: z.string().max(100),
  fallbackReason: z.string().max(500).optional(),
});
export type AgentContainment = z.infer<typeof AgentContainment>;

/** `instance` is new at every start of the agent's process: a second process under one id is refused. */
export type AgentRegistration = { name: string; slots: number; instance: string; containment?: AgentContainment };

/** What the engine tells an agent that registers: how often to beat, and the stop deadline's ack timeout. */
export type Welcome = { agentId: string; heartbeatSeconds: number; stopAckTimeoutSeconds: number };

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
