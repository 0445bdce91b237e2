/**
 * The agent channel's messages (what a remote agent and the engine say over HTTP; the in-process
 * agent passes the same shapes directly) and the agents as an admin sees them.
 */
import { z } from "zod";
import { list, Time } from "./shared.ts";

/** How an agent contains its jobs' processes, as it reports when it registers. */
export const AgentContainment = z.strictObject({
  mechanism: z.enum(["pid-namespace", "env-marker"]),
  userNamespace: z.boolean(),
  stepUser: z.string().max(100),
  fallbackReason: z.string().max(500).optional(),
});
export type AgentContainment = z.infer<typeof AgentContainment>;

/** `instance` is new at every start of the agent's process: a second process under one id is refused. */
export const AgentRegistration = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/),
  slots: z.number().int().min(0).max(256),
  instance: z.string().min(1).max(64),
  containment: AgentContainment.optional(),
  /** The agent has `git`: it takes jobs that check a commit out (absent: it does not). */
  git: z.boolean().optional(),
});
export type AgentRegistration = z.infer<typeof AgentRegistration>;

/** What the engine tells an agent that registers: how often to beat, and the stop deadline's ack timeout. */
export const Welcome = z.object({
  agentId: z.string(),
  heartbeatSeconds: z.number(),
  stopAckTimeoutSeconds: z.number(),
});
export type Welcome = z.infer<typeof Welcome>;

/**
 * Fetch exactly this commit into the workspace before the first step. `credentials` (an HTTPS
 * token) reach git through a pipe, never its arguments, the steps' environment or the log.
 */
export const Checkout = z.object({
  url: z.string(),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/i),
  credentials: z.object({ username: z.string(), password: z.string() }).optional(),
});
export type Checkout = z.infer<typeof Checkout>;

export const JobAssignment = z.object({
  leaseId: z.string(),
  jobId: z.number().int(),
  buildId: z.number().int(),
  jobName: z.string(),
  steps: z.array(z.object({ index: z.number().int(), name: z.string(), run: z.string() })),
  env: z.record(z.string(), z.string()),
  timeoutSeconds: z.number(),
  graceSeconds: z.number(),
  /** At most this much of the job's output is kept; the rest is counted and dropped. */
  logMaxBytes: z.number(),
  checkout: Checkout.optional(),
});
export type JobAssignment = z.infer<typeof JobAssignment>;

/**
 * One stop message per agent: every lease to stop, with the grace period to give each and, for
 * the build log, who asked and why ("canceled by dev: bad push").
 */
export const StopOrder = z.object({
  leaseId: z.string(),
  graceSeconds: z.number(),
  force: z.boolean(),
  reason: z.string().optional(),
});
export type StopOrder = z.infer<typeof StopOrder>;

/** The poll's answer; `now` is the engine's clock when it answered (see `AgentState.seenUntil`). */
export const PollResult = z.object({ assignments: z.array(JobAssignment), stops: z.array(StopOrder), now: z.number() });
export type PollResult = z.infer<typeof PollResult>;

export const HeartbeatResult = z.object({ stops: z.array(StopOrder), now: z.number() });
export type HeartbeatResult = z.infer<typeof HeartbeatResult>;

/** What a report learns back: `stop` means the lease is gone or a stop was requested. */
export const ReportResult = z.object({ accepted: z.boolean(), stop: z.boolean() });
export type ReportResult = z.infer<typeof ReportResult>;

/**
 * What an agent says on every contact (the agent id is in the path), so the engine can
 * reconcile: the leases it runs, and up to when it has seen the engine's answers (`seenUntil`, the
 * `now` of the last poll answer it processed; 0 before the first).
 */
export const AgentStateBody = z.strictObject({
  instance: z.string().min(1).max(64),
  leases: z.array(z.string().max(100)).max(10_000),
  seenUntil: z.number().int().min(0),
});

/** `POST /v1/agents/{id}/poll`: the state, the free slots, and how long to wait for work or a stop. */
export const PollRequest = AgentStateBody.extend({
  freeSlots: z.number().int().min(0).max(256),
  waitMs: z.number().int().min(0).max(30_000),
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
export const LogChunksRequest = z.strictObject({ chunks: z.array(LogChunk).max(10_000) });

/** `error`: the agent could not stop the job (its processes may still run); the item fails with it. */
export const StopAck = z.strictObject({ leaseId: z.string(), error: z.string().max(500).optional() });
export type StopAck = z.infer<typeof StopAck>;
export const StopAcksRequest = z.strictObject({ acks: z.array(StopAck).max(100_000) });

/** An agent as an admin sees it (`GET /v1/agents`). */
export const AgentInfo = z.object({
  id: z.string(),
  name: z.string(),
  slots: z.number().int(),
  busySlots: z.number().int(),
  lastSeenAt: Time,
  /** How it contains its jobs' processes (`pid-namespace`, or the `env-marker` fallback). */
  containment: AgentContainment.nullable(),
});
export type AgentInfo = z.infer<typeof AgentInfo>;
export const AgentList = list(AgentInfo);
