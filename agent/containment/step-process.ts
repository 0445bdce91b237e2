/**
 * One step as running processes, whatever the containment: start it, pass its output on (with
 * backpressure), stop it gracefully or at once, and know when every process it started is gone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

export type StepExit = { code: number | null; signal: NodeJS.Signals | null };
export type OutputStream = "stdout" | "stderr";

export type StepOutput = {
  onData: (stream: OutputStream, chunk: Buffer) => void;
};

/** How long output may stay open after the step ended (an escaped child of the fallback holding it). */
const OUTPUT_CLOSE_WAIT_MS = 10_000;

/**
 * What a containment mechanism supplies: how to start the step, and how to signal and reap every
 * process it started.
 */
export type ProcessControl = {
  argv: string[];
  /** Sends SIGTERM to every process of the step. */
  terminate(pid: number): void;
  /** SIGKILLs every process of the step. */
  kill(pid: number): void;
  /** After the step's own process exited: resolves once none of its processes is left. */
  reap(pid: number): Promise<boolean>;
};

export class StepProcess {
  readonly pid: number;
  /** Resolves when the step ended, every process it started is gone and its output is read. */
  readonly exited: Promise<StepExit & { leftovers: boolean }>;
  private readonly child: ChildProcess;
  private ended = false;

  constructor(
    private readonly control: ProcessControl,
    opts: {
      cwd: string;
      env: Record<string, string>;
      output: StepOutput;
      /** Written to a pipe on the process's file descriptor 3, then closed (a secret kept out of argv and env). */
      fd3Input?: string | undefined;
    },
  ) {
    const [command, ...args] = control.argv as [string, ...string[]];
    this.child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: opts.fd3Input === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "pipe", "pipe"],
    });
    if (opts.fd3Input !== undefined) {
      const fd3 = this.child.stdio[3] as Writable;
      // Nobody reading it (git never asked) is fine.
      fd3.on("error", () => {});
      fd3.end(opts.fd3Input);
    }
    this.pid = this.child.pid ?? -1;
    this.child.stdout?.on("data", (chunk: Buffer) => opts.output.onData("stdout", chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => opts.output.onData("stderr", chunk));
    this.exited = this.waitForEnd();
  }

  get running(): boolean {
    return !this.ended;
  }

  terminate(): void {
    if (!this.ended) this.control.terminate(this.pid);
  }

  kill(): void {
    if (!this.ended) this.control.kill(this.pid);
  }

  pauseOutput(): void {
    this.child.stdout?.pause();
    this.child.stderr?.pause();
  }

  resumeOutput(): void {
    this.child.stdout?.resume();
    this.child.stderr?.resume();
  }

  private async waitForEnd(): Promise<StepExit & { leftovers: boolean }> {
    const closed = once(this.child, "close").catch(() => undefined);
    const exit = await new Promise<StepExit>((resolve) => {
      this.child.once("error", () => resolve({ code: 127, signal: null }));
      this.child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const reaped = this.pid > 0 ? await this.control.reap(this.pid) : true;
    this.ended = true;
    const abort = new AbortController();
    const outputClosed = await Promise.race([
      closed.then(() => true),
      sleep(OUTPUT_CLOSE_WAIT_MS, false, { signal: abort.signal }).catch(() => false),
    ]);
    abort.abort();
    if (!outputClosed) {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }
    return { ...exit, leftovers: !reaped || !outputClosed };
  }
}
