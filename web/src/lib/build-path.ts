/** A build's address in the page: by the number people see in its pipeline, not its database id. */
export function buildPath(build: { project: string; pipeline: string; number: number }): string {
  return `/projects/${encodeURIComponent(build.project)}/pipelines/${encodeURIComponent(build.pipeline)}/builds/${build.number}`;
}
