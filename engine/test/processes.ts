/** What the tests ask the machine: which processes of a build are still alive. */
import { hasEnvEntry, liveProcesses } from "../../agent/process-group.ts";

/** Live (non-zombie) processes whose environment says they belong to this build. */
export function processesOfBuild(buildId: number): number[] {
  return liveProcesses()
    .filter((p) => hasEnvEntry(p.pid, `SLUICE_BUILD_ID=${buildId}`))
    .map((p) => p.pid);
}
