import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, expectCountsConsistent, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { SimAgent } from "./sim-agent.ts";

const pipeline = (concurrency: object) => ({
  cancelGraceSeconds: 1,
  concurrency,
  stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }],
});

describe.each(DATABASES)("concurrency groups on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  async function start(slots = 10) {
    t = await startTestEngine({ db, slots: 0 });
    agents.push(await new SimAgent(t.engine.channel, "grouped", { slots }).start());
  }
  const status = async (id: number) => (await t.api.build(id)).status;

  it("cancelInProgress: a new build cancels every unfinished earlier build of its group (queued or running), as superseded by #N", async () => {
    await start(1);
    const p = await t.api.pipeline(
      "acme",
      "deploy",
      pipeline({ group: "deploy-${{ branch }}", cancelInProgress: true }),
    );
    const running = await t.api.trigger(p, { branch: "main" });
    await waitFor(async () => (await status(running.id)) === "RUNNING");
    const other = await t.api.trigger(p, { branch: "release" });
    expect(other.concurrencyGroup).toBe("deploy-release");
    const newest = await t.api.trigger(p, { branch: "main" });
    expect(newest.concurrencyGroup).toBe("deploy-main");
    const superseded = await t.api.waitForStatus(running.id, "CANCELED");
    expect(superseded.cancel.reason).toBe(`superseded by #${newest.number}`);
    expect(await status(other.id)).not.toBe("CANCELED");
    const audit = (await t.api.get("/v1/projects/acme/audit")).body.items;
    expect(audit[0]).toMatchObject({ source: "concurrency", reason: `superseded by #${newest.number}`, targets: 1 });
    // The group is free once the old build is canceled: the newest runs.
    await waitFor(async () => (await status(newest.id)) === "RUNNING" || (await status(other.id)) === "RUNNING");
  });

  it("without cancelInProgress: one build runs per group and the rest wait", async () => {
    await start(10);
    const p = await t.api.pipeline("acme", "serial", pipeline({ group: "${{ pipeline }}", queueLength: 5 }));
    const builds: any[] = [];
    for (let i = 0; i < 3; i++) builds.push(await t.api.trigger(p));
    await waitFor(async () => (await status(builds[0].id)) === "RUNNING");
    expect(await status(builds[1].id)).toBe("QUEUED");
    expect(await status(builds[2].id)).toBe("QUEUED");
    await agents[0]!.finish([...agents[0]!.leases.keys()][0]!);
    await waitFor(async () => (await status(builds[1].id)) === "RUNNING", { what: "the next one runs" });
    expect(await status(builds[2].id)).toBe("QUEUED");
  });

  it("a full queue evicts the oldest waiting build as CANCELED with reason queue_full", async () => {
    await start(10);
    const p = await t.api.pipeline("acme", "serial", pipeline({ group: "g", queueLength: 2 }));
    const first = await t.api.trigger(p);
    await waitFor(async () => (await status(first.id)) === "RUNNING");
    const a = await t.api.trigger(p);
    const b = await t.api.trigger(p);
    const c = await t.api.trigger(p);
    const evicted = await t.api.build(a.id);
    expect(evicted.status).toBe("CANCELED");
    expect(evicted.cancel.reason).toBe("queue_full");
    expect(await status(b.id)).toBe("QUEUED");
    expect(await status(c.id)).toBe("QUEUED");
    expect(await status(first.id)).toBe("RUNNING");
  });

  it("queueLength 0 rejects a trigger while the group is busy, changing nothing", async () => {
    await start(10);
    const p = await t.api.pipeline("acme", "exclusive", pipeline({ group: "g", queueLength: 0 }));
    const first = await t.api.trigger(p);
    const res = await t.api.post(`${p}/builds`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("concurrency_group_busy");
    expect((await t.api.get(`${p}/builds`)).body.items.map((b: any) => b.id)).toEqual([first.id]);
  });

  it("a build waiting longer than queueTimeoutMinutes becomes TIMED_OUT", async () => {
    await start(10);
    const p = await t.api.pipeline("acme", "impatient", pipeline({ group: "g", queueTimeoutMinutes: 0.01 }));
    const first = await t.api.trigger(p);
    await waitFor(async () => (await status(first.id)) === "RUNNING");
    const waiting = await t.api.trigger(p);
    const b = await waitFor(
      async () => {
        const x = await t.api.build(waiting.id);
        return x.status === "TIMED_OUT" ? x : null;
      },
      { what: "queue timeout" },
    );
    expect(b.statusReason).toBe("queue_timeout");
    expect(await status(first.id)).toBe("RUNNING");
  });

  it("simultaneous triggers in a cancelInProgress group leave exactly one survivor, the newest", async () => {
    await start(20);
    const p = await t.api.pipeline("acme", "storm", pipeline({ group: "${{ branch }}", cancelInProgress: true }));
    for (let round = 0; round < 5; round++) {
      const branch = `storm-${round}`;
      const triggered = await Promise.all(Array.from({ length: 8 }, () => t.api.trigger(p, { branch })));
      const newest = triggered.reduce((a, b) => (a.number > b.number ? a : b));
      await waitFor(
        async () => {
          const active = (await t.api.get(`${p}/builds?status=QUEUED,RUNNING,CANCELING&branch=${branch}`)).body.items;
          return active.length === 1 && active[0].id === newest.id;
        },
        { what: `one survivor in round ${round}` },
      );
      const canceled = (await t.api.get(`${p}/builds?status=CANCELED&branch=${branch}`)).body.items;
      expect(canceled).toHaveLength(7);
      for (const b of canceled) expect(b.cancel.reason).toMatch(/^superseded by #\d+$/);
    }
    await expectCountsConsistent(t, p);
  });
});
