/**
 * A step as a process group: `bash -c` in its own session, so one signal to the group reaches
 * every process the step started, including ones it put in the background.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";

export type StepProcess = {
  child: ChildProcess;
  pgid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export function spawnStep(opts: {
  run: string;
  cwd: string;
  env: Record<string, string>;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}): StepProcess {
  const child = spawn("bash", ["-c", opts.run], {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.setEncoding("utf8").on("data", (text: string) => opts.onOutput("stdout", text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => opts.onOutput("stderr", text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", () => resolve({ code: 127, signal: null }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, pgid: child.pid ?? -1, exited };
}

/** Sends `signal` to every process of the group; false when none is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any live (non-zombie) process of the group remains. */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0 as unknown as NodeJS.Signals)) return false;
  return livePidsInGroup(pgid).length > 0;
}

function livePidsInGroup(pgid: number): number[] {
  return liveProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/** Every live (non-zombie) process on the machine, with its process group. */
export function liveProcesses(): { pid: number; pgrp: number }[] {
  const live: { pid: number; pgrp: number }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") live.push({ pid: Number(entry), pgrp: Number(fields[2]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return live;
}

/** Whether a process's environment holds `entry` (`NAME=value`); false once it is gone. */
export function hasEnvEntry(pid: number, entry: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(entry);
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops a group: SIGTERM, then SIGKILL once `graceMs` has passed (at once when `graceMs` is 0),
 * and waits until no live process of it remains.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<"terminated" | "killed" | "gone"> {
  if (!groupAlive(pgid)) return "gone";
  if (graceMs > 0) {
    signalGroup(pgid, "SIGTERM");
    const until = Date.now() + graceMs;
    while (Date.now() < until) {
      if (!groupAlive(pgid)) return "terminated";
      await sleep(Math.min(50, Math.max(1, until - Date.now())));
    }
  }
  signalGroup(pgid, "SIGKILL");
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(20);
  return "killed";
}
