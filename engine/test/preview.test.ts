/**
 * What you see is what you cancel: a preview's snapshot binds the confirm to the builds that
 * existed when the user looked; filters travel whole; project-wide scope; numbers for people;
 * the running-operations limit is on bulk operations only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { SimAgent } from "./sim-agent.ts";

const QUICK = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }] };

/** What a refused request must leave alone: every build's status, and the operations. */
async function stateOf(t: TestEngine) {
  const builds = await t.engine.ctx.store.builds.statusCountsAll();
  const operations = (await t.api.get("/v1/projects/acme/audit")).body.items.length;
  return { builds, operations };
}

describe.each(DATABASES)("previews and scopes on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("a preview, then new triggers, then the confirm: only the previewed builds are canceled; one that finished meanwhile is reported", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUICK);
    const main: any[] = [];
    for (let i = 0; i < 5; i++) main.push(await t.api.trigger(p, { branch: "main" }));
    const other = await t.api.trigger(p, { branch: "dev" });
    const filter = { status: ["QUEUED", "RUNNING"], branch: "main" };

    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      total: 5,
      byStatus: { QUEUED: 5, RUNNING: 0 },
      byPipeline: { web: 5 },
      upTo: { web: main[4].number },
    });
    expect(preview.body.first.map((b: any) => b.number)).toEqual(main.map((b) => b.number).reverse());
    // Pushed while the dialog is open: never swept in.
    const late: any[] = [];
    for (let i = 0; i < 3; i++) late.push(await t.api.trigger(p, { branch: "main" }));
    // Finished while the dialog is open: reported, not counted as canceled by this operation.
    await t.api.post(`/v1/builds/${main[0].id}/cancel`, {});

    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot: preview.body.snapshot });
    expect(res.status).toBe(202);
    expect(res.body.total).toBe(5);
    expect(res.body.counts).toMatchObject({ canceled: 4, alreadyFinished: 1 });
    expect(res.body.selection).toMatchObject({ filter, preview: { maxBuildId: expect.any(Number) } });
    for (const b of late) expect((await t.api.build(b.id)).status).toBe("QUEUED");
    expect((await t.api.build(other.id)).status).toBe("QUEUED");
  });

  it("an expired, tampered or foreign snapshot is refused, and nothing changes", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { previewTtlSeconds: 60 } });
    const p = await t.api.pipeline("acme", "web", QUICK);
    for (let i = 0; i < 3; i++) await t.api.trigger(p);
    const filter = { status: ["QUEUED"] };
    const { snapshot } = (await t.api.post(`${p}/builds/batch-cancel/preview`, { filter })).body;
    const before = await stateOf(t);

    const [body, signature] = snapshot.split(".");
    const flipped = `${body}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    for (const bad of [flipped, "nonsense", `${Buffer.from('{"maxId":1e9}').toString("base64url")}.${signature}`]) {
      const res = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot: bad });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe("invalid_snapshot");
    }
    // A snapshot taken for another selection.
    const other = await t.api.post(`${p}/builds/batch-cancel`, {
      filter: { status: ["QUEUED"], branch: "dev" },
      snapshot,
    });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe("invalid_snapshot");
    // The clock moves past the preview's lifetime.
    const now = t.engine.ctx.now;
    t.engine.ctx.now = () => now() + 61_000;
    const expired = await t.api.post(`${p}/builds/batch-cancel`, { filter, snapshot });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe("preview_expired");
    t.engine.ctx.now = now;

    expect(await stateOf(t)).toEqual(before);
  });

  it("a project-wide cancel over three pipelines with a branch filter cancels exactly the matching builds, in statements that do not grow with N or the pipelines", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 100 } });
    const paths = [];
    for (const name of ["api", "web", "docs"]) paths.push(await t.api.pipeline("acme", name, QUICK));
    const hits: any[] = [];
    const misses: any[] = [];
    for (const p of paths) {
      for (let i = 0; i < 3; i++) hits.push(await t.api.trigger(p, { branch: "release" }));
      misses.push(await t.api.trigger(p, { branch: "main" }));
    }
    const filter = { status: ["QUEUED", "RUNNING"], branch: "release" };
    const preview = await t.api.post("/v1/projects/acme/builds/batch-cancel/preview", { filter });
    expect(preview.body).toMatchObject({ total: 9, byPipeline: { api: 3, web: 3, docs: 3 } });
    const res = await t.api.post("/v1/projects/acme/builds/batch-cancel", { filter, snapshot: preview.body.snapshot });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ scope: "project", pipeline: null, total: 9 });
    expect(res.body.counts.canceled).toBe(9);
    for (const b of hits) expect((await t.api.build(b.id)).status).toBe("CANCELED");
    for (const b of misses) expect((await t.api.build(b.id)).status).toBe("QUEUED");
    const small = Number(res.headers.get("x-sluice-statements"));

    // Ten times the builds, one pipeline named: the same number of statements.
    for (const p of paths) for (let i = 0; i < 30; i++) await t.api.trigger(p, { branch: "hotfix" });
    const subset = { status: ["QUEUED"], branch: "hotfix", pipelines: ["api", "docs"] };
    const again = await t.api.post("/v1/projects/acme/builds/batch-cancel/preview", { filter: subset });
    const big = await t.api.post("/v1/projects/acme/builds/batch-cancel", {
      filter: subset,
      snapshot: again.body.snapshot,
    });
    expect(big.body.total).toBe(60);
    expect(Number(big.headers.get("x-sluice-statements"))).toBe(small);
    const unknown = await t.api.post("/v1/projects/acme/builds/batch-cancel", {
      filter: { status: ["QUEUED"], pipelines: ["api", "nope"] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "pipeline_not_found", details: { pipelines: ["nope"] } });
  });

  it("builds named by number or by id; numbers that do not exist and ids of another pipeline are 404s naming them, with nothing changed", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUICK);
    const q = await t.api.pipeline("acme", "other", QUICK);
    const builds: any[] = [];
    for (let i = 0; i < 4; i++) builds.push(await t.api.trigger(p));
    const foreign = await t.api.trigger(q);
    const before = await stateOf(t);

    const missing = await t.api.post(`${p}/builds/batch-cancel`, { buildNumbers: [builds[0].number, 999] });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "builds_not_found", details: { buildNumbers: [999] } });
    expect(missing.body.error.message).toContain("#999");
    const elsewhere = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [builds[0].id, foreign.id] });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.details).toEqual({ buildIds: [foreign.id] });
    const projectWideNumbers = await t.api.post("/v1/projects/acme/builds/batch-cancel", { buildNumbers: [1] });
    expect(projectWideNumbers.status).toBe(400);
    expect(await stateOf(t)).toEqual(before);

    const byNumber = await t.api.post(`${p}/builds/batch-cancel`, {
      buildNumbers: [builds[0].number, builds[1].number],
    });
    expect(byNumber.body.counts.canceled).toBe(2);
    expect(byNumber.body.selection.buildNumbers).toEqual([builds[0].number, builds[1].number]);
    const byId = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [builds[2].id] });
    expect(byId.body.counts.canceled).toBe(1);
    expect((await t.api.build(builds[3].id)).status).toBe("QUEUED");
  });

  it("'all matching except these': excluded builds are left alone", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUICK);
    const builds: any[] = [];
    for (let i = 0; i < 4; i++) builds.push(await t.api.trigger(p));
    const filter = { status: ["QUEUED"] };
    const excludeBuildIds = [builds[1].id];
    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { filter, excludeBuildIds });
    expect(preview.body.total).toBe(3);
    const res = await t.api.post(`${p}/builds/batch-cancel`, {
      filter,
      excludeBuildIds,
      snapshot: preview.body.snapshot,
    });
    expect(res.body.total).toBe(3);
    expect(res.body.selection.excluded).toBe(1);
    expect((await t.api.build(builds[1].id)).status).toBe("QUEUED");
  });

  it("single and forced cancels are never refused by the limit on running bulk operations", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 1 } });
    // An agent that never acknowledges: operations stay running.
    agents.push(await new SimAgent(t.engine.channel, "slow", { slots: 4, stopMode: "ignore" }).start());
    const p = await t.api.pipeline("acme", "web", QUICK);
    const builds: any[] = [];
    for (let i = 0; i < 4; i++) builds.push(await t.api.trigger(p));
    await waitFor(async () => (await t.api.get(`${p}/builds/counts`)).body.RUNNING === 4, { what: "4 running" });

    const bulk = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [builds[0].id, builds[1].id] });
    expect(bulk.body.status).toBe("running");
    const refused = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [builds[2].id] });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("too_many_operations");

    const single = await t.api.post(`/v1/builds/${builds[2].id}/cancel`, {});
    expect(single.status).toBe(202);
    const forced = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [builds[0].id], force: true });
    expect(forced.status).toBe(202);
    expect((await t.api.build(builds[0].id)).status).toBe("CANCELED");
    const singleForced = await t.api.post(`/v1/builds/${builds[1].id}/cancel`, { force: true });
    expect(singleForced.status).toBe(202);
  });
});
