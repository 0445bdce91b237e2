import { afterEach, describe, expect, it } from "vitest";
import { batchCancel } from "../use-cases/cancel/cancel.ts";
import { collectEvents, DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";
import { SimAgent } from "./sim-agent.ts";

const QUICK_OR_SLEEP = {
  params: { MODE: { default: "sleep", options: ["quick", "sleep"] } },
  cancelGraceSeconds: 2,
  stages: [
    {
      name: "s",
      jobs: [{ name: "j", steps: [{ run: 'if [ "$MODE" = quick ]; then exit 0; fi; echo started; sleep 300' }] }],
    },
  ],
};

async function completed(t: TestEngine, operationId: string) {
  return waitFor(
    async () => {
      const r = await t.api.get(`/v1/operations/${operationId}`);
      return r.body.status === "completed" ? r.body : null;
    },
    { what: `operation ${operationId} completed`, timeoutMs: 30_000 },
  );
}

describe.each(DATABASES)("bulk cancel on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("50 running builds with real processes and 5 finished: one request cancels the 50, reports the 5, frees the slots, audits, and streams operation.completed", async () => {
    t = await startTestEngine({ db, slots: 50 });
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    const finished: any[] = [];
    for (let i = 0; i < 5; i++) finished.push(await t.api.trigger(p, { params: { MODE: "quick" } }));
    await waitFor(async () => (await t.api.get(`${p}/builds/counts`)).body.SUCCEEDED === 5, { what: "5 finished" });
    const running: any[] = [];
    for (let i = 0; i < 50; i++) running.push(await t.api.trigger(p, { branch: `b${i % 7}` }));
    const queued: any[] = [];
    for (let i = 0; i < 3; i++) queued.push(await t.api.trigger(p));
    await waitFor(
      async () => {
        const c = (await t.api.get(`${p}/builds/counts`)).body;
        return (
          c.RUNNING === 50 &&
          c.QUEUED === 3 &&
          (await Promise.all(running.map((b) => t.processesOf(b.id)))).every((pids) => pids.length > 0)
        );
      },
      { what: "50 running with processes, 3 queued" },
    );

    const ids = [...running, ...finished].map((b) => b.id);
    let operationId = "";
    const stream = collectEvents(t.api, "project=acme", {
      until: (events) => events.some((e) => e.event === "operation.completed" && e.data.operationId === operationId),
      timeoutMs: 30_000,
    });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids, reason: "bad push" });
    expect(res.status).toBe(202);
    operationId = res.body.id;
    expect(res.body).toMatchObject({
      total: 55,
      status: "running",
      counts: { canceled: 0, alreadyFinished: 5, failed: 0, pending: 50 },
    });

    const op = await completed(t, operationId);
    expect(op.counts).toEqual({
      canceled: 50,
      alreadyFinished: 5,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
    for (const b of running) expect(await t.processesOf(b.id)).toEqual([]);
    const items = (await t.api.get(`/v1/operations/${operationId}/items?limit=100`)).body.items;
    expect(
      items
        .filter((i: any) => i.outcome === "canceled")
        .map((i: any) => i.buildId)
        .sort(),
    ).toEqual(running.map((b) => b.id).sort());
    expect(items.filter((i: any) => i.outcome === "already_finished").every((i: any) => i.note === "SUCCEEDED")).toBe(
      true,
    );
    for (const b of finished) expect((await t.api.build(b.id)).status).toBe("SUCCEEDED");
    const canceled = await t.api.build(running[0].id);
    expect(canceled.cancel).toEqual({ by: "admin", reason: "bad push", operationId, at: expect.any(String) });

    // The freed slots go to the queued builds.
    await waitFor(
      async () => (await Promise.all(queued.map((b) => t.api.build(b.id)))).every((b) => b.status === "RUNNING"),
      {
        what: "queued builds take the freed slots",
      },
    );

    const audit = (await t.api.get("/v1/projects/acme/audit")).body.items;
    expect(audit[0]).toMatchObject({
      actor: "admin",
      source: "api",
      reason: "bad push",
      operationId,
      targets: 55,
      outcome: { status: "completed", canceled: 50, alreadyFinished: 5, failed: 0, pending: 0 },
    });

    const { events } = await stream;
    const changes = events.filter((e) => e.event === "build.status_changed" && e.data.operationId === operationId);
    const toCanceling = changes.filter((e) => e.data.to === "CANCELING").map((e) => e.data.buildId);
    const toCanceled = changes.filter((e) => e.data.to === "CANCELED").map((e) => e.data.buildId);
    expect(toCanceling.sort()).toEqual(running.map((b) => b.id).sort());
    expect(toCanceled.sort()).toEqual(running.map((b) => b.id).sort());
    const done = events.find((e) => e.event === "operation.completed");
    expect(done?.data.counts).toEqual({
      canceled: 50,
      alreadyFinished: 5,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
  });

  it("a filter is frozen into the builds it matches at that moment", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    await seedBuilds(t, p, 30, { status: (i) => (i % 3 === 0 ? "SUCCEEDED" : "QUEUED") });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED"], branch: "main" } });
    expect(res.status).toBe(202);
    const later = await t.api.trigger(p, { branch: "main" });
    const op = await completed(t, res.body.id);
    const items = (await t.api.get(`/v1/operations/${res.body.id}/items`)).body.items;
    expect(op.total).toBe(items.length);
    expect(items.every((i: any) => i.branch === "main" && i.outcome === "canceled")).toBe(true);
    expect((await t.api.build(later.id)).status).toBe("QUEUED");
    const byNumber = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED"], before: 10 } });
    const numbered = (await t.api.get(`/v1/operations/${byNumber.body.id}/items`)).body.items;
    expect(numbered.length).toBeGreaterThan(0);
    expect(numbered.every((i: any) => i.buildNumber < 10)).toBe(true);
  });

  it("accept runs a constant number of statements however many builds it cancels", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const caller = { actor: { userId: 1, username: "admin", isAdmin: true }, source: "api" as const };
    const counts: Record<number, number> = {};
    for (const n of [10, 3000]) {
      const p = await t.api.pipeline("acme", `p${n}`, QUICK_OR_SLEEP);
      const ids = await seedBuilds(t, p, n, { status: (i) => (i % 2 ? "RUNNING" : "QUEUED"), agents: ["sim"] });
      const { result, statements } = await t.engine.ctx.store.countStatements(() =>
        batchCancel(
          t.engine.ctx,
          caller,
          { project: "acme", pipeline: `p${n}` },
          { buildIds: ids, atomic: false, force: false },
        ),
      );
      expect(result.total).toBe(n);
      counts[n] = statements;
    }
    expect(counts[3000]).toBe(counts[10]);
    expect(counts[3000]).toBeLessThanOrEqual(20);
  });

  it("a keep-newest cancel confirmed from its preview runs a constant number of statements however many builds it cancels", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const caller = { actor: { userId: 1, username: "admin", isAdmin: true }, source: "api" as const };
    const filter = {
      status: ["QUEUED", "RUNNING"] as ("QUEUED" | "RUNNING")[],
      keepNewest: { per: "branch" as const, count: 1 },
    };
    const counts: Record<number, number> = {};
    for (const n of [10, 3000]) {
      const p = await t.api.pipeline("acme", `k${n}`, QUICK_OR_SLEEP);
      await seedBuilds(t, p, n, { status: (i) => (i % 2 ? "RUNNING" : "QUEUED"), agents: ["sim"] });
      const names = { project: "acme", pipeline: `k${n}` };
      const preview = (await t.api.post(`${p}/builds/batch-cancel/preview`, { filter })).body;
      expect(preview.kept).toBe(5);
      const { result, statements } = await t.engine.ctx.store.countStatements(() =>
        batchCancel(t.engine.ctx, caller, names, {
          filter,
          snapshot: preview.snapshot,
          confirmCount: preview.total,
          atomic: false,
          force: false,
        }),
      );
      expect(result.total).toBe(n - 5);
      counts[n] = statements;
    }
    expect(counts[3000]).toBe(counts[10]);
    expect(counts[3000]).toBeLessThanOrEqual(20);
  });

  it("settling runs statements per chunk of 1,000 builds, not per build", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sims = await Promise.all(
      ["a1", "a2", "a3"].map((n) => new SimAgent(t.engine.channel, n, { slots: 0, stopMode: "ignore" }).start()),
    );
    agents.push(...sims);
    const { settleOperation } = await import("../use-cases/operation-kinds.ts");
    const counts: Record<number, number> = {};
    for (const n of [10, 2500]) {
      const p = await t.api.pipeline("acme", `s${n}`, QUICK_OR_SLEEP);
      const ids = await seedBuilds(t, p, n, { status: () => "RUNNING", agents: sims.map((s) => s.name) });
      const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids });
      const { statements } = await t.engine.ctx.store.countStatements(() => settleOperation(t.engine.ctx, res.body.id));
      counts[n] = statements;
      await waitFor(() => sims.reduce((k, s) => k + s.stopsReceived.length, 0) >= n, { what: "stop orders delivered" });
      for (const s of sims) s.stopsReceived.length = 0;
    }
    // 2,500 builds are 3 chunks where 10 builds are 1.
    expect(counts[2500]).toBeLessThanOrEqual(3 * (counts[10] as number));
  });

  it("idempotency: the same key and body return the first operation; another body answers 422", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    const ids = await seedBuilds(t, p, 4, { status: () => "QUEUED" });
    const headers = { "Idempotency-Key": "click-1" };
    const [a, b] = await Promise.all([
      t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids }, headers),
      t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids }, headers),
    ]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    expect((await t.api.get("/v1/projects/acme/audit")).body.items).toHaveLength(1);
    const other = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids.slice(0, 2) }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
  });

  it("duplicates collapse; more than the configured limit is refused; a sixth running operation answers 429 with Retry-After", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { batchCancelMaxIds: 5, maxRunningOperationsPerUser: 2 } });
    const sim = await new SimAgent(t.engine.channel, "slow", { slots: 0, stopMode: "ignore" }).start();
    agents.push(sim);
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    const ids = await seedBuilds(t, p, 8, { status: () => "RUNNING", agents: ["slow"] });
    const dup = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [ids[0], ids[0], ids[1]] });
    expect(dup.status).toBe(202);
    expect(dup.body.total).toBe(2);
    const tooMany = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids.slice(0, 6) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("too_many_builds");
    expect((await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [ids[2]] })).status).toBe(202);
    const limited = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [ids[3]] });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("too_many_operations");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await t.api.build(ids[3] as number)).status).toBe("RUNNING");
  });

  it("an agent that cannot stop a job fails its item with the reason; a forced retry finishes it", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sim = await new SimAgent(t.engine.channel, "stuck", { slots: 0, stopMode: "fail" }).start();
    agents.push(sim);
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    const ids = await seedBuilds(t, p, 3, { status: () => "RUNNING", agents: ["stuck"] });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids, reason: "stop" });
    const op = await completed(t, res.body.id);
    expect(op.counts).toEqual({
      canceled: 0,
      alreadyFinished: 0,
      failed: 3,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
    const items = (await t.api.get(`/v1/operations/${res.body.id}/items`)).body.items;
    expect(items.every((i: any) => i.outcome === "failed" && i.note === "processes survived SIGKILL")).toBe(true);
    const retry = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids, force: true });
    expect(retry.status).toBe(202);
    expect((await completed(t, retry.body.id)).counts).toMatchObject({
      canceled: 3,
      alreadyFinished: 0,
      failed: 0,
      pending: 0,
    });
    for (const id of ids) expect((await t.api.build(id)).status).toBe("CANCELED");
  });

  it("operation.progress is coalesced to about 10 a second", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new SimAgent(t.engine.channel, `g${i}`, { slots: 0 }).start()),
    );
    agents.push(...sims);
    const p = await t.api.pipeline("acme", "web", QUICK_OR_SLEEP);
    const ids = await seedBuilds(t, p, 2000, { status: () => "RUNNING", agents: sims.map((s) => s.name) });
    let operationId = "";
    const started = Date.now();
    const stream = collectEvents(t.api, "project=acme&types=operation.progress,operation.completed", {
      until: (events) => events.some((e) => e.event === "operation.completed" && e.data.operationId === operationId),
      timeoutMs: 30_000,
    });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids });
    operationId = res.body.id;
    const { events } = await stream;
    const seconds = Math.max(1, (Date.now() - started) / 1000);
    const progress = events.filter((e) => e.event === "operation.progress" && e.data.operationId === operationId);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    const pendings = progress.map((e) => e.data.counts.pending);
    expect(pendings).toEqual([...pendings].sort((a, b) => b - a));
    expect(events.at(-1)?.data.counts).toEqual({
      canceled: 2000,
      alreadyFinished: 0,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
  });
});
