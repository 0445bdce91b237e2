/**
 * Replicas, on test hosts of their own (network namespaces, `tools/testnet/`): an engine killed
 * under its agents during a bulk cancel and while idle, and a browser's stream resumed on another
 * BFF after the first one and its engine died.
 *
 * Timeouts are a fifth of the defaults (`TIMEOUTS`); the figures at full length are the
 * `failover` benchmark's.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBff } from "../../bff/server.ts";
import { Browser, type Message } from "../../bff/test/harness.ts";
import { createLogger } from "../../common/logger.ts";
import { parsePositions } from "../../common/page-stream.ts";
import { DATABASES, processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { testnetUnavailable } from "../../tools/testnet/testnet.ts";
import { Fleet, type FleetAgent, nonce, sleeper, TIMEOUTS } from "./fleet.ts";
import { runCleanups } from "./stack.ts";

const UNAVAILABLE = await testnetUnavailable();
/** Skipped where test hosts cannot be made (not root, no iproute2); required in CI. */
const REQUIRED = Boolean(process.env.CI || process.env.SLUICE_CI);
const POSTGRES = DATABASES.filter((d) => d.url);

// Replicas share PostgreSQL: nothing here runs on SQLite (the suite's SQLite project skips the file).
describe.skipIf((UNAVAILABLE !== undefined && !REQUIRED) || POSTGRES.length === 0)(
  "engine replicas on test hosts",
  () => {
    const cleanups: (() => unknown)[] = [];
    afterEach(() => runCleanups(cleanups));

    describe.runIf(POSTGRES.length > 0).each(POSTGRES)("two engines on $name", (db) => {
      it("an engine killed during a bulk cancel and again while idle: agents move to the survivor, running builds keep running, the operation completes through the survivor", async () => {
        const fleet = await Fleet.create(db.url, cleanups);
        const e1 = await fleet.engine(TIMEOUTS);
        const e2 = await fleet.engine(TIMEOUTS);
        const agents = [await fleet.agent([e1, e2], { SLUICE_AGENT_SLOTS: "10", ...TIMEOUTS })];
        agents.push(await fleet.agent([e1, e2], { SLUICE_AGENT_SLOTS: "10", ...TIMEOUTS }));
        const n = nonce();
        const p = await e1.api.pipeline("acme", "failover", sleeper(`sleep 300.${n}`));
        const builds: { id: number }[] = [];
        for (let i = 0; i < 20; i++) builds.push(await e1.api.trigger(p));
        await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 20, {
          what: "20 running on two agents",
          timeoutMs: 60_000,
        });
        const canceled = builds.slice(0, 10).map((b) => b.id);
        const kept = builds.slice(10).map((b) => b.id);

        // e1 accepts the cancel and dies at once, its agents still on it.
        const res = await e1.api.post(`${p}/builds/batch-cancel`, { buildIds: canceled, reason: "storm" });
        expect(res.status).toBe(202);
        const killedAt = Date.now();
        e1.child.kill("SIGKILL");
        await e1.exited;

        const op = await waitFor(
          async () => {
            const r = await e2.api.get(`/v1/operations/${res.body.id}`);
            return r.body.status === "completed" ? r.body : null;
          },
          { what: "the operation to complete through the survivor", timeoutMs: 60_000 },
        );
        expect(op.counts).toMatchObject({ canceled: 10, failed: 0, pending: 0 });
        for (const id of canceled) {
          const b = await e2.api.build(id);
          expect(b.status).toBe("CANCELED");
          // Stopped and acknowledged by its agent through the survivor, not force-finalized.
          expect(b.statusReason).toBeNull();
        }
        await expectAgentsSeenSince(fleet, agents, killedAt);
        await expectStillRunning(fleet, kept, n, 10);

        // Again with nothing being canceled: e1 comes back, then e2 dies under the agents.
        await fleet.restart(e1);
        const idleKill = Date.now();
        e2.child.kill("SIGKILL");
        await e2.exited;
        await expectAgentsSeenSince(fleet, agents, idleKill);
        // Longer than the agent timeout: a build given up on would have ended by now.
        await waitForSweeps(fleet, agents, 13_000);
        await expectStillRunning(fleet, kept, n, 10);
        for (const agent of agents) expect(agent.stderr()).toMatch(/failing over/);

        const rest = await fleet.api.post(`${p}/builds/batch-cancel`, { buildIds: kept });
        expect(rest.status).toBe(202);
        for (const id of kept) {
          const b = await fleet.api.waitForStatus(id, "CANCELED", 60_000);
          expect(b.statusReason).toBeNull();
        }
        expect(await processesWithArg(`300.${n}`)).toEqual([]);
      }, 300_000);

      it("a browser's stream resumed with Last-Event-ID on the other BFF, after the first and its engine died, misses no change and repeats none", async () => {
        const fleet = await Fleet.create(db.url, cleanups);
        const env = { ...TIMEOUTS, SLUICE_ADMIN_PASSWORD: "admin-password" };
        const e1 = await fleet.engine(env);
        const e2 = await fleet.engine(env);
        await fleet.agent([e2, e1], { SLUICE_AGENT_SLOTS: "10", ...TIMEOUTS });
        const webDist = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-web-"));
        fs.writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Sluice</title>");
        cleanups.push(() => fs.rmSync(webDist, { recursive: true, force: true }));
        const bffs = [];
        for (const engine of [e1, e2]) {
          const bff = await startBff({
            engineUrl: engine.url,
            webDist,
            log: createLogger("silent", "bff"),
            host: "127.0.0.1",
            port: 0,
            maxStreamsPerUser: 20,
          });
          cleanups.push(() => bff.stop());
          bffs.push(bff);
        }
        const [b1, b2] = bffs as [(typeof bffs)[number], (typeof bffs)[number]];
        const n = nonce();
        const p = await e2.api.pipeline("acme", "streams", sleeper(`sleep 300.${n}`));
        const ids: number[] = [];
        for (let i = 0; i < 10; i++) ids.push((await e2.api.trigger(p)).id);
        await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 10, { what: "10 running" });

        const browser = new Browser(b1.url);
        expect((await browser.signIn("admin", "admin-password")).status).toBe(200);
        const topic = "pipeline:acme/streams";
        const streamPath = `/api/stream?topics=${encodeURIComponent(topic)}`;
        // The first part, on b1: from the start until the cancel is under way; then b1's engine dies.
        let canceled = false;
        const first = await browser.stream(streamPath, {
          lastEventId: `${topic}=0`,
          until: (m) => {
            if (!canceled) {
              canceled = true;
              void e2.api.post(`${p}/builds/batch-cancel`, { buildIds: ids, reason: "streams" });
            }
            return m.some((x) => x.data.changes?.some((c: { status: string }) => c.status === "CANCELING"));
          },
          timeoutMs: 60_000,
        });
        e1.child.kill("SIGKILL");
        await e1.exited;
        await b1.stop();
        expect(first.status).toBe(200);
        const lastSeen = first.messages.at(-1)?.id as string;
        expect(lastSeen).toMatch(new RegExp(`^${topic}=\\d+$`));

        // The rest, on b2, from the last event the browser saw, until every build is canceled.
        const other = new Browser(b2.url);
        other.cookie = browser.cookie;
        const rest = await other.stream(streamPath, {
          lastEventId: lastSeen,
          until: (m) => ids.every((id) => statusOf([...first.messages, ...m]).get(id) === "CANCELED"),
          timeoutMs: 60_000,
        });
        const all = [...first.messages, ...rest.messages];
        // Each message's id is the topic's position: the engine event it covers up to.
        const seqs = all.map((m) => Number(parsePositions(m.id ?? "")?.get(topic)));
        // No message twice, none out of order: every id is past the one before.
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
        // Every build's creation, its cancel and its end arrived.
        const seen = all.flatMap((m) => (m.data.changes ?? []) as { id: number; status: string; created: boolean }[]);
        for (const id of ids) {
          expect(seen.some((c) => c.id === id && c.created)).toBe(true);
          expect(statusOf(all).get(id)).toBe("CANCELED");
        }
        expect(rest.status).toBe(200);
      }, 300_000);
    });
  },
);

/** Each build's latest status in a stream's `builds` messages. */
function statusOf(messages: Message[]): Map<number, string> {
  const status = new Map<number, string>();
  for (const m of messages) for (const c of m.data.changes ?? []) status.set(c.id, c.status);
  return status;
}

/** Every agent was heard from (by a live engine) after `since`: it moved. */
async function expectAgentsSeenSince(fleet: Fleet, agents: FleetAgent[], since: number): Promise<void> {
  for (const agent of agents) {
    await waitFor(async () => (await fleet.lastSeen(agent)) > since, {
      what: `agent ${agent.id()} heard from again`,
      timeoutMs: 60_000,
    });
  }
}

/** Builds that nobody canceled are RUNNING, each with its process, none given up on. */
async function expectStillRunning(fleet: Fleet, ids: number[], n: string, processes: number): Promise<void> {
  for (const id of ids) {
    const b = await fleet.api.build(id);
    expect(b.status, `build ${id}: ${b.statusReason}`).toBe("RUNNING");
  }
  expect(await processesWithArg(`300.${n}`)).toHaveLength(processes);
}

/**
 * Waits until the engines have been running their sweeps for `ms` past now, heard from every
 * agent since (the agents kept contact the whole time).
 */
async function waitForSweeps(fleet: Fleet, agents: FleetAgent[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  await waitFor(
    async () => {
      for (const agent of agents) if ((await fleet.lastSeen(agent)) < until) return false;
      return true;
    },
    { what: "the agents heard from past the agent timeout", timeoutMs: ms + 60_000 },
  );
}
