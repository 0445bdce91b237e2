import { BUILD_TRIGGER_KINDS, type BuildTriggerKind } from "@common/contract/builds.ts";
import type { BuildStatus } from "@common/statuses.ts";
import { BUILD_STATUSES } from "@common/statuses.ts";
import { useCallback, useMemo } from "react";
import type { HistoryFilters } from "../../../lib/query-keys.ts";
import { setOrDelete, useUrlParams } from "../../../lib/use-url-params.ts";

/**
 * The filters live in the URL (`?status=RUNNING,QUEUED&branch=main&trigger=push&pr=12`) so a
 * filtered view can be shared.
 */
export function useHistoryFilters(): [HistoryFilters, (next: Partial<HistoryFilters>) => void] {
  const [params, changeParams] = useUrlParams();
  const statusParam = params.get("status") ?? "";
  const branch = params.get("branch") ?? "";
  const trigger = parseTrigger(params.get("trigger"));
  const pullRequest = parsePullRequest(params.get("pr"));
  const filters = useMemo(
    () => ({
      status: parseStatuses(statusParam),
      branch,
      ...(trigger ? { trigger } : {}),
      ...(pullRequest !== undefined ? { pullRequest } : {}),
    }),
    [statusParam, branch, trigger, pullRequest],
  );

  const setFilters = useCallback(
    (next: Partial<HistoryFilters>) => {
      changeParams((out) => {
        if (next.status !== undefined) setOrDelete(out, "status", next.status.join(","));
        if (next.branch !== undefined) setOrDelete(out, "branch", next.branch);
        if ("trigger" in next) setOrDelete(out, "trigger", next.trigger ?? "");
        if ("pullRequest" in next)
          setOrDelete(out, "pr", next.pullRequest === undefined ? "" : String(next.pullRequest));
      });
    },
    [changeParams],
  );
  return [filters, setFilters];
}

function parseTrigger(text: string | null): BuildTriggerKind | undefined {
  return BUILD_TRIGGER_KINDS.find((kind) => kind === text);
}

function parsePullRequest(text: string | null): number | undefined {
  return text !== null && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
}

function parseStatuses(text: string): BuildStatus[] {
  const wanted = new Set(text.split(",").map((s) => s.trim().toUpperCase()));
  // In the canonical order, so `?status=B,A` and `?status=A,B` share one cache entry.
  return BUILD_STATUSES.filter((status) => wanted.has(status));
}
