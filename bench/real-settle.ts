/**
 * `npm run bench -- real-settle --builds N [--db sqlite|postgres] [--containment auto|marker]`
 *
 * N builds running real `sleep` steps on the in-process agent (one slot each, every step in its
 * own PID namespace, or found by its marker with `--containment marker`), then one batch cancel of
 * all of them:
 * - accept: the HTTP batch cancel until its 202;
 * - settle: until all N are CANCELED and `operation.completed` reached an SSE subscriber;
 * - cpu: the engine process's CPU time (user + system) during settle — engine and agent share it;
 * - survivors: processes of the N builds still alive afterwards (must be 0).
 */
import crypto from "node:crypto";
import { parseArgs } from "node:util";
import { collectEvents, processesWithArg, startTestEngine, waitFor } from "../engine/test/harness.ts";
import { databaseOf, machine, table, writeResult } from "./lib.ts";

export async function benchRealSettle(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string" },
      builds: { type: "string", default: "50" },
      containment: { type: "string", default: "auto" },
      json: { type: "string" },
    },
  });
  const db = databaseOf(values.db);
  const n = Number(values.builds);
  const containment = values.containment === "marker" ? "marker" : "auto";
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error("--builds must be 1..256 (one agent slot each)");
  const t = await startTestEngine({
    db,
    slots: n,
    agent: { containment },
    settings: { maxRunningOperationsPerUser: 1_000_000 },
  });
  try {
    const nonce = String(crypto.randomInt(100_000, 999_999_999));
    const p = await t.api.pipeline("bench", "real", {
      cancelGraceSeconds: 10,
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 3000.${nonce}` }] }] }],
    });
    for (let i = 0; i < n; i++) await t.api.trigger(p);
    await waitFor(async () => (await processesWithArg(`3000.${nonce}`)).length === n, {
      what: `${n} running sleep processes`,
      timeoutMs: 300_000,
    });
    process.stderr.write(`${n} builds running real processes (${db.name}, ${t.agent?.containmentInfo?.mechanism})\n`);

    let operationId = "";
    const completed = collectEvents(t.api, "project=bench&types=operation.completed", {
      until: (events) => events.some((e) => e.data.operationId === operationId),
      timeoutMs: 300_000,
    });
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const res = await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["RUNNING"] }, reason: "benchmark" });
    const acceptMs = performance.now() - started;
    if (res.status !== 202 || res.body.total !== n)
      throw new Error(`batch cancel: ${res.status} ${JSON.stringify(res.body)}`);
    operationId = res.body.id;
    await completed;
    const settleMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const counts = (await t.api.get(`${p}/builds/counts`)).body;
    if (counts.CANCELED !== n) throw new Error(`settle left ${JSON.stringify(counts)}`);
    const survivors = (await processesWithArg(`3000.${nonce}`)).length;

    const round = (x: number) => Math.round(x * 10) / 10;
    const result = {
      n,
      db: db.name,
      containment: t.agent?.containmentInfo?.mechanism,
      acceptMs: round(acceptMs),
      settleMs: round(settleMs),
      cpuMs: round((cpu.user + cpu.system) / 1000),
      survivors,
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Real settle of ${n} running builds (${db.name}, ${result.containment})\n${table([
        { acceptMs: result.acceptMs, settleMs: result.settleMs, cpuMs: result.cpuMs, survivors },
      ])}\n`,
    );
    const file = values.json ?? `real-settle-${db.name}-${result.containment}-${n}.json`;
    process.stderr.write(`wrote ${writeResult(file, result)}\n`);
    return survivors === 0 ? 0 : 1;
  } finally {
    await t.destroy();
  }
}
