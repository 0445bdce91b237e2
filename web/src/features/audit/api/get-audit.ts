import type { AuditResponse } from "@common/bff-api.ts";
import { PAGE_ROUTES } from "@common/contract/page-routes.ts";
import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { apiPath, apiUrl, callApi } from "../../../lib/api-client.ts";
import { type AuditFilters, queryKeys } from "../../../lib/query-keys.ts";

const PAGE_SIZE = 50;

export function getAudit(
  project: string,
  filters: AuditFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<AuditResponse> {
  return callApi("audit", {
    params: { project },
    query: { actor: filters.actor, action: filters.action, cursor, limit: PAGE_SIZE },
    signal,
  });
}

/** The audit log, newest first, one page after another (maintainers and admins; others get 403). */
export const auditQueryOptions = (project: string, filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: queryKeys.audit(project, filters),
    queryFn: ({ pageParam, signal }) => getAudit(project, filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

export function useAudit(project: string, filters: AuditFilters) {
  return useInfiniteQuery(auditQueryOptions(project, filters));
}

/** Every entry matching the filters as a CSV file (a download, not a query). */
export function auditCsvUrl(project: string, filters: AuditFilters): string {
  return apiUrl(apiPath(PAGE_ROUTES.auditCsv, { project }), {
    actor: filters.actor,
    action: filters.action,
  });
}
