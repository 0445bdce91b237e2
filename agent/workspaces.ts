/**
 * Job workspaces and the records that let a restarted agent find what a crashed one left.
 * Everything here is asynchronous and never throws at the caller for a workspace it cannot
 * remove: a step may leave files nobody can delete, and the agent must survive that.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import type { StepUser } from "./containment/step-user.ts";

const RECORDS = ".leases";

export class Workspaces {
  constructor(
    readonly root: string,
    private readonly owner: StepUser | undefined,
  ) {}

  /** The root (readable by the step user, not listable) and the records folder. */
  async prepare(): Promise<void> {
    await fsp.mkdir(path.join(this.root, RECORDS), { recursive: true, mode: 0o700 });
    await fsp.chmod(this.root, 0o711);
    await fsp.chmod(path.join(this.root, RECORDS), 0o700);
  }

  pathOf(leaseId: string): string {
    return path.join(this.root, leaseId);
  }

  /** A fresh workspace owned by the step user, and the record that it is in use. */
  async create(leaseId: string): Promise<string> {
    const dir = this.pathOf(leaseId);
    await fsp.writeFile(path.join(this.root, RECORDS, leaseId), "");
    await fsp.mkdir(dir, { mode: 0o700 });
    if (this.owner) await fsp.chown(dir, this.owner.uid, this.owner.gid);
    return dir;
  }

  /** Removes a job's workspace and record; returns the problem instead of throwing. */
  async remove(leaseId: string): Promise<string | undefined> {
    const problem = await removeTree(this.pathOf(leaseId));
    await fsp.rm(path.join(this.root, RECORDS, leaseId), { force: true }).catch(() => {});
    return problem;
  }

  /** Leases a previous run of the agent left records of (it crashed or was killed). */
  async leftoverLeases(): Promise<string[]> {
    return fsp.readdir(path.join(this.root, RECORDS)).catch(() => []);
  }

  /** Removes every workspace and record left in the root; returns the problems, one per path. */
  async clear(): Promise<string[]> {
    const entries = await fsp.readdir(this.root).catch(() => [] as string[]);
    const problems: string[] = [];
    for (const entry of entries) {
      if (entry === RECORDS) continue;
      const problem = await removeTree(path.join(this.root, entry));
      if (problem) problems.push(problem);
    }
    for (const record of await this.leftoverLeases()) {
      await fsp.rm(path.join(this.root, RECORDS, record), { force: true }).catch(() => {});
    }
    return problems;
  }
}

/**
 * Removes a tree. A directory a step made unreadable is opened up first (owner permissions); what
 * still cannot be removed (an immutable file) is reported, not thrown.
 */
async function removeTree(dir: string): Promise<string | undefined> {
  try {
    await fsp.rm(dir, { recursive: true, force: true, maxRetries: 2 });
    return undefined;
  } catch {
    await openUp(dir);
  }
  try {
    await fsp.rm(dir, { recursive: true, force: true, maxRetries: 2 });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `could not remove ${e.path ?? dir}: ${e.code ?? e.message}`;
  }
}

async function openUp(dir: string): Promise<void> {
  try {
    const stat = await fsp.lstat(dir);
    if (!stat.isDirectory()) return;
    await fsp.chmod(dir, 0o700);
    for (const entry of await fsp.readdir(dir)) await openUp(path.join(dir, entry));
  } catch {
    // Best effort: what stays closed is reported by the removal.
  }
}
