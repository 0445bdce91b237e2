/** The agents an admin sees: their slots, what they run now, and how they contain jobs. */
import type { AgentContainment } from "../../../common/agent-channel.ts";
import type { AgentInfo } from "../../../common/dto.ts";
import { ForbiddenError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import type { Actor } from "../identity/identity.ts";
import { iso } from "../mappers.ts";

export async function listAgents(ctx: EngineContext, actor: Actor): Promise<AgentInfo[]> {
  if (!actor.isAdmin) throw new ForbiddenError("Only an admin may list agents");
  const rows = await ctx.store.agents.list();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    slots: r.slots,
    busySlots: Number(r.running_jobs ?? 0),
    lastSeenAt: iso(r.last_seen_at) as string,
    containment: r.containment ? (JSON.parse(r.containment) as AgentContainment) : null,
  }));
}
