/**
 * Reading `/proc`: the processes on the machine, their state and environment. Asynchronous, so
 * a sweep never blocks the event loop the engine shares with an in-process agent.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";

export type ProcStat = { pid: number; ppid: number; pgrp: number; state: string; startTime: number };

/** Every process id visible in this `/proc`. */
export async function listPids(): Promise<number[]> {
  const entries = await fsp.readdir("/proc");
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

/** A process's state, parent, group and start time (clock ticks since boot); undefined once it is gone. */
export async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseStat(pid, await fsp.readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

export function readStatSync(pid: number): ProcStat | undefined {
  try {
    return parseStat(pid, fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

function parseStat(pid: number, stat: string): ProcStat {
  // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp, ...
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

/** The `NAME=value` entries of a process's environment; undefined when it is gone or unreadable. */
export async function readEnviron(pid: number): Promise<string[] | undefined> {
  try {
    return (await fsp.readFile(`/proc/${pid}/environ`, "utf8")).split("\0");
  } catch {
    return undefined;
  }
}

/** The direct children of a process (needs CONFIG_PROC_CHILDREN, which every common kernel has). */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(" ")
      .filter((s) => s.trim() !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** Sends a signal; false when the process (or group, for a negative id) is gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  if (pid === 0 || pid === -1) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) processes whose environment holds one of `entries` (`NAME=value`), with the
 * entry they hold. One pass over `/proc`, however many entries are asked for.
 */
export async function processesWithEnv(entries: ReadonlySet<string>): Promise<{ pid: number; entry: string }[]> {
  if (entries.size === 0) return [];
  const found: { pid: number; entry: string }[] = [];
  const self = process.pid;
  await Promise.all(
    (await listPids()).map(async (pid) => {
      if (pid === self) return;
      const env = await readEnviron(pid);
      const entry = env?.find((e) => entries.has(e));
      if (entry === undefined) return;
      const stat = await readStat(pid);
      if (stat && stat.state !== "Z") found.push({ pid, entry });
    }),
  );
  return found;
}
