/**
 * Partitions, on test hosts of their own (network namespaces, `tools/testnet/`): an agent cut off
 * from its engine for shorter and longer than the stop acknowledgement and agent timeouts, and an
 * engine cut off from PostgreSQL while its agents still reach it.
 *
 * Timeouts are a fifth of the defaults (`TIMEOUTS`) so the cases fit in CI; the relations between
 * them are the defaults'. The figures at full length are the `partition` benchmark's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { testnetUnavailable } from "../../tools/testnet/testnet.ts";
import { cancelAndWait, Fleet, nonce, runLog, sleeper, TERMINAL, TIMEOUTS } from "./fleet.ts";
import { runCleanups } from "./stack.ts";

const UNAVAILABLE = await testnetUnavailable();
/** Skipped where test hosts cannot be made (not root, no iproute2); required in CI. */
const REQUIRED = Boolean(process.env.CI || process.env.SLUICE_CI);
const POSTGRES = DATABASES.filter((d) => d.url);

describe.skipIf(UNAVAILABLE !== undefined && !REQUIRED)("partitions on test hosts", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(() => runCleanups(cleanups));

  describe.each(DATABASES)("an agent cut off from its engine on $name", (db) => {
    it("cut for less than the acknowledgement timeout, for longer, and for longer than the agent timeout: no build runs twice, none stays RUNNING without a process, fenced jobs are reported as such, and the agent takes work again", async () => {
      const fleet = await Fleet.create(db.url, cleanups);
      const engine = await fleet.engine(TIMEOUTS);
      const agent = await fleet.agent([engine], { SLUICE_AGENT_SLOTS: "4", ...TIMEOUTS });
      const log = runLog(cleanups);
      const all: number[] = [];
      const phase = async (name: string) => {
        const n = nonce();
        const p = await engine.api.pipeline("acme", name, sleeper(log.step(`sleep 300.${n}`)));
        const ids = [(await engine.api.trigger(p)).id, (await engine.api.trigger(p)).id];
        all.push(...ids);
        // The agent takes work (again, after the previous cut).
        await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 2, {
          what: `${name}: 2 running`,
          timeoutMs: 60_000,
        }).catch((err) => {
          process.stderr.write(agent.stderr().slice(-6000));
          throw err;
        });
        return { ids, n };
      };

      // Shorter than the acknowledgement timeout: nothing happens to the builds.
      const short = await phase("short");
      await agent.host.cut();
      await waitFor(async () => Date.now() - (await fleet.lastSeen(agent)) > 2000, { what: "two heartbeats missed" });
      await agent.host.heal();
      await waitFor(async () => Date.now() - (await fleet.lastSeen(agent)) < 1000, {
        what: "heard from again",
        timeoutMs: 60_000,
      });
      for (const id of short.ids) expect((await engine.api.build(id)).status).toBe("RUNNING");
      expect(await processesWithArg(`300.${short.n}`)).toHaveLength(2);
      expect(agent.stderr()).not.toMatch(/fencing/);
      await cancelAndWait(fleet, short.ids);

      // Longer than the acknowledgement timeout, shorter than the agent timeout: the agent stops its
      // jobs itself and, once the link heals, says so (the engine had not given up on them).
      const fenced = await phase("fenced");
      await agent.host.cut();
      await waitFor(() => /fencing: stopping every job/.test(agent.stderr()), { what: "the fence", timeoutMs: 30_000 });
      await waitFor(async () => (await processesWithArg(`300.${fenced.n}`)).length === 0, { what: "jobs stopped" });
      for (const id of fenced.ids) expect((await engine.api.build(id)).status).toBe("RUNNING");
      await agent.host.heal();
      for (const id of fenced.ids) {
        const b = await engine.api.waitForStatus(id, "FAILED", 60_000);
        expect(b.statusReason).toBe("agent_fenced");
      }

      // Longer than the agent timeout: the engine gives up on the builds, by then already stopped.
      const lost = await phase("lost");
      await agent.host.cut();
      for (const id of lost.ids) {
        const b = await engine.api.waitForStatus(id, "FAILED", 60_000);
        expect(b.statusReason).toBe("agent_lost");
      }
      expect(await processesWithArg(`300.${lost.n}`)).toEqual([]);
      await agent.host.heal();

      const after = await phase("after");
      for (const id of all) {
        const b = await engine.api.build(id);
        // None RUNNING without a process, none stopped with one left.
        if (after.ids.includes(id)) expect(b.status).toBe("RUNNING");
        else expect(TERMINAL).toContain(b.status);
        expect(log.runs().get(id), `build ${id} ran once`).toBe(1);
      }
      expect(await processesWithArg(`300.${after.n}`)).toHaveLength(2);
      await cancelAndWait(fleet, after.ids);
    }, 300_000);
  });

  describe.runIf(POSTGRES.length > 0).each(POSTGRES)("an engine cut off from $name", (db) => {
    it("answers 503 while PostgreSQL is unreachable, recovers by itself, and loses no operation", async () => {
      const fleet = await Fleet.create(db.url, cleanups);
      // Acknowledgement and agent timeouts at their defaults: the outage is shorter than both.
      const env = { SLUICE_AGENT_HEARTBEAT_SECONDS: "1" };
      const engine = await fleet.engine(env);
      await fleet.agent([engine], { SLUICE_AGENT_SLOTS: "4", ...env });
      const n = nonce();
      const p = await engine.api.pipeline("acme", "outage", sleeper(`sleep 300.${n}`));
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) ids.push((await engine.api.trigger(p)).id);
      await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 4, { what: "4 running" });

      const res = await engine.api.post(`${p}/builds/batch-cancel`, { buildIds: ids.slice(0, 2) });
      expect(res.status).toBe(202);
      engine.db?.blackhole();
      const refused = await waitFor(
        async () => {
          const r = await fetch(`${engine.url}/v1/builds/${ids[3]}`, {
            headers: { Authorization: `Bearer ${engine.api.token}` },
            signal: AbortSignal.timeout(30_000),
          });
          return r.status === 503 ? await r.json() : null;
        },
        { what: "a 503 while the database is unreachable", timeoutMs: 60_000 },
      );
      expect(refused.error.code).toBe("database_unavailable");
      engine.db?.restore();

      const op = await waitFor(
        async () => {
          const r = await engine.api.get(`/v1/operations/${res.body.id}`);
          return r.status === 200 && r.body.status === "completed" ? r.body : null;
        },
        { what: "the operation to complete", timeoutMs: 60_000 },
      );
      expect(op.counts).toMatchObject({ canceled: 2, failed: 0, pending: 0 });
      for (const id of ids.slice(2)) expect((await engine.api.build(id)).status).toBe("RUNNING");
      expect(await processesWithArg(`300.${n}`)).toHaveLength(2);
      const next = await engine.api.trigger(p);
      await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 3, { what: "new work runs" });
      await cancelAndWait(fleet, [...ids.slice(2), next.id]);
    }, 300_000);
  });
});
