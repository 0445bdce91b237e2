/**
 * The executor. It leases jobs through the agent channel, runs each step with `bash -c` in a
 * per-job workspace as its own process group, streams output, enforces job timeouts, and stops
 * jobs on command: SIGTERM → grace → SIGKILL → workspace removed → slot freed → acknowledged.
 */
import fs from "node:fs";
import path from "node:path";
import type { AgentChannel, JobAssignment, StopOrder } from "../common/agent-channel.ts";
import { LogShipper } from "./log-shipper.ts";
import { hasEnvEntry, type StepProcess, signalGroup, spawnStep, stopGroup } from "./process-group.ts";

export type AgentOptions = {
  name: string;
  slots: number;
  /** Workspaces live here, one directory per job lease. */
  workDir: string;
  /** The environment every step starts from (PATH and basics, not the agent's secrets). */
  baseEnv: Record<string, string>;
  pollWaitMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
};

type JobRun = {
  assignment: JobAssignment;
  workspace: string;
  step: StepProcess | undefined;
  /** Set once the job must end early: by a stop order, the engine, or its timeout. */
  ending: "stop" | "timeout" | "shutdown" | undefined;
  done: Promise<void>;
};

const PIDS_DIR = ".pgids";
/** About a minute of retries: an engine restart, not an engine gone for good. */
const ACK_ATTEMPTS = 16;

export class Agent {
  private agentId = "";
  private readonly runs = new Map<string, JobRun>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly logs: LogShipper;
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly channel: AgentChannel,
    private readonly options: AgentOptions,
  ) {
    this.logs = new LogShipper(channel, () => this.agentId);
  }

  get id(): string {
    return this.agentId;
  }

  get busySlots(): number {
    return this.runs.size;
  }

  async start(): Promise<void> {
    fs.mkdirSync(path.join(this.options.workDir, PIDS_DIR), { recursive: true });
    this.killOrphans();
    ({ agentId: this.agentId } = await this.channel.register({ name: this.options.name, slots: this.options.slots }));
    this.loop = this.run();
  }

  /** Stops everything this agent runs (engine shutdown): processes are killed, nothing is reported. */
  async stop(graceMs = 2000): Promise<void> {
    this.closed = true;
    this.poll?.abort();
    await Promise.all(
      [...this.runs.values()].map(async (run) => {
        run.ending ??= "shutdown";
        if (run.step) await stopGroup(run.step.pgid, graceMs);
        await run.done;
      }),
    );
    await Promise.all(this.stopping.values());
    await this.loop;
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
        this.options.log?.("poll failed", { err: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(failures, 5))));
      }
    }
  }

  /** A slot was freed: ask for work now rather than when the current poll times out. */
  private wakePoll(): void {
    this.poll?.abort();
  }

  private startJob(assignment: JobAssignment): void {
    const workspace = path.join(this.options.workDir, assignment.leaseId);
    const run: JobRun = { assignment, workspace, step: undefined, ending: undefined, done: Promise.resolve() };
    this.runs.set(assignment.leaseId, run);
    run.done = this.execute(run)
      .catch((err) => this.options.log?.("job crashed", { leaseId: assignment.leaseId, err: String(err) }))
      .finally(() => {
        if (!this.stopping.has(assignment.leaseId)) this.release(run);
      });
  }

  private async execute(run: JobRun): Promise<void> {
    const { assignment: a } = run;
    fs.mkdirSync(run.workspace, { recursive: true });
    const timeout = setTimeout(() => {
      this.timeOut(run).catch((err) =>
        this.options.log?.("timeout report failed", { leaseId: a.leaseId, err: String(err) }),
      );
    }, a.timeoutSeconds * 1000);
    try {
      for (const step of a.steps) {
        if (run.ending) return;
        const started = await this.channel.reportStep(this.agentId, {
          leaseId: a.leaseId,
          stepIndex: step.index,
          status: "RUNNING",
        });
        if (run.ending) return;
        if (!started.accepted || started.stop) {
          // The engine no longer wants this job (canceled, or its lease was revoked).
          void this.handleStop({ leaseId: a.leaseId, graceSeconds: a.graceSeconds, force: false });
          return;
        }
        this.logs.write(a.leaseId, "system", `$ ${step.run}\n`);
        run.step = spawnStep({
          run: step.run,
          cwd: run.workspace,
          env: { ...this.options.baseEnv, ...a.env, SLUICE_LEASE_ID: a.leaseId, SLUICE_WORKSPACE: run.workspace },
          onOutput: (stream, text) => this.logs.write(a.leaseId, stream, text),
        });
        this.rememberGroup(a.leaseId, run.step.pgid);
        // A stop that arrived while the step was being started.
        if (run.ending) void stopGroup(run.step.pgid, 0);
        const { code, signal } = await run.step.exited;
        // Processes the step left in the background do not outlive it.
        signalGroup(run.step.pgid, "SIGKILL");
        if (run.ending) return;
        const ok = code === 0;
        this.logs.write(a.leaseId, "system", ok ? "" : `exit ${code ?? signal}\n`);
        await this.channel.reportStep(this.agentId, {
          leaseId: a.leaseId,
          stepIndex: step.index,
          status: ok ? "SUCCEEDED" : "FAILED",
          exitCode: code ?? 128,
        });
        if (!ok) {
          await this.logs.flush();
          await this.channel.reportJob(this.agentId, {
            leaseId: a.leaseId,
            status: "FAILED",
            reason: `step ${step.index + 1} exited with ${code ?? signal}`,
          });
          return;
        }
      }
      await this.logs.flush();
      await this.channel.reportJob(this.agentId, { leaseId: a.leaseId, status: "SUCCEEDED" });
    } finally {
      clearTimeout(timeout);
    }
  }

  private async timeOut(run: JobRun): Promise<void> {
    if (run.ending || this.closed) return;
    run.ending = "timeout";
    const a = run.assignment;
    this.logs.write(a.leaseId, "system", `job timed out after ${a.timeoutSeconds}s\n`);
    if (run.step) await stopGroup(run.step.pgid, a.graceSeconds * 1000);
    await run.done;
    await this.logs.flush();
    await this.channel.reportJob(this.agentId, {
      leaseId: a.leaseId,
      status: "TIMED_OUT",
      reason: `timed out after ${a.timeoutSeconds}s`,
    });
  }

  /** A stop order: SIGTERM the group, SIGKILL after the grace period, clean up, free the slot, acknowledge. */
  private handleStop(order: StopOrder): Promise<void> {
    const existing = this.stopping.get(order.leaseId);
    const run = this.runs.get(order.leaseId);
    if (existing) {
      // A forced stop during a graceful one: kill now.
      if (order.force && run?.step) signalGroup(run.step.pgid, "SIGKILL");
      return existing;
    }
    const stopped = (async () => {
      if (run) {
        run.ending ??= "stop";
        this.logs.write(
          order.leaseId,
          "system",
          order.force ? "stopping now (forced)\n" : `stopping (grace ${order.graceSeconds}s)\n`,
        );
        if (run.step) await stopGroup(run.step.pgid, order.force ? 0 : order.graceSeconds * 1000);
        await run.done;
        await this.logs.flush();
        this.release(run);
      }
      await this.acknowledge(order.leaseId);
    })()
      // An acknowledgement that cannot be delivered is covered by the engine's stop deadline.
      .catch((err) => this.options.log?.("stop acknowledgement failed", { leaseId: order.leaseId, err: String(err) }))
      .finally(() => this.stopping.delete(order.leaseId));
    this.stopping.set(order.leaseId, stopped);
    return stopped;
  }

  /** Acknowledges a stop, retrying while the engine is unreachable (it may be restarting). */
  private async acknowledge(leaseId: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.channel.acknowledgeStops(this.agentId, [{ leaseId }]);
        return;
      } catch (err) {
        if (this.closed || attempt >= ACK_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  private release(run: JobRun): void {
    fs.rmSync(run.workspace, { recursive: true, force: true });
    fs.rmSync(this.groupFile(run.assignment.leaseId), { force: true });
    if (this.runs.delete(run.assignment.leaseId)) this.wakePoll();
  }

  private groupFile(leaseId: string): string {
    return path.join(this.options.workDir, PIDS_DIR, leaseId);
  }

  private rememberGroup(leaseId: string, pgid: number): void {
    fs.writeFileSync(this.groupFile(leaseId), String(pgid));
  }

  /**
   * Processes of a previous run of this agent (the engine crashed or was killed) are still
   * around: kill each remembered group whose processes carry that lease, and remove workspaces.
   */
  private killOrphans(): void {
    const dir = path.join(this.options.workDir, PIDS_DIR);
    for (const leaseId of fs.readdirSync(dir)) {
      const pgid = Number(fs.readFileSync(path.join(dir, leaseId), "utf8"));
      if (Number.isInteger(pgid) && hasEnvEntry(pgid, `SLUICE_LEASE_ID=${leaseId}`)) signalGroup(pgid, "SIGKILL");
      fs.rmSync(path.join(dir, leaseId), { force: true });
    }
    for (const entry of fs.readdirSync(this.options.workDir)) {
      if (entry !== PIDS_DIR) fs.rmSync(path.join(this.options.workDir, entry), { recursive: true, force: true });
    }
  }
}
