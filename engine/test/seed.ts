/** Seeding many builds quickly, straight through the store (tests and benchmarks). */
import type { BuildStatus } from "../../common/statuses.ts";
import type { TestEngine } from "./harness.ts";

const BRANCHES = ["main", "develop", "feature/a", "feature/b", "release/1.0"];

export type SeedOptions = {
  status?: (i: number) => BuildStatus;
  /** RUNNING builds get one running job leased to these agents, round robin. */
  agents?: readonly string[];
  graceSeconds?: number;
  /** The i-th build's branch (default: five branches in turn). */
  branch?: (i: number) => string;
};

/** Inserts `count` builds into a pipeline (`/v1/projects/P/pipelines/X`); returns their ids. */
export async function seedBuilds(
  t: TestEngine,
  pipelinePath: string,
  count: number,
  opts: SeedOptions = {},
): Promise<number[]> {
  const store = t.engine.ctx.store;
  const [, , , projectName, , pipelineName] = pipelinePath.split("/");
  const project = await store.projects.findProject({ name: projectName as string });
  const pipeline = await store.projects.findPipeline({ projectId: project!.id, name: pipelineName as string });
  const now = Date.now();
  const ids: number[] = [];
  const batch = 5000;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    await store.transaction(async (tx) => {
      const first = await tx.projects.allocateBuildNumber({ pipelineId: pipeline!.id, count: size });
      const rows = Array.from({ length: size }, (_, k) => {
        const i = start + k;
        const status: BuildStatus = opts.status
          ? opts.status(i)
          : (["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"] as const)[i % 4]!;
        return {
          project_id: project!.id,
          pipeline_id: pipeline!.id,
          number: first + k,
          status,
          branch: opts.branch ? opts.branch(i) : BRANCHES[i % BRANCHES.length]!,
          commit_sha: ((i * 2654435761) >>> 0).toString(16).padStart(8, "0").slice(0, 7),
          params: "{}",
          triggered_by: "seed",
          current_stage: 0,
          grace_seconds: opts.graceSeconds ?? 10,
          created_at: now - (count - i) * 1000,
          started_at: status === "QUEUED" ? null : now - (count - i) * 1000,
        };
      });
      const inserted = await tx.builds.insertSeeded({ rows });
      ids.push(...inserted);
      const agents = opts.agents ?? [];
      if (agents.length > 0) {
        const running = inserted.filter((_, k) => rows[k]!.status === "RUNNING");
        await tx.jobs.insertSeededLeases({
          leases: running.map((buildId, k) => ({
            buildId,
            agentId: agents[k % agents.length]!,
            leaseId: `seed-${buildId}`,
          })),
          now,
        });
      }
    });
  }
  await store.builds.analyze();
  return ids;
}
