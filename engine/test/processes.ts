/**
 * What the tests ask the machine: which processes of a build are still alive. A build id alone
 * is not unique on a machine (another Sluice instance reuses it), so a process counts only when
 * its workspace is under this instance's work dir.
 */
import fs from "node:fs/promises";
import { listPids, readEnviron, readStat } from "../../agent/containment/proc.ts";

/** Live (non-zombie) processes of `buildId` whose workspace is under `workDir`. */
export async function processesOfBuild(workDir: string, buildId: number): Promise<number[]> {
  const build = `SLUICE_BUILD_ID=${buildId}`;
  const workspace = `SLUICE_WORKSPACE=${workDir.replace(/\/$/, "")}/`;
  return processesWhere((env) => env.includes(build) && env.some((e) => e.startsWith(workspace)));
}

/**
 * Live processes with an argument equal to `text` (or ending with it, with `suffix`): tests give
 * processes that escape their job a unique argument, such as `sleep 300.<nonce>`.
 */
export async function processesWithArg(text: string, opts: { suffix?: boolean } = {}): Promise<number[]> {
  const found: number[] = [];
  const matches = (arg: string) => (opts.suffix ? arg.endsWith(text) : arg === text);
  for (const pid of await listPids()) {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.split("\0").some(matches)) continue;
    const stat = await readStat(pid);
    if (stat && stat.state !== "Z") found.push(pid);
  }
  return found;
}

async function processesWhere(match: (env: string[]) => boolean): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const env = await readEnviron(pid);
    if (!env || !match(env)) continue;
    const stat = await readStat(pid);
    if (stat && stat.state !== "Z") found.push(pid);
  }
  return found;
}
