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
};

/** One stop message per agent: every lease to stop, with the grace period to give each. */
export type StopOrder = { leaseId: string; graceSeconds: number; force: boolean };

export type PollResult = { assignments: JobAssignment[]; stops: StopOrder[] };

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
});
export type LogChunk = z.infer<typeof LogChunk>;

/** `error`: the agent could not stop the job (its processes may still run); the item fails with it. */
export const StopAck = z.strictObject({ leaseId: z.string(), error: z.string().max(500).optional() });
export type StopAck = z.infer<typeof StopAck>;

/** What a report learns back: `stop` means the lease is gone or a stop was requested. */
export type ReportResult = { accepted: boolean; stop: boolean };

export interface AgentChannel {
  register(agent: { name: string; slots: number }): Promise<{ agentId: string }>;
  /** Leases up to `freeSlots` jobs and collects pending stop orders; waits up to `waitMs` for either. */
  poll(request: { agentId: string; freeSlots: number; waitMs: number; signal?: AbortSignal }): Promise<PollResult>;
  reportStep(agentId: string, report: StepReport): Promise<ReportResult>;
  reportJob(agentId: string, report: JobReport): Promise<ReportResult>;
  appendLog(agentId: string, chunks: LogChunk[]): Promise<void>;
  acknowledgeStops(agentId: string, acks: StopAck[]): Promise<void>;
}
