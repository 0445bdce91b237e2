import { OPERATION_KINDS, type OperationKind } from "@common/constants.ts";
import { useCallback, useMemo } from "react";
import type { AuditFilters } from "../../../lib/query-keys.ts";
import { setOrDelete, useUrlParams } from "../../../lib/use-url-params.ts";

function isOperationKind(value: string): value is OperationKind {
  return (OPERATION_KINDS as readonly string[]).includes(value);
}

/** The audit log's filters live in the URL (`?actor=dev&action=cancel`). */
export function useAuditFilters(): [AuditFilters, (next: Partial<AuditFilters>) => void] {
  const [params, changeParams] = useUrlParams();
  const actor = params.get("actor") ?? "";
  const actionParam = params.get("action") ?? "";
  const filters = useMemo<AuditFilters>(
    () => ({ actor, action: isOperationKind(actionParam) ? actionParam : "" }),
    [actor, actionParam],
  );
  const setFilters = useCallback(
    (next: Partial<AuditFilters>) => {
      changeParams((out) => {
        for (const [key, value] of Object.entries(next)) {
          if (value !== undefined) setOrDelete(out, key, value);
        }
      });
    },
    [changeParams],
  );
  return [filters, setFilters];
}
