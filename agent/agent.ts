/**
 * The executor. It leases jobs through the agent channel and runs each in its own workspace with
 * every process contained (see `containment/`), streams output, enforces timeouts, and stops jobs
 * on command: SIGTERM → grace → SIGKILL → every process gone → workspace removed → slot freed →
 * acknowledged (batched per agent).
 */
import path from "node:path";
import type { AgentChannel, JobAssignment, StopOrder } from "../common/agent-channel.ts";
import { Containment, type ContainmentInfo, type ContainmentMode } from "./containment/containment.ts";
import { MarkerReaper } from "./containment/marker-reaper.ts";
import { DEFAULT_STEP_USER } from "./containment/step-user.ts";
import { JobRun } from "./job-run.ts";
import { LogShipper } from "./log-shipper.ts";
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
};

export class Agent {
  private agentId = "";
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
  private readonly log: (msg: string, fields?: Record<string, unknown>) => void;

  constructor(
    private readonly channel: AgentChannel,
    private readonly options: AgentOptions,
  ) {
    this.log = options.log ?? (() => {});
    this.logs = new LogShipper(channel, () => this.agentId);
    this.acks = new StopAcks(channel, () => this.agentId, this.log);
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
    await this.recover();
    const info = this.containment.info;
    ({ agentId: this.agentId } = await this.channel.register({
      name: this.options.name,
      slots: this.options.slots,
      containment: {
        mechanism: info.mechanism,
        userNamespace: info.userNamespace,
        stepUser: info.stepUser,
        ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}),
      },
    }));
    this.log("agent started", {
      agentId: this.agentId,
      slots: this.options.slots,
      containment: info.mechanism,
      ...(info.userNamespace ? { userNamespace: true } : {}),
      stepUser: info.stepUser,
      ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}),
    });
    this.loop = this.run();
  }

  /** Stops everything this agent runs (engine shutdown): processes are killed, nothing is reported. */
  async stop(graceMs = 2000): Promise<void> {
    this.closed = true;
    clearTimeout(this.wakeTimer);
    this.poll?.abort();
    await Promise.all(
      [...this.runs.values()].map(async (run) => {
        await run.stop({ why: "shutdown", graceMs, force: false });
        await run.finished;
      }),
    );
    await Promise.all(this.stopping.values());
    await this.loop;
    await this.acks.settle();
    await this.logs.flush();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      this.poll = new AbortController();
      try {
        const { assignments, stops } = await this.channel.poll({
          agentId: this.agentId,
          freeSlots: Math.max(0, this.options.slots - this.runs.size),
          waitMs: this.options.pollWaitMs ?? 20_000,
          signal: this.poll.signal,
        });
        failures = 0;
        for (const order of stops) void this.handleStop(order);
        for (const assignment of assignments) this.startJob(assignment);
      } catch (err) {
        if (this.closed) return;
        failures++;
        this.log("poll failed", { err: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(failures, 5))));
      }
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
    const run = new JobRun(assignment, {
      channel: this.channel,
      agentId: () => this.agentId,
      containment: this.containment as Containment,
      workspaces: this.workspaces as Workspaces,
      logs: this.logs,
      baseEnv: this.options.baseEnv,
      log: this.log,
    });
    this.runs.set(assignment.leaseId, run);
    void run.finished.then(() => {
      if (!this.stopping.has(run.leaseId)) this.release(run);
    });
  }

  /** A stop order: every process of the job ended, its workspace removed, its slot freed, then acknowledged. */
  private handleStop(order: StopOrder): Promise<void> {
    const existing = this.stopping.get(order.leaseId);
    const run = this.runs.get(order.leaseId);
    if (existing) {
      // A forced stop during a graceful one: kill now.
      if (order.force && run) void run.stop({ why: "stop", graceMs: 0, force: true, reason: order.reason });
      return existing;
    }
    const stopped = (async () => {
      if (run) {
        await run.stop({ why: "stop", graceMs: order.graceSeconds * 1000, force: order.force, reason: order.reason });
        await run.finished;
        this.release(run);
      }
      this.acks.add(run?.stopProblem ? { leaseId: order.leaseId, error: run.stopProblem } : { leaseId: order.leaseId });
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
