import { OPERATION_KINDS, type OperationKind } from "@common/constants.ts";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { AuditFilters } from "../../../lib/query-keys.ts";

function isOperationKind(value: string): value is OperationKind {
  return (OPERATION_KINDS as readonly string[]).includes(value);
}

/** The audit log's filters live in the URL (`?actor=dev&action=cancel`). */
export function useAuditFilters(): [AuditFilters, (next: Partial<AuditFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const actor = params.get("actor") ?? "";
  const actionParam = params.get("action") ?? "";
  const filters = useMemo<AuditFilters>(
    () => ({ actor, action: isOperationKind(actionParam) ? actionParam : "" }),
    [actor, actionParam],
  );
  const setFilters = useCallback(
    (next: Partial<AuditFilters>) => {
      setParams(
        (current) => {
          const out = new URLSearchParams(current);
          for (const [key, value] of Object.entries(next)) {
            if (value === undefined) continue;
            if (value.trim() === "") out.delete(key);
            else out.set(key, value.trim());
          }
          return out;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return [filters, setFilters];
}
