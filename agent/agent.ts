/**
 * The executor. It leases jobs through the agent channel and runs each in its own workspace with
 * every process contained (see `containment/`), streams output, enforces timeouts, and stops jobs
 * on command: SIGTERM → grace → SIGKILL → every process gone → workspace removed → slot freed →
 * acknowledged (batched per agent).
 *
 * It reconciles with the engine on every contact (each poll, and a heartbeat every few seconds):
 * it says which leases it runs and stops whatever the engine no longer wants. Reports are retried
 * while the engine is away; an agent that reaches no engine for the stop deadline's ack timeout
 * stops all its jobs itself, so nothing the engine gives up on is still running.
 */
import crypto from "node:crypto";
import path from "node:path";
import type { AgentChannel, AgentState, JobAssignment, StopOrder, Welcome } from "../common/agent-channel.ts";
import { AppError } from "../common/errors.ts";
import { hasGit } from "./checkout.ts";
import { Containment, type ContainmentInfo, type ContainmentMode } from "./containment/containment.ts";
import { MarkerReaper } from "./containment/marker-reaper.ts";
import { DEFAULT_STEP_USER } from "./containment/step-user.ts";
import { JobRun } from "./job-run.ts";
import { LogShipper } from "./log-shipper.ts";
import { retrying } from "./retry.ts";
import { StopAcks } from "./stop-acks.ts";
import { Workspaces } from "./workspaces.ts";

/** How long a freed slot waits for others before the agent asks for work again. */
const WAKE_DELAY_MS = 20;

export type AgentOptions = {
  name: string;
  slots: number;
  /** Workspaces live here, one directory per job lease; it must not be inside a hidden path. */
  workDir: string;
  /** The environment every step starts from (PATH and basics, not the agent's secrets). */
  baseEnv: Record<string, string>;
  /** Paths steps must not see (the engine's data dir): hidden in each job's mount namespace. */
  hiddenPaths?: string[];
  containment?: ContainmentMode;
  /** Who steps run as when the agent is root (default `sluice-step`, created when missing). */
  stepUser?: string;
  pollWaitMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Called when the agent cannot go on (another process registered under its id). */
  onFatal?: (err: Error) => void;
};

export class Agent {
  private agentId = "";
  /** New at every start: the engine refuses a second process under the same id. */
  readonly instance = crypto.randomBytes(8).toString("hex");
  private welcome: Welcome = { agentId: "", heartbeatSeconds: 5, stopAckTimeoutSeconds: 30 };
  private readonly runs = new Map<string, JobRun>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly logs: LogShipper;
  private readonly acks: StopAcks;
  private readonly reaper = new MarkerReaper();
  private containment: Containment | undefined;
  private workspaces: Workspaces | undefined;
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** The engine's clock at the last poll answer processed (see `AgentState.seenUntil`). */
  private seenUntil = 0;
  /** When an engine last answered; the fence is measured from it. */
  private lastContact = Date.now();
  private fenced = false;
  /** `git` runs here: the agent takes jobs that check a commit out. */
  private git = false;
  /** An engine did not answer the last heartbeat: the next answer ends the wait of a stuck poll. */
  private outOfContact = false;
  /** Jobs the agent stopped while fenced whose end the engine has not yet been told. */
  private readonly fencedUnreported = new Set<string>();
  private readonly log: (msg: string, fields?: Record<string, unknown>) => void;

  constructor(
    private readonly channel: AgentChannel,
    private readonly options: AgentOptions,
  ) {
    this.log = options.log ?? (() => {});
    const stopped = () => this.closed;
    const contact = () => this.contact();
    this.logs = new LogShipper(channel, () => this.agentId, { stopped, onDelivered: contact });
    this.acks = new StopAcks(channel, () => this.agentId, this.log, { stopped, onDelivered: contact });
  }

  get id(): string {
    return this.agentId;
  }

  get busySlots(): number {
    return this.runs.size;
  }

  /** How this agent contains jobs (known once started). */
  get containmentInfo(): ContainmentInfo | undefined {
    return this.containment?.info;
  }

  /** The longest grace period of the jobs running now: how long a graceful stop may take. */
  get maxGraceMs(): number {
    return Math.max(0, ...[...this.runs.values()].map((r) => r.assignment.graceSeconds * 1000));
  }

  async start(): Promise<void> {
    const hidden = this.options.hiddenPaths ?? [];
    if (hidden.some((h) => isInside(this.options.workDir, h))) {
      throw new Error(`The agent's work dir ${this.options.workDir} must not be inside ${hidden.join(", ")}`);
    }
    this.containment = await Containment.create(
      {
        mode: this.options.containment ?? "auto",
        stepUser: this.options.stepUser ?? DEFAULT_STEP_USER,
        hide: hidden,
        env: this.options.baseEnv,
      },
      this.reaper,
    );
    this.workspaces = new Workspaces(this.options.workDir, this.containment.user);
    await this.workspaces.prepare();
    this.git = await hasGit(this.options.baseEnv);
    if (!this.git) {
      this.log("git not found: this agent takes no jobs that check a commit out (install git to take them)", {
        path: this.options.baseEnv.PATH,
      });
    }
    await this.recover();
    await this.register();
    const info = this.containment.info;
    this.log("agent started", {
      agentId: this.agentId,
      slots: this.options.slots,
      containment: info.mechanism,
      ...(info.userNamespace ? { userNamespace: true } : {}),
      stepUser: info.stepUser,
      ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}),
    });
    this.loop = this.run();
    this.scheduleHeartbeat();
    this.watchdog = setInterval(() => this.checkFence(), 500);
  }

  /**
   * Stops everything this agent runs (the engine or the agent is shutting down): each job gets
   * its own grace period (or `graceMs` when given), nothing more is reported.
   */
  async stop(graceMs?: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.heartbeatTimer);
    clearInterval(this.watchdog);
    this.poll?.abort();
    await Promise.all(
      [...this.runs.values()].map(async (run) => {
        await run.stop({
          why: "shutdown",
          graceMs: graceMs ?? run.assignment.graceSeconds * 1000,
          force: false,
          reason: "the agent is shutting down",
        });
        await run.finished;
      }),
    );
    await Promise.all(this.stopping.values());
    await this.loop;
    await this.acks.settle();
    await this.logs.flush();
  }

  private async register(): Promise<void> {
    const info = (this.containment as Containment).info;
    this.welcome = await retrying(
      () =>
        this.channel.register({
          name: this.options.name,
          slots: this.options.slots,
          instance: this.instance,
          git: this.git,
          containment: {
            mechanism: info.mechanism,
            userNamespace: info.userNamespace,
            stepUser: info.stepUser,
            ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}),
          },
        }),
      { stopped: () => this.closed, onRetry: (err) => this.log("registration failed; retrying", { err }) },
    );
    this.agentId = this.welcome.agentId;
    this.contact();
  }

  /** What the agent holds: running jobs, and stopped ones whose acknowledgement is on its way. */
  private state(): AgentState {
    const leases = [...new Set([...this.runs.keys(), ...this.acks.leases, ...this.fencedUnreported])];
    return { agentId: this.agentId, instance: this.instance, leases, seenUntil: this.seenUntil };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      this.poll = new AbortController();
      try {
        const { assignments, stops, now } = await this.channel.poll({
          ...this.state(),
          freeSlots: Math.max(0, this.options.slots - this.runs.size),
          waitMs: this.options.pollWaitMs ?? 20_000,
          signal: this.poll.signal,
        });
        failures = 0;
        this.contact();
        // Assignments first: a stop in the same answer may be for a job just given.
        for (const assignment of assignments) this.startJob(assignment);
        this.seenUntil = Math.max(this.seenUntil, now);
        for (const order of stops) void this.handleStop(order);
      } catch (err) {
        if (this.closed) return;
        if (await this.recoverFrom(err)) continue;
        failures++;
        this.log("poll failed", { err });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(failures, 5))));
      }
    }
  }

  /** The heartbeat: reconciles between long polls, and keeps the agent from being declared lost. */
  private scheduleHeartbeat(): void {
    if (this.closed) return;
    this.heartbeatTimer = setTimeout(async () => {
      try {
        const { stops } = await this.channel.heartbeat(this.state());
        if (this.outOfContact) {
          // Back in contact (a partition healed, or another engine answers): a poll sent while
          // cut off may hang until its timeout; ask for work again now.
          this.outOfContact = false;
          this.poll?.abort();
        }
        this.contact();
        for (const order of stops) void this.handleStop(order);
      } catch (err) {
        if (!this.closed && !(await this.recoverFrom(err))) this.outOfContact = true;
      }
      this.scheduleHeartbeat();
    }, this.welcome.heartbeatSeconds * 1000);
  }

  /** An engine answered: the agent is in contact again. */
  private contact(): void {
    this.lastContact = Date.now();
    this.fenced = false;
  }

  /** Errors that are not about the network: re-register, or give up for good. True when handled. */
  private async recoverFrom(err: unknown): Promise<boolean> {
    if (!(err instanceof AppError)) return false;
    if (err.code === "agent_not_registered") {
      await this.register().catch(() => {});
      return true;
    }
    if (err.code === "agent_replaced") {
      this.log("another process registered under this agent's id: stopping every job", { agentId: this.agentId });
      this.fence("another agent process registered under this id");
      this.closed = true;
      this.options.onFatal?.(err);
      return true;
    }
    return false;
  }

  /**
   * No engine answered for the stop deadline's ack timeout: the engine will soon force-finalize
   * these jobs' builds, so stop them all now (each with its grace) — a build it gives up on must
   * not still be running.
   */
  private checkFence(): void {
    if (this.fenced || this.runs.size === 0) return;
    const silentMs = Date.now() - this.lastContact;
    // Never fewer than two heartbeats: a healthy agent is not fenced between two beats.
    const limitMs = Math.max(this.welcome.stopAckTimeoutSeconds, 2 * this.welcome.heartbeatSeconds) * 1000;
    if (silentMs < limitMs) return;
    this.fence(`no engine reachable for ${Math.round(silentMs / 1000)}s`);
  }

  private fence(reason: string): void {
    this.fenced = true;
    this.log("fencing: stopping every job", { reason, jobs: this.runs.size });
    for (const run of this.runs.values()) {
      if (!this.stopping.has(run.leaseId)) this.stopping.set(run.leaseId, this.stopFenced(run, reason));
    }
  }

  /**
   * A job stopped by the fence is reported as such (FAILED, `agent_fenced`) once an engine answers
   * again; until then its lease is still reported, so the engine does not take it for dropped.
   */
  private async stopFenced(run: JobRun, reason: string): Promise<void> {
    try {
      this.fencedUnreported.add(run.leaseId);
      await run.stop({ why: "fence", graceMs: run.assignment.graceSeconds * 1000, force: false, reason });
      await run.finished;
      this.release(run);
      if (!run.reportedEnd) await run.reportFenced();
    } finally {
      this.fencedUnreported.delete(run.leaseId);
      this.stopping.delete(run.leaseId);
    }
  }

  /**
   * A slot was freed: ask for work soon rather than when the current poll times out. Slots freed
   * together (a bulk cancel ends a hundred jobs) make one new poll, not one each.
   */
  private wakePoll(): void {
    this.wakeTimer ??= setTimeout(() => {
      this.wakeTimer = undefined;
      this.poll?.abort();
    }, WAKE_DELAY_MS);
  }

  private startJob(assignment: JobAssignment): void {
    if (this.runs.has(assignment.leaseId)) return;
    const run = new JobRun(assignment, {
      channel: this.channel,
      agentId: () => this.agentId,
      containment: this.containment as Containment,
      workspaces: this.workspaces as Workspaces,
      logs: this.logs,
      baseEnv: this.options.baseEnv,
      log: this.log,
      stopped: () => this.closed,
      onContact: () => this.contact(),
      onUnwanted: (order) => void this.handleStop(order),
    });
    this.runs.set(assignment.leaseId, run);
    void run.finished.then(() => {
      if (!this.stopping.has(run.leaseId)) this.release(run);
    });
  }

  /**
   * A stop order: every process of the job ended, its workspace removed, its slot freed, then
   * acknowledged. An order for a lease this agent does not run is not acknowledged: the agent's
   * next report leaves the lease out, and the engine settles it from that.
   */
  private handleStop(order: StopOrder): Promise<void> {
    const existing = this.stopping.get(order.leaseId);
    const run = this.runs.get(order.leaseId);
    if (existing) {
      // A forced stop during a graceful one: kill now.
      if (order.force && run) void run.stop({ why: "stop", graceMs: 0, force: true, reason: order.reason });
      return existing;
    }
    if (!run) return Promise.resolve();
    const stopped = (async () => {
      await run.stop({ why: "stop", graceMs: order.graceSeconds * 1000, force: order.force, reason: order.reason });
      await run.finished;
      this.release(run);
      // A job that ended on its own before the order came was reported; nothing to acknowledge.
      if (run.reportedEnd) return;
      this.acks.add(run.stopProblem ? { leaseId: order.leaseId, error: run.stopProblem } : { leaseId: order.leaseId });
    })().finally(() => this.stopping.delete(order.leaseId));
    this.stopping.set(order.leaseId, stopped);
    return stopped;
  }

  private release(run: JobRun): void {
    if (this.runs.get(run.leaseId) === run && this.runs.delete(run.leaseId)) this.wakePoll();
  }

  /**
   * A previous run of this agent crashed or was killed: whatever it left is killed (processes
   * carrying its leases' markers, found in one pass), and its workspaces are removed.
   */
  private async recover(): Promise<void> {
    const workspaces = this.workspaces as Workspaces;
    const leases = await workspaces.leftoverLeases();
    if (leases.length > 0) {
      const killed = await (this.containment as Containment).sweep(leases);
      if (killed > 0) this.log("killed processes left by a previous run", { processes: killed, leases: leases.length });
    }
    for (const problem of await workspaces.clear()) this.log("leftover workspace not removed", { problem });
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
