/** Users as the API shows them: who am I, with my role in each project I can see. */
import type { EngineContext } from "../context.ts";
import { type Actor, readableProjectIds } from "./identity.ts";

export type Me = { username: string; isAdmin: boolean; projects: { name: string; role: string }[] };

export async function whoAmI(ctx: EngineContext, actor: Actor): Promise<Me> {
  const ids = await readableProjectIds(ctx, actor);
  const projects = await ctx.store.projects.listProjects(ids ? { ids } : {});
  const memberships = actor.isAdmin ? [] : await ctx.store.identity.membershipsOfUser({ userId: actor.userId });
  const roleOf = new Map(memberships.map((m) => [m.project_id, m.role]));
  return {
    username: actor.username,
    isAdmin: actor.isAdmin,
    projects: projects.map((p) => ({ name: p.name, role: actor.isAdmin ? "admin" : (roleOf.get(p.id) ?? "viewer") })),
  };
}
