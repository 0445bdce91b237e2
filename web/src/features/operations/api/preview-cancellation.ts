import type { CancellationPreviewRequest, CancellationPreviewResponse } from "@common/bff-api.ts";
import { queryOptions } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { bulkPath } from "../utils/bulk-path.ts";
import { PREVIEW_QUERY_DEFAULTS } from "./preview-options.ts";

export type PreviewCancellationInput = {
  project: string;
  /** Null: project-wide. */
  pipeline: string | null;
  request: CancellationPreviewRequest;
};

/** What a cancel would reach, changing nothing; the answer's `snapshot` binds the confirm to it. */
export function previewCancellation(
  { project, pipeline, request }: PreviewCancellationInput,
  signal?: AbortSignal,
): Promise<CancellationPreviewResponse> {
  return api<CancellationPreviewResponse>(`${bulkPath(project, pipeline, "cancellations")}/preview`, {
    method: "POST",
    body: request,
    signal,
  });
}

export const cancellationPreviewQueryOptions = (input: PreviewCancellationInput) =>
  queryOptions({
    queryKey: queryKeys.bulkPreview("cancel", input.project, input.pipeline, input.request),
    queryFn: ({ signal }) => previewCancellation(input, signal),
    ...PREVIEW_QUERY_DEFAULTS,
  });
