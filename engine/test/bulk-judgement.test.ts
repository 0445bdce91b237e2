/**
 * A bulk cancel judged before it is confirmed: keep the newest per branch, pipeline or group;
 * branches the project protects; the confirm bound to what the preview kept and left out.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { userWithRoles } from "./security-helpers.ts";
import { SimAgent } from "./sim-agent.ts";

const QUEUED_ONLY = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }] };
const ACTIVE = ["QUEUED", "RUNNING"];

async function itemIds(t: TestEngine, operationId: string): Promise<number[]> {
  const items = (await t.api.get(`/v1/operations/${operationId}/items?limit=1000`)).body.items;
  return items.map((i: any) => i.buildId).sort((a: number, b: number) => a - b);
}

const ids = (builds: any[]) => builds.map((b) => b.id).sort((a, b) => a - b);

describe.each(DATABASES)("bulk judgement on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("keepNewest per branch over 3 branches × 4 builds cancels 9 and keeps the 3 newest, however builds finish or arrive between preview and confirm", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const byBranch: Record<string, any[]> = { main: [], dev: [], feat: [] };
    for (let i = 0; i < 4; i++) {
      for (const branch of Object.keys(byBranch)) byBranch[branch]!.push(await t.api.trigger(p, { branch }));
    }
    const newest = Object.values(byBranch).map((builds) => builds[3]);
    const older = Object.values(byBranch).flatMap((builds) => builds.slice(0, 3));
    const filter = { status: ACTIVE, keepNewest: { per: "branch", count: 1 } };

    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ total: 9, kept: 3, keptKeys: 3, byStatus: { QUEUED: 9 } });
    expect(ids(preview.body.keptBuilds)).toEqual(ids(newest));
    expect(ids(preview.body.first)).toEqual(ids(older));

    // While the dialog is open: a kept build finishes, a build to cancel finishes, new ones arrive.
    await t.api.post(`/v1/builds/${byBranch.main![3].id}/cancel`, {});
    await t.api.post(`/v1/builds/${byBranch.dev![0].id}/cancel`, {});
    const late = [];
    for (const branch of Object.keys(byBranch)) late.push(await t.api.trigger(p, { branch }));

    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot: preview.body.snapshot });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total: 9, counts: { canceled: 8, alreadyFinished: 1 } });
    expect(res.body.selection).toMatchObject({ filter, kept: 3 });
    expect(await itemIds(t, res.body.id)).toEqual(ids(older));
    // The next newest of main (a build the preview said it would cancel) is canceled, not kept.
    expect((await t.api.build(byBranch.main![2].id)).status).toBe("CANCELED");
    for (const b of [byBranch.dev![3], byBranch.feat![3], ...late])
      expect((await t.api.build(b.id)).status).toBe("QUEUED");
  });

  it("keepNewest per pipeline (project scope) and per concurrency group keep the N newest of each", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 100 } });
    const api = await t.api.pipeline("acme", "api", QUEUED_ONLY);
    const web = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const a = [];
    const w = [];
    for (let i = 0; i < 4; i++) {
      a.push(await t.api.trigger(api, { branch: `x${i}` }));
      w.push(await t.api.trigger(web, { branch: `y${i}` }));
    }
    const perPipeline = { status: ACTIVE, keepNewest: { per: "pipeline", count: 2 } };
    const preview = await t.api.post("/v1/projects/acme/builds/batch-cancel/preview", { filter: perPipeline });
    expect(preview.body).toMatchObject({ total: 4, kept: 4, keptKeys: 2, byPipeline: { api: 2, web: 2 } });
    const res = await t.api.post("/v1/projects/acme/builds/batch-cancel", {
      filter: perPipeline,
      snapshot: preview.body.snapshot,
    });
    expect(await itemIds(t, res.body.id)).toEqual(ids([a[0], a[1], w[0], w[1]]));

    const grouped = await t.api.pipeline("acme", "grouped", {
      ...QUEUED_ONLY,
      concurrency: { group: "${{ branch }}", queueLength: 10 },
    });
    const g: Record<string, any[]> = { one: [], two: [] };
    for (let i = 0; i < 3; i++)
      for (const branch of ["one", "two"]) g[branch]!.push(await t.api.trigger(grouped, { branch }));
    const perGroup = { status: ACTIVE, keepNewest: { per: "group", count: 1 } };
    const direct = await t.api.post(`${grouped}/builds/batch-cancel`, { filter: perGroup });
    expect(direct.status).toBe(202);
    expect(await itemIds(t, direct.body.id)).toEqual(ids([...g.one!.slice(0, 2), ...g.two!.slice(0, 2)]));
    expect(direct.body.selection).toMatchObject({ kept: 2 });
  });

  it("a keepNewest that is not one is refused with a stable code, and nothing changes", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    for (let i = 0; i < 3; i++) await t.api.trigger(p, { branch: "main" });
    const plain = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter: { status: ACTIVE } });
    const before = await databaseSnapshot(t);
    for (const keepNewest of [{ per: "branch", count: 0 }, { per: "tag", count: 1 }, { per: "branch" }]) {
      const res = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ACTIVE, keepNewest } });
      expect(res.status, JSON.stringify(keepNewest)).toBe(400);
      expect(res.body.error.code).toBe("invalid_input");
    }
    const rerun = await t.api.post(`${p}/builds/batch-rerun/preview`, {
      filter: { status: ["CANCELED"], keepNewest: { per: "branch", count: 1 } },
    });
    expect(rerun.status).toBe(400);
    // A plain preview's snapshot does not confirm a keep-newest cancel.
    const swapped = await t.api.post(`${p}/builds/batch-cancel`, {
      filter: { status: ACTIVE, keepNewest: { per: "branch", count: 1 } },
      snapshot: plain.body.snapshot,
    });
    expect(swapped.status).toBe(400);
    expect(swapped.body.error.code).toBe("invalid_snapshot");
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it("protected branches: filters and automatic cancels skip them, the preview says how many and why, ticked builds and includeProtectedBranches reach them", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const set = await t.api.put("/v1/projects/acme", { protectedBranches: ["main", "release/*"] });
    expect(set.status).toBe(200);
    expect(set.body.protectedBranches).toEqual(["main", "release/*"]);
    const main = [await t.api.trigger(p, { branch: "main" }), await t.api.trigger(p, { branch: "main" })];
    const release = await t.api.trigger(p, { branch: "release/2.4" });
    const dev = [await t.api.trigger(p, { branch: "dev" }), await t.api.trigger(p, { branch: "dev" })];

    const filter = { status: ACTIVE };
    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(preview.body).toMatchObject({
      total: 2,
      leftOut: { protectedBranches: 3, patterns: ["main", "release/*"], included: false },
    });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot: preview.body.snapshot });
    expect(await itemIds(t, res.body.id)).toEqual(ids(dev));
    expect(res.body.selection).toMatchObject({ leftOutProtected: 3 });
    for (const b of [...main, release]) expect((await t.api.build(b.id)).status).toBe("QUEUED");

    const ticked = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [main[0].id] });
    expect(ticked.body.counts.canceled).toBe(1);

    const all = { status: ACTIVE, includeProtectedBranches: true };
    const included = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter: all });
    expect(included.body).toMatchObject({ total: 2, leftOut: { protectedBranches: 0, included: true } });
    const reached = await t.api.post(`${p}/builds/batch-cancel`, { filter: all, snapshot: included.body.snapshot });
    expect(await itemIds(t, reached.body.id)).toEqual(ids([main[1], release]));

    // The concurrency policy supersedes dev's older build, never main's.
    const grouped = await t.api.pipeline("acme", "grouped", {
      ...QUEUED_ONLY,
      concurrency: { group: "${{ branch }}", cancelInProgress: true },
    });
    const m1 = await t.api.trigger(grouped, { branch: "main" });
    await t.api.trigger(grouped, { branch: "main" });
    const d1 = await t.api.trigger(grouped, { branch: "dev" });
    await t.api.trigger(grouped, { branch: "dev" });
    expect((await t.api.build(m1.id)).status).toBe("QUEUED");
    expect((await t.api.build(d1.id)).status).toBe("CANCELED");
  });

  it("protected branches changed after the preview, a bad pattern, or a developer setting them: refused, nothing changes", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    for (const branch of ["main", "dev", "dev"]) await t.api.trigger(p, { branch });
    const developer = await userWithRoles(t, "dave", { acme: "developer" });
    const filter = { status: ACTIVE };
    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(preview.body.total).toBe(3);
    await t.api.put("/v1/projects/acme", { protectedBranches: ["main"] });
    const before = await databaseSnapshot(t);

    const stale = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot: preview.body.snapshot });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("preview_changed");
    const bad = await t.api.put("/v1/projects/acme", { protectedBranches: ["release/[x"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_branch_pattern");
    const forbidden = await t.api.as(developer).put("/v1/projects/acme", { protectedBranches: [] });
    expect(forbidden.status).toBe(403);
    expect(await databaseSnapshot(t)).toEqual(before);
    expect((await t.api.get("/v1/projects/acme")).body.protectedBranches).toEqual(["main"]);
  });

  it("the preview's impact: running builds per agent, work done from their start times, work avoided from the pipeline's median duration, steps in flight; the operation keeps what was seen", async () => {
    t = await startTestEngine({ db, slots: 2, settings: { agentTimeoutSeconds: 3600, stopAckTimeoutSeconds: 3600 } });
    const p = await t.api.pipeline("acme", "deploys", {
      stages: [{ name: "deploy", jobs: [{ name: "apply", steps: [{ name: "kubectl apply", run: "sleep 300" }] }] }],
    });
    await seedSucceeded(t, "acme", "deploys", [60, 120, 90]);
    const clock = Date.now();
    t.engine.ctx.now = () => clock;
    const builds: any[] = [];
    for (let i = 0; i < 5; i++) builds.push(await t.api.trigger(p, { branch: `b${i}` }));
    await waitFor(
      async () => {
        const running = await Promise.all(builds.slice(0, 2).map((b) => t.api.build(b.id)));
        return running.every((b) => b.jobs?.[0]?.steps?.[0]?.status === "RUNNING");
      },
      { what: "2 builds running their step" },
    );
    t.engine.ctx.now = () => clock + 30_000;

    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter: { status: ACTIVE } });
    expect(preview.body.byStatus).toMatchObject({ RUNNING: 2, QUEUED: 3 });
    expect(preview.body.impact).toEqual({
      runningByAgent: [{ agent: "local", builds: 2 }],
      workDoneSeconds: 60,
      // Three queued builds × the median of 60, 120 and 90 seconds.
      workAvoidedSeconds: 270,
      unestimated: 0,
      inFlight: [{ stage: "deploy", step: "kubectl apply", builds: 2 }],
      protectedBuilds: 0,
      pullRequests: [],
    });
    const res = await t.api.post(`${p}/builds/batch-cancel`, {
      filter: { status: ACTIVE },
      snapshot: preview.body.snapshot,
    });
    expect(res.body.selection.impact).toEqual({
      running: 2,
      queued: 3,
      agents: 1,
      workDoneSeconds: 60,
      workAvoidedSeconds: 270,
    });
  });

  it("guardrails: below minimumRole a bulk cancel is refused with the role (a single cancel is not); above confirmAbove or with a confirmStages stage in flight the preview's confirm needs confirmCount; refusals change nothing", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline("acme", "web", {
      stages: [{ name: "deploy", jobs: [{ name: "apply", steps: [{ run: "sleep 300" }] }] }],
    });
    const guard = { minimumRole: "maintainer", confirmAbove: 3, confirmStages: ["deploy"] };
    const set = await t.api.put("/v1/projects/acme", { bulkCancel: guard });
    expect(set.body.bulkCancel).toEqual(guard);
    const badRole = await t.api.put("/v1/projects/acme", { bulkCancel: { minimumRole: "viewer" } });
    expect(badRole.status).toBe(400);
    const dave = await userWithRoles(t, "dave", { acme: "developer" });
    const builds = [await t.api.trigger(p), await t.api.trigger(p)];
    await t.api.waitForStatus(builds[0].id, "RUNNING");
    const filter = { status: ACTIVE };
    const before = await stateOf(t);

    for (const res of [
      await t.api.as(dave).post(`${p}/builds/batch-cancel/preview`, { filter }),
      await t.api.as(dave).post(`${p}/builds/batch-cancel`, { buildIds: [builds[1].id] }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "bulk_cancel_role", details: { requiredRole: "maintainer" } });
    }
    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(preview.body).toMatchObject({ total: 2, confirmation: { required: true, above: 3, stages: ["deploy"] } });
    for (const confirmCount of [undefined, 1]) {
      const res = await t.api.post(`${p}/builds/batch-cancel`, {
        filter,
        snapshot: preview.body.snapshot,
        confirmCount,
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "confirmation_required", details: { confirmCount: 2 } });
    }
    expect(await stateOf(t)).toEqual(before);

    const confirmed = await t.api.post(`${p}/builds/batch-cancel`, {
      filter,
      snapshot: preview.body.snapshot,
      confirmCount: 2,
    });
    expect(confirmed.status).toBe(202);
    expect(confirmed.body.total).toBe(2);

    // Only the count guards now: four builds are above three, three are not.
    await t.api.put("/v1/projects/acme", { bulkCancel: { confirmStages: [] } });
    expect((await t.api.get("/v1/projects/acme")).body.bulkCancel).toEqual({ ...guard, confirmStages: [] });
    const more = [];
    for (let i = 0; i < 4; i++) more.push(await t.api.trigger(p, { branch: "x" }));
    const four = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(four.body).toMatchObject({ total: 4, confirmation: { required: true, stages: [] } });
    const three = await t.api.post(`${p}/builds/batch-cancel/preview`, { buildIds: more.slice(1).map((b) => b.id) });
    expect(three.body).toMatchObject({ total: 3, confirmation: { required: false } });
    const single = await t.api.as(dave).post(`/v1/builds/${more[0].id}/cancel`, {});
    expect(single.status).toBe(202);
  });

  it("a build whose agent ignores its stop past the grace period is stuck: the operation counts it, its item names the agent, its last contact and the deadline; force stops it at once", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const frozen = await new SimAgent(t.engine.channel, "frozen", { slots: 1, stopMode: "ignore" }).start();
    try {
      const p = await t.api.pipeline("acme", "web", { cancelGraceSeconds: 10, ...QUEUED_ONLY });
      const build = await t.api.trigger(p);
      await t.api.waitForStatus(build.id, "RUNNING");
      const op = (await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [build.id] })).body;
      await waitFor(() => frozen.stopsReceived.length === 1, { what: "the stop order delivered" });
      expect((await t.api.get(`/v1/operations/${op.id}`)).body.stuck).toBe(0);

      // Past the grace period, before the deadline (grace + the stop acknowledgement timeout).
      const now = t.engine.ctx.now;
      t.engine.ctx.now = () => now() + 11_000;
      expect((await t.api.get(`/v1/operations/${op.id}`)).body).toMatchObject({ status: "running", stuck: 1 });
      const [item] = (await t.api.get(`/v1/operations/${op.id}/items`)).body.items;
      expect(item).toMatchObject({
        buildId: build.id,
        outcome: "pending",
        stuck: { agent: "frozen", lastContactAt: expect.any(String), forceFinalizeAt: expect.any(String) },
      });
      expect(Date.parse(item.stuck.forceFinalizeAt)).toBeGreaterThan(t.engine.ctx.now());

      const forced = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [build.id], force: true });
      expect(forced.status).toBe(202);
      expect((await t.api.build(build.id)).status).toBe("CANCELED");
      expect((await t.api.get(`/v1/operations/${op.id}`)).body.stuck).toBe(0);
    } finally {
      await frozen.stop();
    }
  });
});

/** What a refused request must leave alone: every build's status, and the audit (one entry per operation). */
async function stateOf(t: TestEngine) {
  const builds = await t.engine.ctx.store.builds.statusCountsAll();
  const audit = (await t.api.get("/v1/projects/acme/audit")).body.items.length;
  return { builds, audit };
}

/** Succeeded builds of a pipeline that ran for these many seconds each. */
async function seedSucceeded(t: TestEngine, projectName: string, pipelineName: string, seconds: number[]) {
  const store = t.engine.ctx.store;
  const project = await store.projects.findProject({ name: projectName });
  const pipeline = await store.projects.findPipeline({ projectId: project!.id, name: pipelineName });
  const start = Date.now() - 3_600_000;
  await store.transaction(async (tx) => {
    const first = await tx.projects.allocateBuildNumber({ pipelineId: pipeline!.id, count: seconds.length });
    await tx.builds.insertSeeded({
      rows: seconds.map((s, i) => ({
        project_id: project!.id,
        pipeline_id: pipeline!.id,
        number: first + i,
        status: "SUCCEEDED" as const,
        branch: "main",
        commit_sha: "abc1234",
        params: "{}",
        triggered_by: "seed",
        current_stage: 0,
        grace_seconds: 10,
        created_at: start,
        started_at: start,
        finished_at: start + s * 1000,
      })),
    });
  });
}
