/**
 * Several engine replicas on one PostgreSQL database, as real processes: in-process agents that do
 * not collide, a bulk cancel that completes while one replica is killed, agents that fail over to
 * the survivor, and an agent cut off from every engine that stops its own jobs in time.
 */
import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { freshDatabase, runCleanups, startAgentProcess, startEngineProcess } from "./stack.ts";

const POSTGRES = DATABASES.filter((d) => d.url);

/** Short deadlines so force-finalization and fencing happen within a test. */
const FAST = {
  SLUICE_STOP_ACK_TIMEOUT_SECONDS: "2",
  SLUICE_AGENT_HEARTBEAT_SECONDS: "0.5",
  SLUICE_AGENT_TIMEOUT_SECONDS: "60",
};

function sleeper(nonce: string) {
  return {
    cancelGraceSeconds: 1,
    stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `echo started; sleep 300.${nonce}` }] }] }],
  };
}

const terminal = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"];

// PostgreSQL only: skipped whole (not an empty file) in the suite's SQLite project.
describe.skipIf(POSTGRES.length === 0)("on PostgreSQL", () => {
  describe.each(POSTGRES)("engine replicas on $name", (db) => {
    const cleanups: (() => unknown)[] = [];
    afterEach(() => runCleanups(cleanups));

    it("two engines with the default config: each in-process agent has its own id, the second start leaves the first's builds alone, and a cancel through either stops them", async () => {
      const url = await freshDatabase(db.url as string, cleanups);
      const a = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "3", ...FAST }, cleanups);
      const n = String(crypto.randomInt(100_000, 999_999_999));
      const p = await a.api.pipeline("acme", "first", sleeper(n));
      const builds = [await a.api.trigger(p), await a.api.trigger(p), await a.api.trigger(p)];
      await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 3, { what: "3 running on a" });

      const b = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "3", ...FAST }, cleanups);
      await waitFor(async () => (await b.api.get("/v1/agents")).body.items.length === 2, {
        what: "two agents, two ids",
      });
      for (const build of builds) expect((await b.api.build(build.id)).status).toBe("RUNNING");

      const res = await b.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((x) => x.id) });
      expect(res.status).toBe(202);
      for (const build of builds) {
        const done = await waitFor(async () => {
          const x = await b.api.build(build.id);
          return x.status === "CANCELED" ? x : null;
        });
        // Stopped and acknowledged by the agent that ran it, not force-finalized.
        expect(done.statusReason).toBeNull();
      }
      expect(await processesWithArg(`300.${n}`)).toEqual([]);
    });

    it("a replica killed right after accepting a bulk cancel: the survivor completes it, the agent fails over and acknowledges, nothing is left running, and the counts add up", async () => {
      const url = await freshDatabase(db.url as string, cleanups);
      const a = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "2", ...FAST }, cleanups);
      const b = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "2", ...FAST }, cleanups);
      // The standalone agent prefers b, and fails over to a.
      const remote = await startAgentProcess([b.url, a.url], { SLUICE_AGENT_SLOTS: "4", ...FAST }, cleanups);
      const n = String(crypto.randomInt(100_000, 999_999_999));
      const p = await a.api.pipeline("acme", "replicated", sleeper(n));
      const builds = [];
      for (let i = 0; i < 8; i++) builds.push(await a.api.trigger(p));
      await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 8, { what: "8 running on 3 agents" });
      const remoteId = remoteAgentIdOf(remote.stderr());
      expect(remoteId).toBeDefined();

      // b accepts the cancel, then dies at once (its in-process agent's processes die with it).
      const res = await b.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING"] }, reason: "storm" });
      expect(res.status).toBe(202);
      b.child.kill("SIGKILL");
      await b.exited;

      const op = await waitFor(
        async () => {
          const r = await a.api.get(`/v1/operations/${res.body.id}`);
          return r.body.status === "completed" ? r.body : null;
        },
        { what: "the operation completes on the survivor", timeoutMs: 60_000 },
      );
      expect(op.total).toBe(8);
      expect(op.counts.canceled + op.counts.alreadyFinished + op.counts.failed).toBe(8);
      expect(op.counts.pending).toBe(0);
      for (const build of builds) expect(terminal).toContain((await a.api.build(build.id)).status);
      expect(await processesWithArg(`300.${n}`)).toEqual([]);
      expect(remote.stderr()).toMatch(/failing over/);
      // The standalone agent's builds were stopped and acknowledged by it (through a), not given up on.
      const onRemote = [];
      for (const build of builds) {
        const x = await a.api.build(build.id);
        if (x.jobs[0].agentId === remoteId) onRemote.push(x);
      }
      expect(onRemote.length).toBeGreaterThan(0);
      for (const x of onRemote) expect(x.statusReason).toBeNull();
    });

    it("an agent cut off from every engine stops its jobs itself before the engine force-finalizes them", async () => {
      const url = await freshDatabase(db.url as string, cleanups);
      const a = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "0", ...FAST }, cleanups);
      const b = await startEngineProcess({ DATABASE_URL: url, SLUICE_AGENT_SLOTS: "0", ...FAST }, cleanups);
      const remote = await startAgentProcess([b.url], { SLUICE_AGENT_SLOTS: "2", ...FAST }, cleanups);
      const n = String(crypto.randomInt(100_000, 999_999_999));
      const p = await a.api.pipeline("acme", "cut-off", sleeper(n));
      const builds = [await a.api.trigger(p), await a.api.trigger(p)];
      await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 2, { what: "2 running" });

      b.child.kill("SIGKILL");
      await b.exited;
      const res = await a.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING"] } });
      expect(res.status).toBe(202);
      for (const build of builds) {
        const done = await waitFor(async () => {
          const x = await a.api.build(build.id);
          return x.status === "CANCELED" ? x : null;
        });
        expect(done.statusReason).toBe("agent_unresponsive");
        // Given up on by the engine: by then the agent had stopped the job itself.
        expect(await processesWithArg(`300.${n}`)).toEqual([]);
      }
      expect(remote.stderr()).toMatch(/fencing: stopping every job/);
    });
  });
});

/** The agent id a standalone agent announced on start ("Agent <id> running jobs for ..."). */
function remoteAgentIdOf(stderr: string): string | undefined {
  return /Agent (\S+) running jobs/.exec(stderr)?.[1];
}
