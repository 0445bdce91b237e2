import { afterEach, describe, expect, it } from "vitest";
import { batchCancel } from "../use-cases/cancel/cancel.ts";
import { DATABASES, expectCountsConsistent, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";
import { SimAgent } from "./sim-agent.ts";

const ONE_JOB = { cancelGraceSeconds: 1, stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }] };
const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"];

describe.each(DATABASES)("races on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("cancel racing a finish leaves exactly one terminal status, an outcome that agrees, and one terminal event (200 rounds)", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 1000 } });
    const sim = await new SimAgent(t.engine.channel, "racer", { slots: 1 }).start();
    agents.push(sim);
    const p = await t.api.pipeline("acme", "race", ONE_JOB);
    const tally = { SUCCEEDED: 0, CANCELED: 0 };
    const caller = { actor: { userId: 1, username: "admin", isAdmin: true }, source: "api" as const };
    for (let round = 0; round < 200; round++) {
      const build = await t.api.trigger(p);
      const lease = await waitFor(() => [...sim.leases.values()].find((l) => l.buildId === build.id), {
        what: "lease",
      });
      // Both in flight together, in-process so that neither has an HTTP head start; half the
      // rounds start the finish first, half the cancel, the other one 0-3 ms later.
      const finish = () => sim.finish(lease.leaseId, "SUCCEEDED");
      const cancel = () =>
        batchCancel(
          t.engine.ctx,
          caller,
          { project: "acme", pipeline: "race" },
          { buildIds: [build.id], reason: `round ${round}`, atomic: false, force: false },
        );
      const [first, second]: (() => Promise<unknown>)[] = round % 2 === 0 ? [finish, cancel] : [cancel, finish];
      const later = new Promise<void>((resolve) => setTimeout(resolve, round % 4)).then(() => second!());
      const results = await Promise.all([first!(), later]);
      const op = { body: (round % 2 === 0 ? results[1] : results[0]) as { id: string } };
      const done = await waitFor(
        async () => {
          const b = await t.api.build(build.id);
          return TERMINAL.includes(b.status) ? b : null;
        },
        { what: `round ${round} terminal` },
      );
      const final = await waitFor(async () => {
        const r = await t.api.get(`/v1/operations/${op.body.id}`);
        return r.body.status === "completed" ? r.body : null;
      });
      const [item] = (await t.api.get(`/v1/operations/${op.body.id}/items`)).body.items;
      if (done.status === "CANCELED") {
        expect(item.outcome).toBe("canceled");
        expect(final.counts.canceled).toBe(1);
      } else {
        expect(done.status).toBe("SUCCEEDED");
        expect(item.outcome).toBe("already_finished");
        expect(final.counts.alreadyFinished).toBe(1);
      }
      tally[done.status as "SUCCEEDED" | "CANCELED"]++;
    }
    // Exactly one terminal status change per build in the outbox.
    const terminalEvents = await t.engine.ctx.store.events.read({
      afterSeq: 0,
      filter: { types: ["build.status_changed"] },
      limit: 10_000,
    });
    const perBuild = new Map<number, number>();
    for (const e of terminalEvents) {
      if (TERMINAL.includes(JSON.parse(e.payload).to)) perBuild.set(e.build_id!, (perBuild.get(e.build_id!) ?? 0) + 1);
    }
    expect(perBuild.size).toBe(200);
    expect([...perBuild.values()].every((n) => n === 1)).toBe(true);
    expect(tally.SUCCEEDED + tally.CANCELED).toBe(200);
    await expectCountsConsistent(t, p);
    // Both sides won some rounds, so the race was real.
    expect(tally.SUCCEEDED).toBeGreaterThan(0);
    expect(tally.CANCELED).toBeGreaterThan(0);
  });

  it("overlapping bulk cancels never deadlock and cancel each build exactly once", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { maxRunningOperationsPerUser: 1000 } });
    const sims = await Promise.all(
      ["o1", "o2", "o3"].map((n) => new SimAgent(t.engine.channel, n, { slots: 0 }).start()),
    );
    agents.push(...sims);
    const p = await t.api.pipeline("acme", "overlap", ONE_JOB);
    for (let round = 0; round < 5; round++) {
      const ids = await seedBuilds(t, p, 300, {
        status: (i) => (i % 5 === 0 ? "QUEUED" : "RUNNING"),
        agents: sims.map((s) => s.name),
      });
      const reversed = [...ids].reverse();
      const shuffled = [...ids].sort((a, b) => ((a * 7919) % 300) - ((b * 7919) % 300));
      const responses = await Promise.all([
        t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids }),
        t.api.post(`${p}/builds/batch-cancel`, { buildIds: reversed }),
        t.api.post(`${p}/builds/batch-cancel`, { buildIds: shuffled.slice(0, 200) }),
        t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING", "QUEUED"] } }),
      ]);
      for (const r of responses) expect(r.status).toBe(202);
      const ops = await Promise.all(
        responses.map((r) =>
          waitFor(async () => {
            const o = await t.api.get(`/v1/operations/${r.body.id}`);
            return o.body.status === "completed" ? o.body : null;
          }),
        ),
      );
      const canceledBy = new Map<number, string[]>();
      for (const op of ops) {
        const items = (await t.api.get(`/v1/operations/${op.id}/items?limit=1000&outcome=canceled`)).body.items;
        for (const i of items) canceledBy.set(i.buildId, [...(canceledBy.get(i.buildId) ?? []), op.id]);
      }
      for (const id of ids) {
        const b = await t.api.build(id);
        expect(b.status).toBe("CANCELED");
        expect(canceledBy.get(id)).toEqual([b.cancel.operationId]);
      }
      expect(ops.reduce((n, o) => n + o.counts.canceled, 0)).toBe(ids.length);
      await expectCountsConsistent(t, p);
    }
  });
});
