/**
 * `npm run bench -- failover [--builds 500] [--kept 50] [--agents 5] [--grace 10]`
 *
 * Two engines on one PostgreSQL database and A standalone agents, each process on a test host of
 * its own (`tools/testnet/`), every agent given both engines, default timeouts (heartbeat 5 s,
 * acknowledgement 30 s, agent 60 s). `builds + kept` builds run real `sleep` steps.
 * 1. A bulk cancel of `builds` is accepted by engine 1, which is killed with -9 at once.
 * 2. Engine 1 is started again; engine 2, which now serves every agent, is killed with -9 while
 *    nothing is being canceled, and the `kept` builds are watched for longer than the agent
 *    timeout.
 * Measured: how long each agent took to be heard from by the survivor (in seconds and in
 * heartbeats), how long the operation took to complete through the survivor (against grace + 5 s),
 * how the builds ended (acknowledged, or given up on: `agent_unresponsive`, `agent_lost`), and the
 * kept builds still running with their processes.
 */
import { parseArgs } from "node:util";
import { Fleet, type FleetAgent, nonce } from "../cli/test/fleet.ts";
import { runCleanups } from "../cli/test/stack.ts";
import { processesWithArg, waitFor } from "../engine/test/harness.ts";
import { testnetUnavailable } from "../tools/testnet/testnet.ts";
import { databaseOf, machine, table, writeResult } from "./lib.ts";

const HEARTBEAT_S = 5;
const AGENT_TIMEOUT_S = 60;

export async function benchFailover(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      builds: { type: "string", default: "500" },
      kept: { type: "string", default: "50" },
      agents: { type: "string", default: "5" },
      grace: { type: "string", default: "10" },
      json: { type: "string" },
    },
  });
  const unavailable = await testnetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const db = databaseOf("postgres");
  const canceledN = Number(values.builds);
  const keptN = Number(values.kept);
  const agentsN = Number(values.agents);
  const grace = Number(values.grace);
  const total = canceledN + keptN;
  const slots = Math.ceil(total / agentsN);
  const cleanups: (() => unknown)[] = [];
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
  try {
    const fleet = await Fleet.create(db.url, cleanups);
    const env = { SLUICE_MAX_RUNNING_OPERATIONS_PER_USER: "100" };
    const e1 = await fleet.engine(env);
    const e2 = await fleet.engine(env);
    const agents: FleetAgent[] = [];
    for (let i = 0; i < agentsN; i++) agents.push(await fleet.agent([e1, e2], { SLUICE_AGENT_SLOTS: String(slots) }));
    const n = nonce();
    const p = await e1.api.pipeline("bench", "failover", {
      cancelGraceSeconds: grace,
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 3000.${n}` }] }] }],
    });
    const ids: number[] = [];
    for (let i = 0; i < total; i++) ids.push((await e1.api.trigger(p)).id);
    await waitFor(async () => (await processesWithArg(`3000.${n}`)).length === total, {
      what: `${total} running`,
      timeoutMs: 900_000,
    });
    log(`${total} builds running on ${agentsN} agents`);
    const canceled = ids.slice(0, canceledN);
    const kept = ids.slice(canceledN);

    // 1. Killed during a bulk cancel.
    const res = await e1.api.post(`${p}/builds/batch-cancel`, { buildIds: canceled, reason: "failover" });
    if (res.status !== 202) throw new Error(`batch cancel: ${res.status} ${JSON.stringify(res.body)}`);
    const accepted = Date.now();
    e1.child.kill("SIGKILL");
    await e1.exited;
    const killed1 = Date.now();
    const moves1 = await measureMoves(fleet, agents, killed1);
    await waitFor(async () => (await e2.api.get(`/v1/operations/${res.body.id}`)).body.status === "completed", {
      what: "the operation to complete",
      timeoutMs: 600_000,
    });
    const completeMs = Date.now() - accepted;
    const op = (await e2.api.get(`/v1/operations/${res.body.id}`)).body;
    const during = await outcomes(fleet, canceled, kept, n);
    log(`during a bulk cancel: operation completed in ${completeMs} ms`);

    // 2. Killed while idle, the agents all on it.
    await fleet.restart(e1);
    const killed2 = Date.now();
    e2.child.kill("SIGKILL");
    await e2.exited;
    const moves2 = await measureMoves(fleet, agents, killed2);
    // Past the agent timeout: a build given up on would have ended by now.
    await waitFor(async () => Date.now() - killed2 > (AGENT_TIMEOUT_S + 5) * 1000, {
      what: "the agent timeout to pass",
      timeoutMs: (AGENT_TIMEOUT_S + 10) * 1000,
    });
    const idle = await outcomes(fleet, canceled, kept, n);
    log("while idle: done");

    const summary = (moves: number[]) => ({
      agentsMovedMaxS: round(Math.max(...moves) / 1000),
      agentsMovedMaxHeartbeats: round(Math.max(...moves) / 1000 / HEARTBEAT_S),
    });
    const result = {
      builds: canceledN,
      kept: keptN,
      agents: agentsN,
      graceSeconds: grace,
      timeouts: { heartbeatS: HEARTBEAT_S, stopAckS: 30, agentS: AGENT_TIMEOUT_S },
      duringBulkCancel: {
        ...summary(moves1),
        movesMs: moves1,
        operationCompleteMs: completeMs,
        operationCompleteTargetMs: (grace + 5) * 1000,
        counts: op.counts,
        ...during,
      },
      whileIdle: { ...summary(moves2), movesMs: moves2, ...idle },
      note: "2-core machine shared with four other engineers' builds and tests: wall-clock figures are noisy; counts are not",
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Failover: ${canceledN} canceled + ${keptN} kept builds on ${agentsN} agents, 2 engines (PostgreSQL)\n${table([
        {
          kill: "during bulk cancel",
          movedMaxS: result.duringBulkCancel.agentsMovedMaxS,
          heartbeats: result.duringBulkCancel.agentsMovedMaxHeartbeats,
          completeS: round(completeMs / 1000),
          targetS: grace + 5,
          acked: during.acknowledged,
          givenUp: during.givenUp,
          keptRunning: during.keptRunning,
          survivors: during.survivors,
        },
        {
          kill: "idle",
          movedMaxS: result.whileIdle.agentsMovedMaxS,
          heartbeats: result.whileIdle.agentsMovedMaxHeartbeats,
          completeS: "-",
          targetS: "-",
          acked: idle.acknowledged,
          givenUp: idle.givenUp,
          keptRunning: idle.keptRunning,
          survivors: idle.survivors,
        },
      ])}\n`,
    );
    log(`wrote ${writeResult(values.json ?? `failover-postgres-${canceledN}.json`, result)}`);
    const ok = during.givenUp === 0 && idle.givenUp === 0 && idle.keptRunning === keptN && during.survivors === 0;
    return ok ? 0 : 1;
  } finally {
    await runCleanups(cleanups);
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** For each agent, ms from the kill until a live engine heard from it. */
async function measureMoves(fleet: Fleet, agents: FleetAgent[], killedAt: number): Promise<number[]> {
  const moved = new Map<FleetAgent, number>();
  await waitFor(
    async () => {
      const { body } = await fleet.api.get("/v1/agents");
      for (const agent of agents) {
        if (moved.has(agent)) continue;
        const row = (body.items as { id: string; lastSeenAt: string }[]).find((a) => a.id === agent.id());
        if (row && Date.parse(row.lastSeenAt) > killedAt) moved.set(agent, Date.parse(row.lastSeenAt) - killedAt);
      }
      return moved.size === agents.length;
    },
    { what: "every agent heard from by the survivor", timeoutMs: 300_000 },
  );
  return agents.map((a) => moved.get(a) as number);
}

/** How the canceled builds ended and whether the kept ones still run, with their processes. */
async function outcomes(fleet: Fleet, canceled: number[], kept: number[], n: string) {
  let acknowledged = 0;
  let givenUp = 0;
  let keptRunning = 0;
  const reasons: Record<string, number> = {};
  for (const id of [...canceled, ...kept]) {
    const b = await fleet.api.build(id);
    if (b.statusReason) reasons[b.statusReason] = (reasons[b.statusReason] ?? 0) + 1;
    if (["agent_unresponsive", "agent_lost", "agent_dropped"].includes(b.statusReason)) givenUp++;
    else if (canceled.includes(id) && b.status === "CANCELED") acknowledged++;
    if (kept.includes(id) && b.status === "RUNNING") keptRunning++;
  }
  const processes = (await processesWithArg(`3000.${n}`)).length;
  return { acknowledged, givenUp, keptRunning, reasons, processes, survivors: processes - keptRunning };
}
