/**
 * `npm run bench -- bulk-cancel --builds N --db sqlite|postgres [--json FILE] [--keep-newest K --per branch]`
 *
 * N RUNNING builds spread over 50 simulated agents that acknowledge stop orders through the real
 * agent channel; on the same database, in one run:
 * - floor:  one raw UPDATE of N rows' status (its own connection): the physical floor;
 * - accept: the HTTP batch-cancel call until its 202 (all N CANCELING in the database);
 * - settle: until all N are CANCELED and operation.completed reached an SSE subscriber;
 * - loop:   the old way, N single-cancel calls with 8 in flight, until all N are CANCELED;
 * - the SQL statements of accept (the engine's X-Sluice-Statements header);
 * - the RSS of this process (the engine runs in it) before the accept and at its peak until settled.
 * With `--keep-newest K --per branch`, also in the same run: N more builds over N/10 branches,
 * canceled by a filter that keeps the K newest per branch (preview, then confirm with its snapshot):
 * its accept and settle next to the plain cancel's.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import SQLite from "better-sqlite3";
import pg from "pg";
import { collectEvents, startTestEngine, type TestEngine, waitFor } from "../engine/test/harness.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { SimAgent } from "../engine/test/sim-agent.ts";
import { databaseOf, machine, rssSampler, table, time, writeResult } from "./lib.ts";

const AGENTS = 50;
const PIPELINE = {
  cancelGraceSeconds: 10,
  stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 300" }] }] }],
};

async function rawFloor(
  t: TestEngine,
  ids: number[],
  url: string | undefined,
  schema: string | undefined,
): Promise<number> {
  const update = "UPDATE builds SET status = 'CANCELING'";
  if (!url) {
    const db = new SQLite(path.join(t.dataDir, "sluice.db"));
    db.pragma("busy_timeout = 5000");
    const stmt = db.prepare(`${update} WHERE id IN (SELECT value FROM json_each(?))`);
    const [ms] = await time(async () => stmt.run(JSON.stringify(ids)));
    db.close();
    return ms;
  }
  const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path="${schema}"` } : {}) });
  await client.connect();
  const [ms] = await time(() => client.query(`${update} WHERE id = ANY($1::bigint[])`, [ids]));
  await client.end();
  return ms;
}

async function countOf(t: TestEngine, pipelinePath: string, status: string): Promise<number> {
  return (await t.api.get(`${pipelinePath}/builds/counts`)).body[status];
}

export async function benchBulkCancel(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string" },
      builds: { type: "string", default: "1000" },
      json: { type: "string" },
      "skip-loop": { type: "boolean", default: false },
      "keep-newest": { type: "string" },
      per: { type: "string", default: "branch" },
    },
  });
  const db = databaseOf(values.db);
  const n = Number(values.builds);
  const schema = db.url ? `bench_${Date.now()}` : undefined;
  const t = await startTestEngine({
    db,
    slots: 0,
    ...(schema ? { pgSchema: schema } : {}),
    settings: { batchCancelMaxIds: Math.max(10_000, n), maxRunningOperationsPerUser: 1_000_000 },
  });
  const sims = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) =>
      new SimAgent(t.engine.channel, `sim-${i}`, { slots: 0, waitMs: 20_000 }).start(),
    ),
  );
  try {
    const names = sims.map((s) => s.name);
    const floorPath = await t.api.pipeline("bench", "floor", PIPELINE);
    const bulkPath = await t.api.pipeline("bench", "bulk", PIPELINE);
    const loopPath = await t.api.pipeline("bench", "loop", PIPELINE);
    const floorIds = await seedBuilds(t, floorPath, n, { status: () => "RUNNING", agents: names });
    const bulkIds = await seedBuilds(t, bulkPath, n, { status: () => "RUNNING", agents: names });
    const keepNewest = values["keep-newest"] === undefined ? undefined : Number(values["keep-newest"]);
    const keepPath = keepNewest === undefined ? "" : await t.api.pipeline("bench", "keep", PIPELINE);
    const branches = Math.max(1, Math.floor(n / 10));
    if (keepNewest !== undefined) {
      await seedBuilds(t, keepPath, n, { status: () => "RUNNING", agents: names, branch: (i) => `b${i % branches}` });
    }
    const loopIds = values["skip-loop"]
      ? []
      : await seedBuilds(t, loopPath, n, { status: () => "RUNNING", agents: names });
    process.stderr.write(
      `seeded ${values["skip-loop"] ? 2 : 3} × ${n} running builds over ${AGENTS} simulated agents (${db.name})\n`,
    );

    const floorMs = await rawFloor(t, floorIds, db.url, schema);

    let operationId = "";
    const completed = collectEvents(t.api, "project=bench&types=operation.completed", {
      until: (events) => events.some((e) => e.data.operationId === operationId),
      timeoutMs: 600_000,
    });
    const memory = rssSampler();
    const started = performance.now();
    const res = await t.api.post(`${bulkPath}/builds/batch-cancel`, { buildIds: bulkIds, reason: "benchmark" });
    const acceptMs = performance.now() - started;
    if (res.status !== 202) throw new Error(`batch cancel: ${res.status} ${JSON.stringify(res.body)}`);
    operationId = res.body.id;
    const acceptStatements = Number(res.headers.get("x-sluice-statements"));
    const afterAccept = (await t.api.get(`${bulkPath}/builds/counts`)).body;
    if (afterAccept.CANCELING + afterAccept.CANCELED !== n)
      throw new Error(`accept left ${JSON.stringify(afterAccept)}`);
    await completed;
    const settleMs = performance.now() - started;
    const rss = memory.stop();
    if ((await countOf(t, bulkPath, "CANCELED")) !== n) throw new Error("settle did not cancel all builds");

    let keep: { acceptMs: number; settleMs: number; canceled: number; kept: number; branches: number } | undefined;
    if (keepNewest !== undefined) {
      const filter = { status: ["RUNNING"], keepNewest: { per: values.per, count: keepNewest } };
      const preview = await t.api.post(`${keepPath}/builds/batch-cancel/preview`, { filter });
      if (preview.status !== 200)
        throw new Error(`keep-newest preview: ${preview.status} ${JSON.stringify(preview.body)}`);
      let keepOperation = "";
      const keepCompleted = collectEvents(t.api, "project=bench&types=operation.completed", {
        until: (events) => events.some((e) => e.data.operationId === keepOperation),
        timeoutMs: 600_000,
      });
      const keepStarted = performance.now();
      const confirm = await t.api.post(`${keepPath}/builds/batch-cancel`, {
        filter,
        snapshot: preview.body.snapshot,
        reason: "benchmark",
        ...(preview.body.confirmation?.required ? { confirmCount: preview.body.total } : {}),
      });
      const keepAcceptMs = performance.now() - keepStarted;
      if (confirm.status !== 202)
        throw new Error(`keep-newest cancel: ${confirm.status} ${JSON.stringify(confirm.body)}`);
      keepOperation = confirm.body.id;
      await keepCompleted;
      const keepSettleMs = performance.now() - keepStarted;
      const canceled = await countOf(t, keepPath, "CANCELED");
      const kept = await countOf(t, keepPath, "RUNNING");
      if (canceled + kept !== n || kept !== branches * keepNewest) {
        throw new Error(`keep-newest left ${canceled} canceled and ${kept} running of ${n}`);
      }
      keep = { acceptMs: keepAcceptMs, settleMs: keepSettleMs, canceled, kept, branches };
    }

    let loopMs = Number.NaN;
    if (loopIds.length > 0) {
      [loopMs] = await time(async () => {
        const queue = [...loopIds];
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
              const r = await t.api.post(`/v1/builds/${id}/cancel`, {});
              if (r.status !== 202) throw new Error(`single cancel: ${r.status} ${JSON.stringify(r.body)}`);
            }
          }),
        );
        await waitFor(async () => (await countOf(t, loopPath, "CANCELED")) === n, {
          timeoutMs: 600_000,
          what: "loop canceled",
        });
      });
    }

    const round = (x: number) => Math.round(x * 10) / 10;
    const result = {
      n,
      db: db.name,
      floorMs: round(floorMs),
      acceptMs: round(acceptMs),
      settleMs: round(settleMs),
      loopMs: round(loopMs),
      acceptStatements,
      rss,
      ratios: { loopOverSettle: round(loopMs / settleMs), acceptOverFloor: round(acceptMs / floorMs) },
      ...(keep
        ? {
            keepNewest: {
              count: keepNewest,
              per: values.per,
              branches: keep.branches,
              canceled: keep.canceled,
              kept: keep.kept,
              acceptMs: round(keep.acceptMs),
              settleMs: round(keep.settleMs),
              acceptOverPlain: round(keep.acceptMs / acceptMs),
              settleOverPlain: round(keep.settleMs / settleMs),
            },
          }
        : {}),
      agents: AGENTS,
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Bulk cancel of ${n} running builds (${db.name})\n${table([
        {
          floorMs: result.floorMs,
          acceptMs: result.acceptMs,
          settleMs: result.settleMs,
          loopMs: result.loopMs,
          "loop/settle": result.ratios.loopOverSettle,
          "accept/floor": result.ratios.acceptOverFloor,
          statements: acceptStatements,
          "RSS growth MiB": rss.growthMiB,
        },
      ])}\n`,
    );
    if (keep) {
      process.stdout.write(
        `Keep the newest ${keepNewest} per ${values.per} (${keep.branches} branches): ${keep.canceled} canceled, ${keep.kept} kept\n${table(
          [
            {
              acceptMs: round(keep.acceptMs),
              settleMs: round(keep.settleMs),
              "accept/plain": round(keep.acceptMs / acceptMs),
              "settle/plain": round(keep.settleMs / settleMs),
            },
          ],
        )}\n`,
      );
    }
    process.stderr.write(
      `wrote ${writeResult(values.json ?? `bulk-cancel-${db.name}-${n}${keep ? "-keep-newest" : ""}.json`, result)}\n`,
    );
    return 0;
  } finally {
    for (const s of sims) await s.stop();
    await t.destroy();
  }
}
