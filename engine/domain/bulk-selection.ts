/**
 * How a filter-based bulk cancel narrows what it matched: builds on branches the project protects
 * are left out (unless the request reaches them explicitly), then the newest per branch, pipeline
 * or concurrency group are kept. Pure: the preview and the accept both decide with this.
 */
import type { KeepNewestPer } from "../../common/constants.ts";
import { branchMatches } from "./branch-filter.ts";

export type Candidate = { id: number; pipeline_id: number; branch: string; concurrency_group: string | null };

export type Narrowing = {
  keepNewest?: { per: KeepNewestPer; count: number } | undefined;
  /** The project's protected branch patterns that apply (none when the request includes them). */
  protectedBranches?: readonly string[] | undefined;
};

export type Narrowed = {
  /** Left out: on a protected branch. */
  leftOut: number[];
  /** Kept: among the newest `count` of their key. Newest first. */
  kept: number[];
  /** How many keys (branches, pipelines, groups) the kept builds belong to. */
  keys: number;
};

/** A branch is protected when a pattern matches it (GitHub's branch-filter semantics, `!` included). */
export function isProtectedBranch(branch: string, patterns: readonly string[]): boolean {
  return patterns.length > 0 && branchMatches(branch, { branches: patterns });
}

/**
 * A branch counts per pipeline (main of `api` and main of `web` are two branches); builds
 * without a concurrency group count as one group.
 */
export function keyOf(per: KeepNewestPer, c: Candidate): string {
  switch (per) {
    case "branch":
      return `${c.pipeline_id}\u0000${c.branch}`;
    case "pipeline":
      return String(c.pipeline_id);
    case "group":
      return c.concurrency_group ?? "\u0000";
    default: {
      const never: never = per;
      throw new Error(`unknown keepNewest.per ${String(never)}`);
    }
  }
}

/** What `narrowing` takes out of `candidates`; newer builds have higher ids. */
export function narrow(candidates: readonly Candidate[], narrowing: Narrowing): Narrowed {
  const patterns = narrowing.protectedBranches ?? [];
  const leftOut: number[] = [];
  const reached: Candidate[] = [];
  for (const c of candidates) {
    if (isProtectedBranch(c.branch, patterns)) leftOut.push(c.id);
    else reached.push(c);
  }
  const keep = narrowing.keepNewest;
  if (!keep) return { leftOut, kept: [], keys: 0 };
  const seen = new Map<string, number>();
  const kept: number[] = [];
  for (const c of [...reached].sort((a, b) => b.id - a.id)) {
    const key = keyOf(keep.per, c);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n < keep.count) kept.push(c.id);
  }
  return { leftOut, kept, keys: seen.size };
}

/** The median of some numbers (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
