/**
 * The build changes the page's stream delivered lately, per pipeline, kept in the query client. A
 * fetched page is the server's snapshot from when it was asked for: changes that arrived while it
 * was on its way are applied to it again, or its answer would put rows back where they were (a
 * build the stream had shown Canceled read Canceling again from a refetch asked a moment before,
 * and stayed so, since no change of it ever comes again).
 */
import type { BuildChange, HistoryResponse } from "@common/bff-api.ts";
import type { QueryClient } from "@tanstack/react-query";
import { type HistoryFilters, queryKeys } from "../../../lib/query-keys.ts";
import { applyBuildChanges } from "./apply-build-changes.ts";

/** Longer than any fetch takes; changes older than a fetch are in its answer already. */
const KEEP_MS = 60_000;

type Received = { at: number; changes: readonly BuildChange[] };

export function rememberChanges(
  client: QueryClient,
  project: string,
  pipeline: string,
  changes: readonly BuildChange[],
): void {
  const now = Date.now();
  client.setQueryData<Received[]>(queryKeys.streamedChanges(project, pipeline), (old = []) => [
    ...old.filter((received) => now - received.at < KEEP_MS),
    { at: now, changes },
  ]);
}

/**
 * `page` with the changes received since `asked` applied: to the rows it holds and, on the first
 * page, as new rows above its newest. A change it already includes changes nothing (a status only
 * moves on).
 */
export function withChangesSince(
  client: QueryClient,
  target: { project: string; pipeline: string; filters: HistoryFilters; first: boolean },
  page: HistoryResponse,
  asked: number,
): HistoryResponse {
  const received = client.getQueryData<Received[]>(queryKeys.streamedChanges(target.project, target.pipeline)) ?? [];
  const since = received.filter((r) => r.at >= asked).flatMap((r) => r.changes);
  if (since.length === 0) return page;
  const held = new Set(page.builds.items.map((build) => build.id));
  const newest = page.builds.items[0]?.number ?? 0;
  const relevant = since.filter((change) => held.has(change.id) || (target.first && change.number > newest));
  if (relevant.length === 0) return page;
  const { data } = applyBuildChanges({ pages: [page], pageParams: [null] }, relevant, target.filters);
  return data.pages[0] ?? page;
}
