import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

describe.each(DATABASES)("running and canceling builds on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("5 triggers with 4 slots give 4 RUNNING and 1 QUEUED; a cancel kills, frees the slot and starts the queued one", async () => {
    t = await startTestEngine({ db, slots: 4 });
    const p = await t.api.pipeline("acme", "sleepy", sleepPipeline({ seconds: 300, grace: 2 }));
    const builds: any[] = [];
    for (let i = 0; i < 5; i++) builds.push(await t.api.trigger(p, { branch: `b${i}` }));
    await waitFor(
      async () => {
        const statuses = await Promise.all(builds.map(async (b) => (await t.api.build(b.id)).status));
        return (
          statuses.filter((s) => s === "RUNNING").length === 4 && statuses.filter((s) => s === "QUEUED").length === 1
        );
      },
      { what: "4 running and 1 queued" },
    );
    const queued = (await Promise.all(builds.map((b) => t.api.build(b.id)))).find((b) => b.status === "QUEUED");
    const victim = builds[0];
    await waitFor(async () => (await t.processesOf(victim.id)).length > 0, { what: "the sleep process" });

    const res = await t.api.post(`/v1/builds/${victim.id}/cancel`, { reason: "bad push" });
    expect(res.status).toBe(202);
    expect(res.body.total).toBe(1);

    const canceled = await t.api.waitForStatus(victim.id, "CANCELED");
    expect(await t.processesOf(victim.id)).toEqual([]);
    expect(canceled.cancel).toMatchObject({ by: "admin", reason: "bad push", operationId: res.body.id });
    expect(canceled.jobs[0].status).toBe("CANCELED");
    await waitFor(async () => (await t.api.build(queued.id)).status === "RUNNING", {
      what: "queued build takes the slot",
    });
    const op = await waitFor(async () => {
      const r = await t.api.get(`/v1/operations/${res.body.id}`);
      return r.body.status === "completed" ? r.body : null;
    });
    expect(op.counts).toEqual({
      canceled: 1,
      alreadyFinished: 0,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
  });

  it("a step that traps SIGTERM is SIGKILLed after the grace period", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline("acme", "stubborn", sleepPipeline({ trap: true, grace: 1 }));
    const build = await t.api.trigger(p);
    await waitFor(async () => (await t.api.get(`/v1/builds/${build.id}/log`)).body.includes("started"), {
      what: "started",
    });
    const started = Date.now();
    expect((await t.api.post(`/v1/builds/${build.id}/cancel`, {})).status).toBe(202);
    expect((await t.api.build(build.id)).status).toBe("CANCELING");
    await waitFor(async () => (await t.api.build(build.id)).status === "CANCELED", { what: "CANCELED" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await t.processesOf(build.id)).toEqual([]);
    const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(log).toContain("got TERM");
  });

  it("canceling a queued build cancels it at once; a finished build answers 409 already_finished", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "quick", sleepPipeline({ seconds: 1 }));
    const build = await t.api.trigger(p);
    const res = await t.api.post(`/v1/builds/${build.id}/cancel`, {});
    expect(res.status).toBe(202);
    expect(res.body.status).toBe("completed");
    expect((await t.api.build(build.id)).status).toBe("CANCELED");
    const again = await t.api.post(`/v1/builds/${build.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("already_finished");
  });

  it("force: true on a CANCELING build SIGKILLs and finalizes now", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline("acme", "stubborn", sleepPipeline({ trap: true, grace: 60 }));
    const build = await t.api.trigger(p);
    await waitFor(async () => (await t.api.get(`/v1/builds/${build.id}/log`)).body.includes("started"));
    await t.api.post(`/v1/builds/${build.id}/cancel`, {});
    await waitFor(async () => (await t.api.get(`/v1/builds/${build.id}/log`)).body.includes("got TERM"), {
      what: "SIGTERM reached",
    });
    const second = await t.api.post(`/v1/builds/${build.id}/cancel`, {});
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("already_canceling");
    const forced = await t.api.post(`/v1/builds/${build.id}/cancel`, { force: true });
    expect(forced.status).toBe(202);
    expect((await t.api.build(build.id)).status).toBe("CANCELED");
    await waitFor(async () => (await t.processesOf(build.id)).length === 0, {
      what: "processes killed",
      timeoutMs: 5000,
    });
  });

  it("runs stages in order, jobs in parallel, with the build's variables; a failed step fails the build and skips later stages", async () => {
    t = await startTestEngine({ db, slots: 4 });
    const p = await t.api.pipeline("acme", "stages", {
      params: { GREETING: { description: "what job a says" } },
      stages: [
        {
          name: "one",
          jobs: [
            { name: "a", steps: [{ run: 'echo "A $SLUICE_BRANCH $SLUICE_COMMIT $GREETING"' }] },
            { name: "b", steps: [{ run: "echo B" }] },
          ],
        },
        { name: "two", jobs: [{ name: "c", steps: [{ run: "echo C; exit 3" }, { run: "echo never" }] }] },
        { name: "three", jobs: [{ name: "d", steps: [{ run: "echo D" }] }] },
      ],
    });
    const build = await t.api.trigger(p, { branch: "feature/x", commit: "abcdef1", params: { GREETING: "hi" } });
    const done = await t.api.waitForStatus(build.id, "FAILED");
    const byName = Object.fromEntries(done.jobs.map((j: any) => [j.name, j]));
    expect(byName.a.status).toBe("SUCCEEDED");
    expect(byName.b.status).toBe("SUCCEEDED");
    expect(byName.c.status).toBe("FAILED");
    expect(byName.c.steps.map((s: any) => s.status)).toEqual(["FAILED", "SKIPPED"]);
    expect(byName.c.steps[0].exitCode).toBe(3);
    expect(byName.d.status).toBe("SKIPPED");
    const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(log).toContain("A feature/x abcdef1 hi");
    expect(log).not.toContain("never");
    expect(log).not.toContain("D\n");
  });

  it("a job past its timeout ends TIMED_OUT and its processes are gone", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline("acme", "slow", {
      cancelGraceSeconds: 1,
      stages: [{ name: "s", jobs: [{ name: "slow", timeoutMinutes: 0.02, steps: [{ run: "sleep 300" }] }] }],
    });
    const build = await t.api.trigger(p);
    const b = await waitFor(
      async () => {
        const x = await t.api.build(build.id);
        return x.status === "TIMED_OUT" ? x : null;
      },
      { what: "TIMED_OUT" },
    );
    expect(b.jobs[0].status).toBe("TIMED_OUT");
    expect(await t.processesOf(build.id)).toEqual([]);
  });
});
