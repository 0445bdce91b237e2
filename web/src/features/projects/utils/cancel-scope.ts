import type { CancelFilter } from "@common/dto.ts";

/** The project page's choice of builds to cancel: a branch (all when empty) and pipelines (all when none). */
export type CancelScope = { branch: string; pipelines: string[] };

export const ALL_BUILDS: CancelScope = { branch: "", pipelines: [] };

/** Queued and running builds in the chosen pipelines and on the chosen branch, as a project-wide filter. */
export function cancelFilterOf(scope: CancelScope): CancelFilter {
  return {
    status: ["QUEUED", "RUNNING"],
    ...(scope.branch ? { branch: scope.branch } : {}),
    ...(scope.pipelines.length > 0 ? { pipelines: scope.pipelines } : {}),
  };
}
