/** Triggering a build: its parameters checked, then created through the concurrency policy. */
import type { Build, TriggerRequest } from "../../../common/dto.ts";
import { ConflictError } from "../../../common/errors.ts";
import type { EngineContext } from "../../context.ts";
import { resolveParams } from "../../domain/params.ts";
import type { TriggerSource } from "../../ports/metrics.ts";
import { TOPICS } from "../../ports/wakeups.ts";
import { resolvePipeline } from "../catalog/catalog.ts";
import type { Actor } from "../identity/identity.ts";
import { toBuild } from "../mappers.ts";
import { createBuilds, planBuild } from "./create-builds.ts";

export async function triggerBuild(
  ctx: EngineContext,
  actor: Actor,
  names: { project: string; pipeline: string },
  request: TriggerRequest,
  source: TriggerSource = "api",
): Promise<Build> {
  const { project, pipeline, definition } = await resolvePipeline(ctx, actor, names, "trigger");
  const params = resolveParams(definition.params, request.params);
  const build = await ctx.store.transaction(async (tx) => {
    const plan = planBuild({
      pipeline,
      definition,
      branch: request.branch,
      commit: request.commit ?? "",
      params,
      actor: actor.username,
      now: ctx.now(),
    });
    const { created } = await createBuilds(ctx, tx, { projectId: project.id, actor: actor.username, plans: [plan] });
    const group = plan.build.concurrency_group;
    if (created.length === 0) {
      throw new ConflictError("concurrency_group_busy", `Concurrency group "${group}" is busy and queueLength is 0`, {
        group,
      });
    }
    tx.afterCommit(() => ctx.bus.publish(TOPICS.anyAgent));
    return (await tx.builds.findById({ id: created[0]?.id as number })) ?? undefined;
  });
  ctx.metrics.buildsTriggered(source, 1);
  return toBuild(build as NonNullable<typeof build>);
}
