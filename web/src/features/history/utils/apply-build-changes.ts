/**
 * Applies a pipeline stream's `BuildChange`s to the cached history pages, the way the server
 * would have answered: rows we hold change in place (same object for untouched rows, so the
 * table re-renders only what moved) or, once their status leaves the view's status filter, leave
 * it; builds we do not hold but that belong on screen are inserted as partial rows that a later
 * fetch of the newest page completes.
 */

import type { BuildChange, HistoryResponse } from "@common/bff-api.ts";
import type { Build } from "@common/dto.ts";
import { isLaterStatus, isTerminal } from "@common/statuses.ts";
import type { InfiniteData } from "@tanstack/react-query";
import { byTrigger, type HistoryFilters } from "../../../lib/query-keys.ts";

export type HistoryPages = InfiniteData<HistoryResponse, string | null>;

export type ApplyResult = {
  data: HistoryPages;
  /** Some rows were inserted from a change alone and lack fields (commit, trigger user) only a fetch brings. */
  incomplete: boolean;
};

export function applyBuildChanges(
  data: HistoryPages,
  changes: readonly BuildChange[],
  filters: HistoryFilters,
): ApplyResult {
  const pages = data.pages.map((page) => ({ page, items: page.builds.items, changed: false }));
  const where = new Map<number, [page: number, item: number]>();
  pages.forEach(({ items }, p) => {
    items.forEach((build, i) => {
      where.set(build.id, [p, i]);
    });
  });
  let incomplete = false;
  // Rows whose new status the view's filter excludes: dropped at the end, so positions stay valid meanwhile.
  const gone = new Set<number>();

  for (const change of changes) {
    const at = where.get(change.id);
    if (at) {
      const entry = pages[at[0]]!;
      const before = entry.items[at[1]]!;
      const after = patchBuild(before, change);
      if (after !== before) {
        if (!entry.changed) entry.items = [...entry.items];
        entry.items[at[1]] = after;
        entry.changed = true;
        if (filters.status.length > 0 && !filters.status.includes(after.status)) gone.add(after.id);
      }
      continue;
    }
    if (!matches(change, filters) || !belongsToLoadedRange(change, data)) continue;
    // A change does not say what triggered its build: the newest page, fetched with the filter, will.
    if (byTrigger(filters)) {
      incomplete = true;
      continue;
    }
    const p = pageFor(change.number, pages);
    const entry = pages[p]!;
    const items = [...entry.items, partialBuild(change, data)].sort((a, b) => b.number - a.number);
    entry.items = items;
    entry.changed = true;
    items.forEach((build, i) => {
      where.set(build.id, [p, i]);
    });
    incomplete = true;
  }

  if (gone.size > 0) {
    for (const entry of pages) {
      if (entry.changed) entry.items = entry.items.filter((build) => !gone.has(build.id));
    }
  }
  if (!pages.some((entry) => entry.changed)) return { data, incomplete };
  return {
    data: {
      ...data,
      pages: pages.map(({ page, items, changed }) => (changed ? { ...page, builds: { ...page.builds, items } } : page)),
    },
    incomplete,
  };
}

/** A build as the change leaves it; a status never goes back, so news of an earlier one is ignored. */
export function patchBuild(build: Build, change: BuildChange): Build {
  if (!isLaterStatus(change.status, build.status)) return build;
  const next: Build = { ...build, status: change.status };
  if (change.status === "RUNNING" && next.startedAt === null) next.startedAt = change.at;
  if (isTerminal(change.status)) next.finishedAt = change.at;
  if (change.operationId !== null && change.by !== null) {
    next.cancel = {
      by: change.by,
      reason: change.reason,
      operationId: change.operationId,
      at: build.cancel?.at ?? change.at,
    };
  } else if (change.reason !== null) {
    next.statusReason = change.reason;
  }
  return next;
}

/**
 * Fields a fetched page brings, merged into the cache: a fetched row replaces ours unless ours is
 * further along (the fetch may have started before the change that moved it arrived).
 */
export function mergeNewestPage(data: HistoryPages, fetched: HistoryResponse): HistoryPages {
  const fresh = new Map(fetched.builds.items.map((build) => [build.id, build]));
  const pages = data.pages.map((page) => {
    let changed = false;
    const items = page.builds.items.map((build) => {
      const update = fresh.get(build.id);
      if (!update) return build;
      fresh.delete(build.id);
      if (isLaterStatus(build.status, update.status)) return build;
      changed = true;
      return update;
    });
    return changed ? { ...page, builds: { ...page.builds, items } } : page;
  });
  const first = pages[0];
  if (first && fresh.size > 0) {
    const items = [...first.builds.items, ...fresh.values()].sort((a, b) => b.number - a.number);
    pages[0] = { ...first, builds: { ...first.builds, items } };
  }
  return { ...data, pages };
}

export function matches(change: Pick<BuildChange, "status" | "branch">, filters: HistoryFilters): boolean {
  return (
    (filters.status.length === 0 || filters.status.includes(change.status)) &&
    (filters.branch === "" || filters.branch === change.branch)
  );
}

/** Newer than the oldest row we hold, or everything is loaded: the build would be on screen. */
function belongsToLoadedRange(change: BuildChange, data: HistoryPages): boolean {
  const last = data.pages.at(-1);
  if (!last || last.builds.nextCursor === null) return true;
  const oldest = last.builds.items.at(-1);
  return oldest === undefined || change.number > oldest.number;
}

/** The first page whose oldest row is older than the build. */
function pageFor(number: number, pages: readonly { items: readonly Build[] }[]): number {
  const index = pages.findIndex(({ items }) => {
    const oldest = items.at(-1);
    return oldest === undefined || oldest.number < number;
  });
  return index < 0 ? pages.length - 1 : index;
}

/** A row from the change alone, as if we had seen the build in its previous status (new builds start QUEUED). */
function partialBuild(change: BuildChange, data: HistoryPages): Build {
  const pipeline = data.pages[0]?.pipeline;
  const build: Build = {
    id: change.id,
    project: pipeline?.project ?? "",
    pipeline: pipeline?.name ?? "",
    number: change.number,
    status: change.from ?? "QUEUED",
    branch: change.branch,
    commit: "",
    params: {},
    triggeredBy: change.created && change.by !== null ? change.by : "",
    concurrencyGroup: null,
    statusReason: null,
    createdAt: change.at,
    startedAt: null,
    finishedAt: null,
  };
  return patchBuild(build, change);
}
