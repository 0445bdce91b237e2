/**
 * One job on this agent, from its assignment to its cleanup: a workspace, its steps in order
 * (each contained, see `containment/`), reports to the engine, its timeout, and a stop that
 * ends every process it started. `finished` resolves once the processes are gone, the log is
 * shipped and the workspace removed — then its slot may be given back.
 */
import type {
  AgentChannel,
  JobAssignment,
  JobReport,
  ReportResult,
  StepReport,
  StopOrder,
} from "../common/agent-channel.ts";
import { logNote, stopReasonText } from "../common/log-notes.ts";
import { CHECKOUT_SCRIPT, checkoutEnv, credentialInput } from "./checkout.ts";
import type { Containment } from "./containment/containment.ts";
import type { StepProcess } from "./containment/step-process.ts";
import type { LogShipper } from "./log-shipper.ts";
import { retrying } from "./retry.ts";
import type { Workspaces } from "./workspaces.ts";

/** The reason of a job the agent stopped because it could reach no engine. */
export const AGENT_FENCED = "agent_fenced";

export type JobRunDeps = {
  channel: AgentChannel;
  agentId: () => string;
  containment: Containment;
  workspaces: Workspaces;
  logs: LogShipper;
  /** PATH, LANG and such: what every step starts from, and what nothing may override. */
  baseEnv: Record<string, string>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** The agent is shutting down: reports are no longer retried. */
  stopped: () => boolean;
  /** The engine answered a report. */
  onContact: () => void;
  /** The engine answered a report saying it no longer wants this job: stop it as ordered. */
  onUnwanted: (order: StopOrder) => void;
};

export type StopRequest = {
  why: "stop" | "timeout" | "shutdown" | "unwanted" | "fence";
  graceMs: number;
  force: boolean;
  /** Who asked and why, for the build log ("canceled by dev: bad push"). */
  reason?: string | undefined;
};

type Ending = StopRequest & { at: number; killAt: number; killedAt?: number };

export class JobRun {
  readonly leaseId: string;
  /** Resolves when the job is over and cleaned up (never rejects). */
  readonly finished: Promise<void>;
  /** Set when the job's processes could not all be killed. */
  stopProblem: string | undefined;
  /** The engine has the job's end (succeeded, failed or timed out): a stop order for it needs no acknowledgement. */
  reportedEnd = false;
  private step: StepProcess | undefined;
  private ending: Ending | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private workspace: string | undefined;

  constructor(
    readonly assignment: JobAssignment,
    private readonly deps: JobRunDeps,
  ) {
    this.leaseId = assignment.leaseId;
    this.finished = this.execute()
      .catch((err) => deps.log("job crashed", { leaseId: this.leaseId, err }))
      .finally(() => this.cleanUp());
  }

  get stopping(): boolean {
    return this.ending !== undefined;
  }

  /**
   * Ends the job early: SIGTERM to every process, SIGKILL after the grace period (at once when
   * forced). A second, forced request during a graceful stop kills at once. Resolves when every
   * process of the job is gone.
   */
  async stop(request: StopRequest): Promise<void> {
    if (this.reportedEnd) return;
    const now = Date.now();
    const killAt = request.force ? now : now + Math.max(0, request.graceMs);
    if (!this.ending) {
      this.ending = { ...request, at: now, killAt };
      this.deps.logs.system(this.leaseId, describeStop(request));
      if (killAt <= now) this.killNow();
      else {
        this.step?.terminate();
        this.killTimer = setTimeout(() => this.killNow(), killAt - now);
      }
    } else if (killAt < this.ending.killAt) {
      // A forced stop, or a shorter deadline (the agent shutting down), during a graceful stop.
      this.ending.killAt = killAt;
      clearTimeout(this.killTimer);
      if (killAt <= now) this.killNow();
      else this.killTimer = setTimeout(() => this.killNow(), killAt - now);
    }
    await this.step?.exited;
  }

  private killNow(): void {
    clearTimeout(this.killTimer);
    if (this.ending && this.ending.killedAt === undefined) this.ending.killedAt = Date.now();
    this.step?.kill();
  }

  private async execute(): Promise<void> {
    const a = this.assignment;
    const { logs } = this.deps;
    logs.open(a.leaseId, a.logMaxBytes);
    this.workspace = await this.deps.workspaces.create(a.leaseId);
    const timeout = setTimeout(() => void this.timeOut(), a.timeoutSeconds * 1000);
    try {
      if (a.checkout && !(await this.checkOut(this.workspace))) return;
      for (const step of a.steps) {
        if (this.ending) return;
        const started = await this.report("step", { leaseId: a.leaseId, stepIndex: step.index, status: "RUNNING" });
        if (this.ending) return;
        if (!started.accepted || started.stop) {
          // The engine no longer wants this job (canceled, or its lease was revoked).
          this.deps.onUnwanted({ leaseId: a.leaseId, graceSeconds: a.graceSeconds, force: !started.accepted });
          return;
        }
        logs.system(a.leaseId, `$ ${step.run}\n`);
        this.step = this.deps.containment.spawn({
          leaseId: a.leaseId,
          run: step.run,
          cwd: this.workspace,
          env: this.stepEnv(this.workspace),
          output: {
            onData: (stream, chunk) => {
              logs.output(a.leaseId, stream, chunk);
              if (logs.congested) this.waitForLogs();
            },
          },
        });
        const { code, signal, leftovers } = await this.step.exited;
        if (leftovers) this.stopProblem = "processes of the step could not all be killed";
        if (this.ending) return;
        const ok = code === 0;
        if (!ok) logs.system(a.leaseId, `exit ${code ?? signal}\n`);
        await this.report("step", {
          leaseId: a.leaseId,
          stepIndex: step.index,
          status: ok ? "SUCCEEDED" : "FAILED",
          exitCode: code ?? 128,
        });
        if (!ok) {
          // The log is whole (with how much was dropped) before the build is reported ended.
          logs.close(a.leaseId);
          await logs.flush();
          await this.report("job", {
            leaseId: a.leaseId,
            status: "FAILED",
            reason: `step ${step.index + 1} exited with ${code ?? signal}`,
          });
          return;
        }
      }
      logs.close(a.leaseId);
      await logs.flush();
      await this.report("job", { leaseId: a.leaseId, status: "SUCCEEDED" });
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * The build's commit into the workspace (see `checkout.ts`), stoppable like a step. False when
   * the job is over: stopped meanwhile, or the checkout failed (the job is reported FAILED with
   * reason `checkout_failed`, git's message in the log).
   */
  private async checkOut(workspace: string): Promise<boolean> {
    const a = this.assignment;
    const checkout = a.checkout as NonNullable<JobAssignment["checkout"]>;
    const { logs } = this.deps;
    logs.system(a.leaseId, logNote("checkingOut", checkout.commit, checkout.url));
    this.step = this.deps.containment.spawn({
      leaseId: a.leaseId,
      run: CHECKOUT_SCRIPT,
      cwd: workspace,
      env: { ...this.stepEnv(workspace, false), ...checkoutEnv(checkout) },
      fd3Input: credentialInput(checkout),
      output: { onData: (stream, chunk) => logs.output(a.leaseId, stream, chunk) },
    });
    const { code, signal } = await this.step.exited;
    if (this.ending) return false;
    if (code === 0) return true;
    logs.system(a.leaseId, logNote("checkoutFailed", String(code ?? signal)));
    logs.close(a.leaseId);
    await logs.flush();
    await this.report("job", { leaseId: a.leaseId, status: "FAILED", reason: "checkout_failed" });
    return false;
  }

  private async timeOut(): Promise<void> {
    if (this.ending) return;
    const a = this.assignment;
    await this.stop({
      why: "timeout",
      graceMs: a.graceSeconds * 1000,
      force: false,
      reason: `timed out after ${a.timeoutSeconds}s`,
    });
    await this.finished;
    await this.report("job", {
      leaseId: a.leaseId,
      status: "TIMED_OUT",
      reason: `timed out after ${a.timeoutSeconds}s`,
    });
  }

  /**
   * The agent stopped this job itself because no engine answered (fenced): the engine is told
   * when one answers again (retried until then), unless it gave up on the job first (refused).
   */
  async reportFenced(): Promise<void> {
    await this.report("job", { leaseId: this.leaseId, status: "FAILED", reason: AGENT_FENCED });
  }

  /** Output waits to be shipped: stop reading the step until it has gone out. */
  private waitForLogs(): void {
    const step = this.step;
    if (!step) return;
    step.pauseOutput();
    void this.deps.logs.drained().then(() => step.resumeOutput());
  }

  /**
   * The step's environment: the job's (parameters, env, Sluice's variables), then what nothing
   * overrides. The checkout gets only the latter (`withJobEnv` false).
   */
  private stepEnv(workspace: string, withJobEnv = true): Record<string, string> {
    const user = this.deps.containment.info.stepUser;
    return {
      ...(withJobEnv ? this.assignment.env : {}),
      ...this.deps.baseEnv,
      HOME: workspace,
      USER: user,
      LOGNAME: user,
      SLUICE_LEASE_ID: this.leaseId,
      SLUICE_WORKSPACE: workspace,
    };
  }

  /**
   * A report, retried while the engine is away (restarting, failing over, out of disk) until it
   * answers — accepted, or refused because the lease is gone. A report that can never be
   * delivered is logged; the engine's reconciliation settles the job from the agent's leases.
   */
  private async report(kind: "step" | "job", report: StepReport | JobReport): Promise<ReportResult> {
    const result = await this.deliver(kind, report);
    if (kind === "job" && result.accepted) this.reportedEnd = true;
    return result;
  }

  private async deliver(kind: "step" | "job", report: StepReport | JobReport): Promise<ReportResult> {
    const { channel, agentId, log, stopped, onContact } = this.deps;
    try {
      const result = await retrying(
        () =>
          kind === "step"
            ? channel.reportStep(agentId(), report as StepReport)
            : channel.reportJob(agentId(), report as JobReport),
        {
          stopped,
          onRetry: (err, attempt) => attempt === 0 && log("report failed; retrying", { leaseId: this.leaseId, err }),
        },
      );
      onContact();
      return result;
    } catch (err) {
      log("report not delivered", { leaseId: this.leaseId, kind, err });
      return { accepted: false, stop: true };
    }
  }

  /** After the job: say how it stopped, ship the log, remove the workspace (reporting, not throwing). */
  private async cleanUp(): Promise<void> {
    const { logs, workspaces } = this.deps;
    clearTimeout(this.killTimer);
    if (this.ending) logs.system(this.leaseId, describeEnd(this.ending));
    const problem = await workspaces.remove(this.leaseId);
    if (problem) {
      this.deps.log("workspace not removed", { leaseId: this.leaseId, problem });
      logs.system(this.leaseId, logNote("workspaceNotRemoved", problem));
    }
    logs.close(this.leaseId);
    await logs.flush();
  }
}

function describeStop(r: StopRequest): string {
  const why = r.reason ? r.reason : r.why === "shutdown" ? stopReasonText({ kind: "shutdown" }) : "";
  if (r.force || r.graceMs <= 0) return logNote("stopNow", why);
  return logNote("stopAfterGrace", why, seconds(r.graceMs));
}

function describeEnd(e: Ending): string {
  const elapsed = Date.now() - e.at;
  if (e.killedAt === undefined) return logNote("stoppedBySigterm", seconds(elapsed));
  if (e.force || e.graceMs <= 0) return logNote("stoppedBySigkill");
  return logNote("stoppedAfterGrace", seconds(e.graceMs));
}

const seconds = (ms: number) => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)}s`;
