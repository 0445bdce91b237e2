/**
 * The fallback containment: where no PID namespace can be made, a job's processes are found by
 * the marker in their environment (`SLUICE_LEASE_ID=<lease>`), as Jenkins and the GitHub runner
 * do. One reaper per agent serves every lease being stopped: one pass over `/proc` per tick,
 * however many jobs are stopping at once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { processesWithEnv, signal } from "./proc.ts";

const TICK_MS = 50;
/** Passes before a lease whose processes will not die is given up (a process stuck in the kernel). */
const MAX_PASSES = 200;

type Request = { sig: NodeJS.Signals; untilGone: boolean; passes: number; done: (allGone: boolean) => void };

export const leaseMarker = (leaseId: string) => `SLUICE_LEASE_ID=${leaseId}`;

export class MarkerReaper {
  private readonly requests = new Map<string, Request[]>();
  private loop: Promise<void> | undefined;

  /** Sends `sig` once to every process carrying the lease's marker. */
  signal(leaseId: string, sig: NodeJS.Signals): Promise<boolean> {
    return this.enqueue(leaseId, sig, false);
  }

  /** SIGKILLs the lease's processes, pass after pass, until none is left; false if some never died. */
  killAll(leaseId: string): Promise<boolean> {
    return this.enqueue(leaseId, "SIGKILL", true);
  }

  private enqueue(leaseId: string, sig: NodeJS.Signals, untilGone: boolean): Promise<boolean> {
    return new Promise((done) => {
      const marker = leaseMarker(leaseId);
      this.requests.set(marker, [...(this.requests.get(marker) ?? []), { sig, untilGone, passes: 0, done }]);
      this.loop ??= this.run().finally(() => {
        this.loop = undefined;
      });
    });
  }

  private async run(): Promise<void> {
    while (this.requests.size > 0) {
      // Only requests made before the pass started are answered by it.
      const asked = [...this.requests].map(([marker, requests]) => [marker, [...requests]] as const);
      const found = await processesWithEnv(new Set(asked.map(([marker]) => marker)));
      const pidsOf = new Map<string, number[]>();
      for (const { pid, entry } of found) pidsOf.set(entry, [...(pidsOf.get(entry) ?? []), pid]);
      for (const [marker, requests] of asked) {
        const pids = pidsOf.get(marker) ?? [];
        const answered = new Set<Request>();
        for (const request of requests) {
          for (const pid of pids) signal(pid, request.sig);
          request.passes++;
          const finished = !request.untilGone || pids.length === 0 || request.passes >= MAX_PASSES;
          if (!finished) continue;
          request.done(!request.untilGone || pids.length === 0);
          answered.add(request);
        }
        const left = (this.requests.get(marker) ?? []).filter((r) => !answered.has(r));
        if (left.length > 0) this.requests.set(marker, left);
        else this.requests.delete(marker);
      }
      if (this.requests.size > 0) await sleep(TICK_MS);
    }
  }
}
