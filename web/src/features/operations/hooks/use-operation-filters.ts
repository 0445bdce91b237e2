import { OPERATION_SOURCES, OPERATION_STATUSES, type OperationStatus } from "@common/constants.ts";
import { useCallback, useMemo } from "react";
import type { OperationFilters } from "../../../lib/query-keys.ts";
import { setOrDelete, useUrlParams } from "../../../lib/use-url-params.ts";

/** The operations centre's filters live in the URL (`?source=user,api&requestedBy=dev&status=running`). */
export function useOperationFilters(): [OperationFilters, (next: Partial<OperationFilters>) => void] {
  const [params, changeParams] = useUrlParams();
  const sourceParam = params.get("source") ?? "";
  const requestedBy = params.get("requestedBy") ?? "";
  const statusParam = params.get("status") ?? "";
  const filters = useMemo<OperationFilters>(() => {
    const wanted = new Set(sourceParam.split(","));
    return {
      source: OPERATION_SOURCES.filter((s) => wanted.has(s)),
      requestedBy,
      status: (OPERATION_STATUSES as readonly string[]).includes(statusParam) ? (statusParam as OperationStatus) : "",
    };
  }, [sourceParam, requestedBy, statusParam]);

  const setFilters = useCallback(
    (next: Partial<OperationFilters>) => {
      changeParams((out) => {
        if (next.source !== undefined) setOrDelete(out, "source", next.source.join(","));
        if (next.requestedBy !== undefined) setOrDelete(out, "requestedBy", next.requestedBy);
        if (next.status !== undefined) setOrDelete(out, "status", next.status);
      });
    },
    [changeParams],
  );
  return [filters, setFilters];
}
