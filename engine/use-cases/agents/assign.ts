/**
 * Handing work to an agent with free slots: first the next jobs of running builds, then the
 * oldest queued builds whose concurrency group is free (QUEUED → RUNNING). One transaction;
 * on PostgreSQL the scheduler lock keeps two agents from starting two builds of one group.
 */
import crypto from "node:crypto";
import type { Checkout, JobAssignment } from "../../../common/agent-channel.ts";
import type { EngineContext } from "../../context.ts";
import type { BuildRow } from "../../store/builds-repo.ts";
import type { JobRow } from "../../store/jobs-repo.ts";
import type { RepositoryRow } from "../../store/repositories-repo.ts";
import { jobStatusChanged } from "../event-payloads.ts";
import { secretBox } from "../identity/secret-box.ts";

const CANDIDATES = 100;

export async function assignWork(ctx: EngineContext, agentId: string, freeSlots: number): Promise<JobAssignment[]> {
  if (freeSlots <= 0) return [];
  // An agent without git takes only builds that check nothing out.
  const checkout = await ctx.store.agents.hasGit({ id: agentId });
  return ctx.store.transaction(async (tx) => {
    await tx.lockKey("scheduler");
    const now = ctx.now();
    const picked: JobRow[] = await tx.jobs.ready({ limit: freeSlots, checkout });
    const waits: number[] = [];
    if (picked.length < freeSlots) {
      const groupsTaken = new Set<string>();
      for (const build of await tx.builds.startable({ limit: CANDIDATES, checkout })) {
        if (picked.length >= freeSlots) break;
        const group = build.concurrency_group === null ? null : `${build.project_id}:${build.concurrency_group}`;
        if (group !== null && groupsTaken.has(group)) continue;
        const [started] = await tx.transition({ ids: [build.id], event: "start", now });
        if (!started) continue;
        waits.push(now - Number(build.created_at));
        if (group !== null) groupsTaken.add(group);
        picked.push(...(await tx.jobs.ready({ limit: freeSlots - picked.length, buildIds: [build.id] })));
      }
    }
    const leased = await tx.jobs.lease({
      jobIds: picked.map((j) => j.id),
      agentId,
      token: crypto.randomBytes(6).toString("hex"),
      now,
    });
    if (waits.length > 0) tx.afterCommit(() => ctx.metrics.buildsStarted(waits));
    if (leased.length === 0) return [];
    const builds = new Map(
      (await tx.builds.findManyById({ ids: [...new Set(leased.map((j) => j.build_id))] })).map((b) => [b.id, b]),
    );
    const steps = await tx.jobs.steps({ jobIds: leased.map((j) => j.id) });
    const repositories = new Map(
      (
        await tx.repositories.findManyById({
          ids: [...new Set([...builds.values()].flatMap((b) => (b.repository_id === null ? [] : [b.repository_id])))],
        })
      ).map((r) => [r.id, r]),
    );
    await tx.events.append({
      events: leased.map((job) =>
        jobStatusChanged(builds.get(job.build_id) as BuildRow, job, "RUNNING", null, agentId),
      ),
      now,
    });
    return leased.map((job) => {
      const build = builds.get(job.build_id) as BuildRow;
      return {
        leaseId: job.lease_id as string,
        jobId: job.id,
        buildId: build.id,
        jobName: job.name,
        steps: steps.filter((s) => s.job_id === job.id).map((s) => ({ index: s.step_index, name: s.name, run: s.run })),
        env: buildEnv(build, JSON.parse(job.env) as Record<string, string>),
        timeoutSeconds: job.timeout_seconds,
        graceSeconds: build.grace_seconds,
        logMaxBytes: ctx.settings.logMaxBytes,
        ...checkoutOf(ctx, build, repositories),
      };
    });
  });
}

/** What to check out for a build a push or pull request started: the repository's URL, the commit, the token. */
function checkoutOf(
  ctx: EngineContext,
  build: BuildRow,
  repositories: ReadonlyMap<number, RepositoryRow>,
): { checkout?: Checkout } {
  const repository = build.repository_id === null ? undefined : repositories.get(build.repository_id);
  if (!repository || !build.commit_sha) return {};
  const checkout: Checkout = { url: repository.url, commit: build.commit_sha };
  if (repository.credentials) {
    const { token, username } = JSON.parse(secretBox(ctx.settings).open(repository.credentials)) as {
      token: string;
      username?: string;
    };
    checkout.credentials = { username: username ?? defaultUsername(repository.provider), password: token };
  }
  return { checkout };
}

/** The user name each provider expects with a token over HTTPS. */
function defaultUsername(provider: string): string {
  if (provider === "github") return "x-access-token";
  if (provider === "gitlab") return "oauth2";
  return "sluice";
}

/**
 * A job's environment: the build's parameters, the job's env, then Sluice's own variables (which
 * nothing overrides). The agent puts its base environment (PATH, HOME, ...) over all of it.
 */
function buildEnv(build: BuildRow, jobEnv: Record<string, string>): Record<string, string> {
  return {
    ...(JSON.parse(build.params) as Record<string, string>),
    ...jobEnv,
    SLUICE_BUILD_ID: String(build.id),
    SLUICE_BUILD_NUMBER: String(build.number),
    SLUICE_PROJECT: build.project_name,
    SLUICE_PIPELINE: build.pipeline_name,
    SLUICE_BRANCH: build.branch,
    SLUICE_COMMIT: build.commit_sha,
    SLUICE_TRIGGERED_BY: build.triggered_by,
  };
}
