import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";
import { SimAgent } from "./sim-agent.ts";

async function completed(t: TestEngine, id: string) {
  return waitFor(
    async () => {
      const r = await t.api.get(`/v1/operations/${id}`);
      return r.body.status === "completed" ? r.body : null;
    },
    { what: `operation ${id}`, timeoutMs: 30_000 },
  );
}

describe.each(DATABASES)("an engine restart in the middle of a bulk cancel on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("with the in-process agent: the restart finalizes what was being stopped; nothing stays CANCELING", async () => {
    t = await startTestEngine({ db, slots: 6 });
    const p = await t.api.pipeline("acme", "stubborn", sleepPipeline({ trap: true, grace: 60 }));
    const builds: any[] = [];
    for (let i = 0; i < 6; i++) builds.push(await t.api.trigger(p));
    await waitFor(
      async () => (await Promise.all(builds.map((b) => t.processesOf(b.id)))).every((pids) => pids.length > 0),
      {
        what: "all running",
      },
    );
    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING"] } });
    expect(res.body.counts.pending).toBe(6);
    // The steps trap SIGTERM and the grace period is a minute: the operation is mid-way.
    await waitFor(async () => (await t.api.get(`${p}/builds/counts`)).body.CANCELING === 6);
    t = await t.restart({ slots: 6 });
    const op = await completed(t, res.body.id);
    expect(op.counts).toEqual({
      canceled: 6,
      alreadyFinished: 0,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
    const counts = (await t.api.get(`${p}/builds/counts`)).body;
    expect(counts.CANCELING).toBe(0);
    expect(counts.CANCELED).toBe(6);
    for (const b of builds) expect(await t.processesOf(b.id)).toEqual([]);
  });

  it("with a remote agent: stop orders survive the restart and the operation completes with the agent's acknowledgements", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const remote = await new SimAgent(t.engine.channel, "remote", { slots: 0, stopMode: "ignore" }).start();
    const p = await t.api.pipeline("acme", "remote", sleepPipeline());
    const ids = await seedBuilds(t, p, 40, { status: () => "RUNNING", agents: ["remote"] });
    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids });
    await waitFor(() => remote.stopsReceived.length === 40, { what: "stop orders delivered" });
    await remote.stop();
    t = await t.restart({ slots: 0 });
    expect((await t.api.get(`/v1/operations/${res.body.id}`)).body.counts.pending).toBe(40);
    // The agent stopped the jobs while the engine was away; its acknowledgements arrive now.
    await t.engine.channel.acknowledgeStops(
      "remote",
      remote.stopsReceived.map((s) => ({ leaseId: s.leaseId })),
    );
    const op = await completed(t, res.body.id);
    expect(op.counts).toEqual({
      canceled: 40,
      alreadyFinished: 0,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
    expect((await t.api.get(`${p}/builds/counts`)).body.CANCELING).toBe(0);
  });

  it("a build whose agent never acknowledges is force-finalized at the stop deadline, and a late report cannot revive it", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { stopAckTimeoutSeconds: 0.5 } });
    const silent = await new SimAgent(t.engine.channel, "silent", { slots: 1, stopMode: "ignore" }).start();
    agents.push(silent);
    const p = await t.api.pipeline("acme", "silent", sleepPipeline({ grace: 0 }));
    const build = await t.api.trigger(p);
    const lease = await waitFor(() => [...silent.leases.values()][0], { what: "lease" });
    const res = await t.api.post(`/v1/builds/${build.id}/cancel`, { reason: "stuck" });
    const op = await completed(t, res.body.id);
    expect(op.counts.canceled).toBe(1);
    const b = await t.api.build(build.id);
    expect(b.status).toBe("CANCELED");
    expect(b.statusReason).toBe("agent_unresponsive");
    const late = await t.engine.channel.reportJob("silent", { leaseId: lease.leaseId, status: "SUCCEEDED" });
    expect(late).toEqual({ accepted: false, stop: true });
    expect((await t.api.build(build.id)).status).toBe("CANCELED");
  });
});

describe.each(DATABASES)("housekeeping on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("an agent that stops polling while running a build is lost: the build ends FAILED with agent_lost", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { agentTimeoutSeconds: 1 } });
    const remote = await new SimAgent(t.engine.channel, "vanishing", { slots: 1 }).start();
    const p = await t.api.pipeline("acme", "remote", sleepPipeline());
    const build = await t.api.trigger(p);
    const lease = await waitFor(() => [...remote.leases.values()][0], { what: "lease" });
    await remote.stop();
    const lost = await t.api.waitForStatus(build.id, "FAILED");
    expect(lost.statusReason).toBe("agent_lost");
    expect(await t.engine.channel.reportJob("vanishing", { leaseId: lease.leaseId, status: "SUCCEEDED" })).toEqual({
      accepted: false,
      stop: true,
    });
  });

  it("outbox events older than the retention are deleted", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { eventRetentionHours: 0.0002 } });
    const p = await t.api.pipeline("acme", "chatty", sleepPipeline());
    for (let i = 0; i < 3; i++) await t.api.trigger(p);
    const { pruneEvents } = await import("../scheduler/sweeper.ts");
    const read = () => t.engine.ctx.store.events.read({ afterSeq: 0, filter: {}, limit: 100 });
    expect((await read()).length).toBe(3);
    // The sweeper prunes too; whoever gets there first, the old events go.
    await waitFor(
      async () => {
        await pruneEvents(t.engine.ctx);
        return (await read()).length === 0;
      },
      { what: "old events deleted", timeoutMs: 5000 },
    );
  });
});
