import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../store/store.ts";
import { batchCancel } from "../use-cases/cancel/cancel.ts";
import { finalizeCancels } from "../use-cases/operations/finalize.ts";
import { ProgressReporter } from "../use-cases/operations/progress.ts";
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
    // 200 rounds of HTTP calls and settles: minutes on a loaded machine (a limit, not a measure).
  }, 300_000);

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
  }, 300_000);

  it("a progress report racing the operation's completion never writes operation.progress after operation.completed", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sim = await new SimAgent(t.engine.channel, "deaf", { slots: 0, stopMode: "ignore" }).start();
    agents.push(sim);
    const p = await t.api.pipeline("acme", "late", ONE_JOB);
    const ids = await seedBuilds(t, p, 2, { status: () => "RUNNING", agents: [sim.name] });
    const op = (await t.api.post(`${p}/builds/batch-cancel`, { buildIds: ids })).body;
    expect(op.status).toBe("running");

    // A reporter whose transaction stops right after it has read the operation, until released.
    const store = t.engine.ctx.store;
    let hasRead: () => void = () => {};
    const read = new Promise<void>((resolve) => (hasRead = resolve));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let reported: Promise<unknown> | undefined;
    const pausing = {
      transaction: (fn: (tx: Store) => Promise<unknown>) => {
        reported = store.transaction((tx) => fn(pauseAfterOperationRead(tx, hasRead, released)));
        return reported;
      },
    } as unknown as Store;
    const reporter = new ProgressReporter({ store: pausing, log: t.engine.ctx.log, now: Date.now }, 0);
    reporter.touch(op.id);
    await read;

    // Meanwhile the stop deadline force-finalizes the builds in another transaction (as the
    // sweeper does: builds locked in id order first): the operation completes.
    let completedFirst = false;
    const completing = store
      .transaction(async (tx) => {
        await tx.builds.lockRefs({ ids });
        await finalizeCancels(t.engine.ctx, tx, { buildIds: ids, force: true, note: "agent_unresponsive" });
      })
      .then(() => {
        completedFirst = true;
      });
    // SQLite runs one transaction at a time (the completion waits for the reporter's); on
    // PostgreSQL the completion either commits now or waits for a lock the reporter holds.
    if (db.url) await waitFor(async () => completedFirst || (await waitsForLock(t)), { what: "completion under way" });
    release();
    await completing;
    await reported;
    reporter.stop();

    const events = await store.events.read({ afterSeq: 0, filter: { operationId: op.id }, limit: 100 });
    const types = events.map((e) => `${e.type}:${JSON.parse(e.payload).status}`);
    expect(types.filter((x) => x.startsWith("operation.completed"))).toEqual(["operation.completed:completed"]);
    expect(types.at(-1)).toBe("operation.completed:completed");
  });
});

/** `tx`, whose first read of an operation signals `hasRead` and then waits for `released`. */
function pauseAfterOperationRead(tx: Store, hasRead: () => void, released: Promise<void>): Store {
  let paused = false;
  const operations = new Proxy(tx.operations, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        if (!paused) {
          paused = true;
          hasRead();
          await released;
        }
        return result;
      };
    },
  });
  return new Proxy(tx, {
    get: (target, name) => (name === "operations" ? operations : Reflect.get(target, name, target)),
  });
}

/** PostgreSQL: whether one of this engine's connections waits for a lock. */
async function waitsForLock(t: TestEngine): Promise<boolean> {
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = $1",
      [t.applicationName],
    );
    return rows[0].n > 0;
  } finally {
    await client.end();
  }
}
