import type { ProjectAccess } from "@common/bff-api.ts";
import { useMe } from "../api/get-me.ts";

/** The signed-in user's role and permissions in a project (undefined: not a member, or not loaded yet). */
export function useProjectAccess(project: string): ProjectAccess | undefined {
  return useMe().data?.projects.find((p) => p.name === project);
}
