/**
 * Bulk operations as a family: a bulk re-run (from an operation, through the concurrency policy,
 * in statements that do not grow with the builds) and protected jobs that automatic cancels leave
 * alone and a manual one stops only when forced.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const QUEUED_ONLY = {
  params: { MODE: {} },
  stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }],
};

describe.each(DATABASES)("re-runs and protected jobs on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  /** Triggers `n` builds, cancels them all in one operation, re-runs what it canceled. */
  async function rerunOfCanceled(p: string, n: number) {
    const builds: any[] = [];
    for (let i = 0; i < n; i++) {
      builds.push(await t.api.trigger(p, { branch: `b${i % 3}`, commit: "abcdef1", params: { MODE: `m${i}` } }));
    }
    const cancel = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((b) => b.id) });
    expect(cancel.body.counts.canceled).toBe(n);
    const rerun = await t.api.post(`${p}/builds/batch-rerun`, { fromOperation: cancel.body.id, reason: "again" });
    return { builds, rerun };
  }

  it("a bulk re-run from an operation creates a build for each it canceled — same branch, commit and parameters — in a constant number of statements", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const small = await rerunOfCanceled(p, 5);
    const large = await rerunOfCanceled(p, 50);

    expect(large.rerun.status).toBe(201);
    expect(large.rerun.body).toMatchObject({ kind: "rerun", status: "completed", total: 50, reason: "again" });
    expect(large.rerun.body.counts).toMatchObject({ created: 50, skipped: 0, pending: 0 });
    expect(large.rerun.body.selection).toEqual({ fromOperation: expect.any(String) });
    const items = (await t.api.get(`/v1/operations/${large.rerun.body.id}/items?limit=100`)).body.items;
    expect(items).toHaveLength(50);
    const sources = new Map(large.builds.map((b) => [b.id, b]));
    for (const item of items) {
      expect(item.outcome).toBe("created");
      const number = Number(item.note.slice(1));
      const copy = (await t.api.get(`${p}/builds?limit=200`)).body.items.find((b: any) => b.number === number);
      const source = sources.get(item.buildId);
      expect(copy).toMatchObject({
        status: "QUEUED",
        branch: source.branch,
        commit: "abcdef1",
        params: source.params,
        triggeredBy: "admin",
      });
    }
    expect(Number(large.rerun.headers.get("x-sluice-statements"))).toBe(
      Number(small.rerun.headers.get("x-sluice-statements")),
    );
    const audit = (await t.api.get("/v1/projects/acme/audit")).body.items;
    expect(audit[0]).toMatchObject({ action: "rerun", targets: 50, outcome: { created: 50 } });
  });

  it("an operation is re-run once: the two name each other, and a second re-run or its preview is refused 409 already_rerun with nothing created", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const { rerun } = await rerunOfCanceled(p, 3);
    expect(rerun.status).toBe(201);
    const source = rerun.body.selection.fromOperation;
    expect(rerun.body).toMatchObject({ rerunOf: source, rerunBy: null });
    expect((await t.api.get(`/v1/operations/${source}`)).body).toMatchObject({ rerunBy: rerun.body.id, rerunOf: null });

    const before = await databaseSnapshot(t);
    const again = await t.api.post(`${p}/builds/batch-rerun`, { fromOperation: source });
    expect([again.status, again.body.error?.code, again.body.error?.details]).toEqual([
      409,
      "already_rerun",
      { operationId: rerun.body.id },
    ]);
    const preview = await t.api.post(`${p}/builds/batch-rerun/preview`, { fromOperation: source });
    expect([preview.status, preview.body.error?.code]).toEqual([409, "already_rerun"]);
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it("two re-runs of one operation sent at once: exactly one is accepted", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", QUEUED_ONLY);
    const builds = [await t.api.trigger(p), await t.api.trigger(p)];
    const cancel = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((b) => b.id) });
    const answers = await Promise.all(
      [1, 2, 3].map(() => t.api.post(`${p}/builds/batch-rerun`, { fromOperation: cancel.body.id })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    const queued = (await t.api.get(`${p}/builds?status=QUEUED`)).body.items;
    expect(queued).toHaveLength(2);
  });

  it("a re-run in a cancelInProgress group supersedes as a trigger would; a build still running is skipped", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "deploy", {
      concurrency: { group: "deploy-${{ branch }}", cancelInProgress: true },
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }],
    });
    const a = await t.api.trigger(p, { branch: "prod" });
    const b = await t.api.trigger(p, { branch: "prod" });
    expect((await t.api.build(a.id)).status).toBe("CANCELED");

    const rerun = await t.api.post(`${p}/builds/batch-rerun`, { buildNumbers: [a.number, b.number] });
    expect(rerun.body.counts).toMatchObject({ created: 1, skipped: 1 });
    const items = (await t.api.get(`/v1/operations/${rerun.body.id}/items`)).body.items;
    expect(items.find((i: any) => i.buildId === b.id)).toMatchObject({ outcome: "skipped", note: "still_active" });
    const created = items.find((i: any) => i.buildId === a.id);
    expect(created.outcome).toBe("created");
    const superseded = await t.api.build(b.id);
    expect(superseded.status).toBe("CANCELED");
    expect(superseded.cancel.reason).toBe(`superseded by ${created.note}`);
  });

  it("a protected job: a superseding build and a bulk cancel without force leave its build alone and say so; with force it is stopped", async () => {
    t = await startTestEngine({ db, slots: 2 });
    const p = await t.api.pipeline("acme", "release", {
      concurrency: { group: "release", cancelInProgress: true },
      cancelGraceSeconds: 1,
      stages: [
        { name: "s", jobs: [{ name: "deploy", interruptible: false, steps: [{ run: "echo started; sleep 300" }] }] },
      ],
    });
    const deploying = await t.api.trigger(p);
    await waitFor(async () => String((await t.api.get(`/v1/builds/${deploying.id}/log`)).body).includes("started"), {
      what: "the protected job to start",
    });

    // A newer build of the group would supersede it: not a protected one.
    const newer = await t.api.trigger(p);
    expect((await t.api.build(deploying.id)).status).toBe("RUNNING");
    const supersede = (await t.api.get("/v1/projects/acme/audit")).body.items[0];
    expect(supersede).toMatchObject({ source: "concurrency", outcome: { protected: 1, canceled: 0 } });
    expect((await t.api.build(newer.id)).status).toBe("QUEUED");

    const preview = await t.api.post(`${p}/builds/batch-cancel/preview`, { buildIds: [deploying.id] });
    expect(preview.body).toMatchObject({ total: 1, protected: 1 });
    const unforced = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [deploying.id] });
    expect(unforced.body.counts).toMatchObject({ protected: 1, canceled: 0, pending: 0 });
    const items = (await t.api.get(`/v1/operations/${unforced.body.id}/items`)).body.items;
    expect(items[0]).toMatchObject({ outcome: "protected", status: "RUNNING" });
    const single = await t.api.post(`/v1/builds/${deploying.id}/cancel`, {});
    expect(single.status).toBe(409);
    expect(single.body.error.code).toBe("build_protected");
    expect((await t.api.build(deploying.id)).status).toBe("RUNNING");

    const forced = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [deploying.id], force: true });
    expect(forced.body.counts.protected).toBe(0);
    await waitFor(async () => (await t.api.build(deploying.id)).status === "CANCELED", { what: "stopped when forced" });
    expect(await t.processesOf(deploying.id)).toEqual([]);
    await waitFor(async () => (await t.api.build(newer.id)).status === "RUNNING", { what: "the newer build runs" });
  });
});
