import type { CancellationPreviewRequest, CancellationPreviewResponse } from "@common/bff-api.ts";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
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
  return pipeline
    ? callApi("previewCancel", { params: { project, pipeline }, body: request, signal })
    : callApi("previewProjectCancel", { params: { project }, body: request, signal });
}

export const cancellationPreviewQueryOptions = (input: PreviewCancellationInput) =>
  queryOptions({
    queryKey: queryKeys.bulkPreview("cancel", input.project, input.pipeline, input.request),
    queryFn: ({ signal }) => previewCancellation(input, signal),
    ...PREVIEW_QUERY_DEFAULTS,
  });
