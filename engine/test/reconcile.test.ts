/**
 * Engines and agents reconcile: an engine restart under a remote agent leaves no ghost build, a
 * lost agent that comes back stops what it ran, a healthy agent is never declared lost, a job an
 * agent drops is failed, and what an agent holds without the engine's consent is stopped.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../agent/agent.ts";
import { AppError } from "../../common/errors.ts";
import {
  DATABASES,
  processesOfBuild,
  processesWithArg,
  startRemoteAgent,
  startTestEngine,
  type TestEngine,
  waitFor,
} from "./harness.ts";
import { CuttableProxy } from "./proxy.ts";

const nonce = () => String(crypto.randomInt(100_000, 999_999_999));
const oneStep = (run: string, extra: object = {}) => ({
  cancelGraceSeconds: 1,
  ...extra,
  stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run }] }] }],
});

describe.each(DATABASES)("reconciliation on $name", (db) => {
  let t: TestEngine;
  const agents: Agent[] = [];
  const proxies: CuttableProxy[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop(0);
    for (const p of proxies.splice(0)) await p.cut();
    await t?.destroy();
  });

  it("an engine restart under a remote agent: its reports wait for the engine, and no build is left RUNNING", async () => {
    t = await startTestEngine({ db, slots: 0 });
    agents.push(await startRemoteAgent(t, { name: "remote", slots: 4 }));
    const mark = path.join(t.workDir, "..", `go-${nonce()}`);
    const p = await t.api.pipeline(
      "acme",
      "waits",
      oneStep('echo started; while [ ! -f "$MARK" ]; do sleep 0.05; done; echo done', { params: { MARK: {} } }),
    );
    const builds: { id: number }[] = [];
    for (let i = 0; i < 4; i++) builds.push(await t.api.trigger(p, { params: { MARK: mark } }));
    await waitFor(async () => (await t.api.get(`${p}/builds/counts`)).body.RUNNING === 4, { what: "4 running" });
    await waitFor(
      async () =>
        (await Promise.all(builds.map((b) => t.api.get(`/v1/builds/${b.id}/log`)))).every((r) =>
          String(r.body).includes("started"),
        ),
      { what: "every step started" },
    );

    await t.engine.stop();
    // The steps end while the engine is away: their reports cannot be delivered yet.
    fs.writeFileSync(mark, "");
    const remoteWork = path.join(t.workDir, "..", "work-remote");
    await waitFor(
      async () =>
        (await Promise.all(builds.map((b) => processesOfBuild(remoteWork, b.id)))).every((p) => p.length === 0),
      { what: "the steps to end" },
    );
    t = await t.restart({ slots: 0 });

    for (const b of builds) {
      const done = await waitFor(async () => {
        const build = await t.api.build(b.id);
        return build.status !== "RUNNING" ? build : null;
      });
      expect(done.status).toBe("SUCCEEDED");
    }
  });

  it("a lost agent that comes back is told to stop what it ran, and does", async () => {
    t = await startTestEngine({
      db,
      slots: 0,
      settings: { agentTimeoutSeconds: 1.5, agentHeartbeatSeconds: 0.25, stopAckTimeoutSeconds: 600 },
    });
    const proxy = await new CuttableProxy({ host: "127.0.0.1", port: Number(new URL(t.engine.url).port) }).start();
    proxies.push(proxy);
    agents.push(await startRemoteAgent(t, { name: "wanderer", slots: 1, urls: [proxy.url] }));
    const n = nonce();
    const p = await t.api.pipeline("acme", "long", oneStep(`echo started; sleep 300.${n}`));
    const build = await t.api.trigger(p);
    await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 1, { what: "the step runs" });

    await proxy.cut();
    const lost = await t.api.waitForStatus(build.id, "FAILED");
    expect(lost.statusReason).toBe("agent_lost");
    // The agent has not heard of the verdict: its process still runs.
    expect(await processesWithArg(`300.${n}`)).toHaveLength(1);

    await proxy.restore();
    await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 0, { what: "the agent stops it" });
    expect((await t.api.build(build.id)).status).toBe("FAILED");
  });

  it("a healthy agent is never declared lost, however long its polls wait", async () => {
    t = await startTestEngine({
      db,
      slots: 0,
      settings: { agentTimeoutSeconds: 1.5, agentHeartbeatSeconds: 0.25 },
    });
    agents.push(await startRemoteAgent(t, { name: "steady", slots: 1, pollWaitMs: 20_000 }));
    const p = await t.api.pipeline("acme", "slow", oneStep("sleep 4; echo ok"));
    const build = await t.api.trigger(p);
    const done = await waitFor(async () => {
      const b = await t.api.build(build.id);
      return ["SUCCEEDED", "FAILED"].includes(b.status) ? b : null;
    });
    expect(done.status).toBe("SUCCEEDED");
  });

  it("a job the agent no longer reports fails as agent_dropped; an unknown lease is ordered stopped; a second process under one id is refused", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const channel = t.engine.channel;
    await channel.register({ name: "forgetful", slots: 2, instance: "first" });
    const p = await t.api.pipeline("acme", "dropped", oneStep("sleep 300"));
    const build = await t.api.trigger(p);
    const given = await channel.poll({
      agentId: "forgetful",
      instance: "first",
      leases: [],
      seenUntil: 0,
      freeSlots: 1,
      waitMs: 5000,
    });
    expect(given.assignments).toHaveLength(1);
    const lease = given.assignments[0]?.leaseId as string;
    // It got the job: its step started.
    expect((await channel.reportStep("forgetful", { leaseId: lease, stepIndex: 0, status: "RUNNING" })).accepted).toBe(
      true,
    );

    // It still reports the lease: nothing happens.
    const kept = await channel.heartbeat({
      agentId: "forgetful",
      instance: "first",
      leases: [lease],
      seenUntil: given.now,
    });
    expect(kept.stops).toEqual([]);
    expect((await t.api.build(build.id)).status).toBe("RUNNING");

    // A lease it never had must be stopped at once.
    const unknown = await channel.heartbeat({
      agentId: "forgetful",
      instance: "first",
      leases: [lease, "1-doesnotexist"],
      seenUntil: given.now,
    });
    expect(unknown.stops).toEqual([expect.objectContaining({ leaseId: "1-doesnotexist", force: true })]);

    // Then it leaves the lease out, having seen the answer that gave it: dropped.
    await channel.heartbeat({ agentId: "forgetful", instance: "first", leases: [], seenUntil: given.now });
    const dropped = await t.api.build(build.id);
    expect(dropped.status).toBe("FAILED");
    expect(dropped.statusReason).toBe("agent_dropped");

    // Another process registers under the same id: the first one is refused from then on.
    await channel.register({ name: "forgetful", slots: 2, instance: "second" });
    const refused = await channel
      .heartbeat({ agentId: "forgetful", instance: "first", leases: [], seenUntil: 0 })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("agent_replaced");
  });

  it("an assignment whose answer never reached the agent goes back to the queue and runs once, not failed as dropped", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const channel = t.engine.channel;
    await channel.register({ name: "cut-off", slots: 1, instance: "c" });
    const p = await t.api.pipeline("acme", "undelivered", oneStep("sleep 300"));
    const build = await t.api.trigger(p);
    const lost = await channel.poll({
      agentId: "cut-off",
      instance: "c",
      leases: [],
      seenUntil: 0,
      freeSlots: 1,
      waitMs: 5000,
    });
    expect(lost.assignments).toHaveLength(1);
    // That answer was lost on the way. A later answer reaches the agent, which holds nothing.
    const later = await channel.heartbeat({ agentId: "cut-off", instance: "c", leases: [], seenUntil: 0 });
    await channel.heartbeat({ agentId: "cut-off", instance: "c", leases: [], seenUntil: later.now });
    const b = await t.api.build(build.id);
    expect(b.status).toBe("RUNNING");
    expect(b.jobs[0].status).toBe("QUEUED");
    // The old lease is refused; the job is given again, under a new lease.
    const stale = await channel.reportStep("cut-off", {
      leaseId: lost.assignments[0]?.leaseId as string,
      stepIndex: 0,
      status: "RUNNING",
    });
    expect(stale.accepted).toBe(false);
    const again = await channel.poll({
      agentId: "cut-off",
      instance: "c",
      leases: [],
      seenUntil: later.now,
      freeSlots: 1,
      waitMs: 5000,
    });
    expect(again.assignments.map((a) => a.buildId)).toEqual([build.id]);
    expect(again.assignments[0]?.leaseId).not.toBe(lost.assignments[0]?.leaseId);
  });

  it("a stop acknowledgement for a lease the agent does not hold changes nothing", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const channel = t.engine.channel;
    await channel.register({ name: "owner", slots: 1, instance: "o" });
    await channel.register({ name: "impostor", slots: 1, instance: "i" });
    const p = await t.api.pipeline("acme", "owned", oneStep("sleep 300", { cancelGraceSeconds: 60 }));
    const build = await t.api.trigger(p);
    const { assignments } = await channel.poll({
      agentId: "owner",
      instance: "o",
      leases: [],
      seenUntil: 0,
      freeSlots: 1,
      waitMs: 5000,
    });
    const lease = assignments[0]?.leaseId as string;
    expect((await t.api.post(`/v1/builds/${build.id}/cancel`, {})).status).toBe(202);
    await channel.acknowledgeStops("impostor", [{ leaseId: lease }]);
    const b = await t.api.build(build.id);
    expect(b.status).toBe("CANCELING");
    expect(b.jobs[0].status).toBe("RUNNING");
    await channel.acknowledgeStops("owner", [{ leaseId: lease }]);
    expect((await t.api.build(build.id)).status).toBe("CANCELED");
  });
});
