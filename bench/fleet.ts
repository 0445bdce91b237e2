/**
 * `npm run bench -- fleet --agents A --slots S [--replicas R] [--db postgres|sqlite]`
 *
 * R engine replicas (separate `sluice engine` processes on one database; R must be 1 on SQLite)
 * and A standalone agents (separate `sluice agent` processes, each preferring a different replica
 * and failing over to the others), A × S builds running real `sleep` steps, then one bulk cancel of
 * all of them through the first replica:
 * - accept: the HTTP batch cancel until its 202;
 * - settle: until all are CANCELED and `operation.completed` reached an SSE subscriber;
 * - engine cpu: CPU time (user + system) of the engine processes during settle;
 * - survivors: processes of those builds still alive afterwards (must be 0).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { freshDatabase, runCleanups, startAgentProcess, startEngineProcess } from "../cli/test/stack.ts";
import { collectEvents, processesWithArg, waitFor } from "../engine/test/harness.ts";
import { databaseOf, machine, table, writeResult } from "./lib.ts";

/** CPU time (ms) a process has used so far, from `/proc/<pid>/stat` (utime + stime). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

export async function benchFleet(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string", default: "postgres" },
      agents: { type: "string", default: "10" },
      slots: { type: "string", default: "50" },
      replicas: { type: "string", default: "2" },
      json: { type: "string" },
    },
  });
  const db = databaseOf(values.db);
  const agents = Number(values.agents);
  const slots = Number(values.slots);
  const replicas = Number(values.replicas);
  const n = agents * slots;
  if (!db.url && replicas !== 1) throw new Error("several replicas need PostgreSQL (--db postgres)");
  const cleanups: (() => unknown)[] = [];
  try {
    const env: Record<string, string> = {
      SLUICE_AGENT_SLOTS: "0",
      SLUICE_MAX_RUNNING_OPERATIONS_PER_USER: "1000",
      ...(db.url ? { DATABASE_URL: await freshDatabase(db.url, cleanups) } : {}),
    };
    const engines = [];
    for (let i = 0; i < replicas; i++) engines.push(await startEngineProcess(env, cleanups));
    const urls = engines.map((e) => e.url);
    for (let i = 0; i < agents; i++) {
      const order = [...urls.slice(i % replicas), ...urls.slice(0, i % replicas)];
      await startAgentProcess(order, { SLUICE_AGENT_SLOTS: String(slots) }, cleanups);
    }
    const first = engines[0] as (typeof engines)[number];
    const nonce = String(crypto.randomInt(100_000, 999_999_999));
    const p = await first.api.pipeline("bench", "fleet", {
      cancelGraceSeconds: 10,
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 3000.${nonce}` }] }] }],
    });
    for (let i = 0; i < n; i++) await first.api.trigger(p);
    await waitFor(async () => (await processesWithArg(`3000.${nonce}`)).length === n, {
      what: `${n} running sleep processes`,
      timeoutMs: 600_000,
    });
    process.stderr.write(`${n} builds running on ${agents} agents, ${replicas} engine(s) (${db.name})\n`);

    let operationId = "";
    const completed = collectEvents(first.api, "project=bench&types=operation.completed", {
      until: (events) => events.some((e) => e.data.operationId === operationId),
      timeoutMs: 300_000,
    });
    const pids = engines.map((e) => e.child.pid as number);
    const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const started = performance.now();
    const res = await first.api.post(`${p}/builds/batch-cancel`, {
      filter: { status: ["RUNNING"] },
      reason: "benchmark",
    });
    const acceptMs = performance.now() - started;
    if (res.status !== 202 || res.body.total !== n)
      throw new Error(`batch cancel: ${res.status} ${JSON.stringify(res.body)}`);
    operationId = res.body.id;
    await completed;
    const settleMs = performance.now() - started;
    const engineCpuMs = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
    const counts = (await first.api.get(`${p}/builds/counts`)).body;
    if (counts.CANCELED !== n) throw new Error(`settle left ${JSON.stringify(counts)}`);
    const survivors = (await processesWithArg(`3000.${nonce}`)).length;

    const round = (x: number) => Math.round(x * 10) / 10;
    const result = {
      n,
      agents,
      slots,
      replicas,
      db: db.name,
      acceptMs: round(acceptMs),
      settleMs: round(settleMs),
      engineCpuMs: round(engineCpuMs),
      survivors,
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Fleet: ${agents} agents × ${slots} slots, ${replicas} engine(s) (${db.name})\n${table([
        { builds: n, acceptMs: result.acceptMs, settleMs: result.settleMs, engineCpuMs: result.engineCpuMs, survivors },
      ])}\n`,
    );
    const file = values.json ?? `fleet-${db.name}-${agents}x${slots}-r${replicas}.json`;
    process.stderr.write(`wrote ${writeResult(file, result)}\n`);
    return survivors === 0 ? 0 : 1;
  } finally {
    await runCleanups(cleanups);
  }
}
