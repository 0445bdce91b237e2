import type { BuildStatus } from "@common/statuses.ts";
import { BUILD_STATUSES } from "@common/statuses.ts";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { HistoryFilters } from "../../../lib/query-keys.ts";

/** The status and branch filters live in the URL (`?status=RUNNING,QUEUED&branch=main`) so a filtered view can be shared. */
export function useHistoryFilters(): [HistoryFilters, (next: Partial<HistoryFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const statusParam = params.get("status") ?? "";
  const branch = params.get("branch") ?? "";
  const filters = useMemo(() => ({ status: parseStatuses(statusParam), branch }), [statusParam, branch]);

  const setFilters = useCallback(
    (next: Partial<HistoryFilters>) => {
      setParams(
        (current) => {
          const out = new URLSearchParams(current);
          if (next.status !== undefined) setOrDelete(out, "status", next.status.join(","));
          if (next.branch !== undefined) setOrDelete(out, "branch", next.branch.trim());
          return out;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return [filters, setFilters];
}

function parseStatuses(text: string): BuildStatus[] {
  const wanted = new Set(text.split(",").map((s) => s.trim().toUpperCase()));
  // In the canonical order, so `?status=B,A` and `?status=A,B` share one cache entry.
  return BUILD_STATUSES.filter((status) => wanted.has(status));
}

function setOrDelete(params: URLSearchParams, key: string, value: string): void {
  if (value === "") params.delete(key);
  else params.set(key, value);
}
