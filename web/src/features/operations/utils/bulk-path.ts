/** Where a bulk action of the page goes: `/api/projects/{p}/pipelines/{x}/{what}`, or project-wide without a pipeline. */
export function bulkPath(
  project: string,
  pipeline: string | null | undefined,
  what: "cancellations" | "reruns",
): string {
  const base = `/api/projects/${encodeURIComponent(project)}`;
  return pipeline ? `${base}/pipelines/${encodeURIComponent(pipeline)}/${what}` : `${base}/${what}`;
}
