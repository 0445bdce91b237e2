/**
 * A project's guardrails for big bulk cancels: the role a bulk cancel needs, and when the person
 * must type the number of builds to confirm (more than `confirmAbove`, or a stage of
 * `confirmStages` in flight).
 */
import { ConflictError, ForbiddenError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import type { ProjectRow } from "../../store/projects-repo.ts";
import { type BulkCancelSettings, bulkCancelSettingsOf } from "../catalog/project-settings.ts";
import { type Actor, ROLES, roleIn } from "../identity/identity.ts";

const RANK = [...ROLES, "admin"] as const;

/** A bulk cancel below the project's minimum role: 403 `bulk_cancel_role` naming the role needed. */
export async function checkBulkCancelRole(ctx: EngineContext, actor: Actor, project: ProjectRow): Promise<void> {
  const { minimumRole } = bulkCancelSettingsOf(project);
  const role = await roleIn(ctx, actor, project.id);
  if (role !== null && RANK.indexOf(role) >= RANK.indexOf(minimumRole)) return;
  throw new ForbiddenError(
    `Bulk cancels in "${project.name}" need the ${minimumRole} role (yours: ${role ?? "none"}); a single cancel still works`,
    "bulk_cancel_role",
    { requiredRole: minimumRole },
  );
}

/** Whether confirming `total` builds with `stagesInFlight` running needs the number typed. */
export function confirmationFor(settings: BulkCancelSettings, total: number, stagesInFlight: readonly string[]) {
  const stages = settings.confirmStages.filter((s) => stagesInFlight.includes(s));
  return { required: total > settings.confirmAbove || stages.length > 0, above: settings.confirmAbove, stages };
}

/** 409 `confirmation_required` unless `given` is the number the person had to type. */
export function checkConfirmCount(expected: number | undefined, given: number | undefined): void {
  if (expected === undefined || given === expected) return;
  throw new ConflictError(
    "confirmation_required",
    given === undefined
      ? `This cancel reaches ${expected} builds: confirm with confirmCount: ${expected}`
      : `confirmCount is ${given}, but this cancel reaches ${expected} builds`,
    { confirmCount: expected },
  );
}
