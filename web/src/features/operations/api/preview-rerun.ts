import type { RerunPreviewRequest } from "@common/bff-api.ts";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../../../lib/api-client.ts";
import { queryKeys } from "../../../lib/query-keys.ts";
import { PREVIEW_QUERY_DEFAULTS } from "./preview-options.ts";

export type PreviewRerunInput = {
  project: string;
  /** Null: project-wide. */
  pipeline: string | null;
  request: RerunPreviewRequest;
};

/** What a re-run would reach, changing nothing. */
export function previewRerun({ project, pipeline, request }: PreviewRerunInput, signal?: AbortSignal) {
  return pipeline
    ? callApi("previewRerun", { params: { project, pipeline }, body: request, signal })
    : callApi("previewProjectRerun", { params: { project }, body: request, signal });
}

export const rerunPreviewQueryOptions = (input: PreviewRerunInput) =>
  queryOptions({
    queryKey: queryKeys.bulkPreview("rerun", input.project, input.pipeline, input.request),
    queryFn: ({ signal }) => previewRerun(input, signal),
    ...PREVIEW_QUERY_DEFAULTS,
  });
