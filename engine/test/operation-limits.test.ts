/**
 * What binds every bulk kind alike: an `Idempotency-Key` is bound to who sent it, the kind of
 * route and the request (another body or another kind answers 422 and creates nothing), and the
 * per-user limit on running operations counts bulk operations only — cancels and re-runs, in a
 * pipeline or project-wide — and refuses both; single and forced cancels neither count nor are
 * refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { expectRefusal } from "./security-helpers.ts";
import { seedBuilds } from "./seed.ts";
import { SimAgent } from "./sim-agent.ts";

const P = "/v1/projects/acme/pipelines/web";
const PROJECT = "/v1/projects/acme";

describe.each(DATABASES)("bulk operations' keys and limits on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  /** An agent that never acknowledges a stop: cancels of its builds stay running. */
  async function deafAgent(): Promise<SimAgent> {
    const sim = await new SimAgent(t.engine.channel, "deaf", { slots: 0, stopMode: "ignore" }).start();
    agents.push(sim);
    return sim;
  }

  it("a re-run with a key used for another body, another scope or by a cancel answers 422 idempotency_key_reused and creates nothing", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", sleepPipeline());
    const [a, b] = await seedBuilds(t, P, 2, { status: () => "CANCELED" });
    const [queued, other] = await seedBuilds(t, P, 2, { status: () => "QUEUED" });
    const key = (k: string) => ({ "Idempotency-Key": k });

    const first = await t.api.post(`${P}/builds/batch-rerun`, { buildIds: [a] }, key("r-1"));
    expect(first.status).toBe(201);
    const again = await t.api.post(`${P}/builds/batch-rerun`, { buildIds: [a] }, key("r-1"));
    expect([again.status, again.body.id]).toEqual([201, first.body.id]);
    const cancel = await t.api.post(`${P}/builds/batch-cancel`, { buildIds: [queued] }, key("c-1"));
    expect(cancel.status).toBe(202);
    const single = await t.api.post(`/v1/builds/${other}/cancel`, {}, key("s-1"));
    expect(single.status).toBe(202);

    const before = await databaseSnapshot(t);
    const reused: [string, string, unknown, string][] = [
      ["another body", `${P}/builds/batch-rerun`, { buildIds: [b] }, "r-1"],
      ["the same body, project-wide", `${PROJECT}/builds/batch-rerun`, { buildIds: [a] }, "r-1"],
      ["a batch cancel's key, same body", `${P}/builds/batch-rerun`, { buildIds: [queued] }, "c-1"],
      ["a batch cancel's key, project-wide", `${PROJECT}/builds/batch-rerun`, { buildIds: [queued] }, "c-1"],
      ["a single cancel's key", `${P}/builds/batch-rerun`, { buildIds: [other] }, "s-1"],
      ["a re-run's key on a cancel", `${P}/builds/batch-cancel`, { buildIds: [a] }, "r-1"],
      ["a single cancel's key on a batch cancel", `${P}/builds/batch-cancel`, { buildIds: [other] }, "s-1"],
      ["a batch cancel's key on a single cancel", `/v1/builds/${queued}/cancel`, {}, "c-1"],
    ];
    for (const [what, path, body, k] of reused) {
      const res = await t.api.post(path, body, key(k));
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({
        what,
        status: 422,
        code: "idempotency_key_reused",
      });
      expectRefusal(res, 422, "idempotency_key_reused");
    }
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it("single cancels still stopping do not count: the same user's bulk cancel and re-run are accepted", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 5 } });
    const sim = await deafAgent();
    await t.api.pipeline("acme", "web", sleepPipeline());
    const running = await seedBuilds(t, P, 7, { status: () => "RUNNING", agents: [sim.name] });
    const [finished] = await seedBuilds(t, P, 1, { status: () => "FAILED" });
    for (const id of running.slice(0, 5)) {
      const single = await t.api.post(`/v1/builds/${id}/cancel`, {});
      expect([single.status, single.body.status]).toEqual([202, "running"]);
    }
    const bulk = await t.api.post(`${P}/builds/batch-cancel`, { buildIds: [running[5]] });
    expect([bulk.status, bulk.body.status]).toEqual([202, "running"]);
    const projectWide = await t.api.post(`${PROJECT}/builds/batch-cancel`, { buildIds: [running[6]] });
    expect(projectWide.status).toBe(202);
    const rerun = await t.api.post(`${P}/builds/batch-rerun`, { buildIds: [finished] });
    expect(rerun.status).toBe(201);
  });

  it("re-runs share the limit: with the user's bulk cancels running, a re-run (either scope) answers 429 with Retry-After and creates nothing; a forced cancel is still accepted", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 2 } });
    const sim = await deafAgent();
    await t.api.pipeline("acme", "web", sleepPipeline());
    const running = await seedBuilds(t, P, 3, { status: () => "RUNNING", agents: [sim.name] });
    const [finished] = await seedBuilds(t, P, 1, { status: () => "FAILED" });
    for (const id of running.slice(0, 2)) {
      expect((await t.api.post(`${P}/builds/batch-cancel`, { buildIds: [id] })).body.status).toBe("running");
    }
    // The stops reach the agent, which ignores them: the operations stay running, nothing else moves.
    await waitFor(() => sim.stopsReceived.length === 2, { what: "both stops delivered" });
    await sim.stop();

    const before = await databaseSnapshot(t);
    for (const path of [`${P}/builds/batch-rerun`, `${PROJECT}/builds/batch-rerun`, `${PROJECT}/builds/batch-cancel`]) {
      const res = await t.api.post(path, { buildIds: [path.endsWith("cancel") ? running[2] : finished] });
      expectRefusal(res, 429, "too_many_operations");
      expect(Number(res.headers.get("retry-after")), path).toBeGreaterThan(0);
    }
    expect(await databaseSnapshot(t)).toEqual(before);

    const forced = await t.api.post(`${P}/builds/batch-cancel`, { buildIds: [running[2]], force: true });
    expect(forced.status).toBe(202);
    const single = await t.api.post(`/v1/builds/${running[0]}/cancel`, { force: true });
    expect(single.status).toBe(202);
  });
});
