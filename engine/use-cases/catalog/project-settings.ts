/** A project's settings for bulk cancels, read from its row with their defaults. */
import type { Project } from "../../../common/dto.ts";
import type { ProjectRow } from "../../store/projects-repo.ts";

export type BulkCancelSettings = Project["bulkCancel"];

export const BULK_CANCEL_DEFAULTS: BulkCancelSettings = {
  minimumRole: "developer",
  confirmAbove: 100,
  confirmStages: [],
};

export function bulkCancelSettingsOf(project: ProjectRow): BulkCancelSettings {
  const stored = project.bulk_cancel ? (JSON.parse(project.bulk_cancel) as Partial<BulkCancelSettings>) : {};
  return { ...BULK_CANCEL_DEFAULTS, ...stored };
}

/** The project's protected branch patterns (none when it has not set any). */
export function protectedBranchesOf(project: ProjectRow): string[] {
  return project.protected_branches ? (JSON.parse(project.protected_branches) as string[]) : [];
}
