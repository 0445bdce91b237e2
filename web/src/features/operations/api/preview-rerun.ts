import type { RerunPreviewRequest, RerunPreviewResponse } from "@common/bff-api.ts";
import { queryOptions } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { bulkPath } from "../utils/bulk-path.ts";
import { PREVIEW_QUERY_DEFAULTS } from "./preview-options.ts";

export type PreviewRerunInput = {
  project: string;
  /** Null: project-wide. */
  pipeline: string | null;
  request: RerunPreviewRequest;
};

/** What a re-run would reach, changing nothing. */
export function previewRerun({ project, pipeline, request }: PreviewRerunInput, signal?: AbortSignal) {
  return api<RerunPreviewResponse>(`${bulkPath(project, pipeline, "reruns")}/preview`, {
    method: "POST",
    body: request,
    signal,
  });
}

export const rerunPreviewQueryOptions = (input: PreviewRerunInput) =>
  queryOptions({
    queryKey: queryKeys.bulkPreview("rerun", input.project, input.pipeline, input.request),
    queryFn: ({ signal }) => previewRerun(input, signal),
    ...PREVIEW_QUERY_DEFAULTS,
  });
