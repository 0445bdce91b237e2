/**
 * `npm run bench -- history [--db sqlite|postgres] [--builds 100000] [--requests 400]`:
 * seeds a pipeline with N builds and measures 50-row history pages through the engine API.
 */
import { parseArgs } from "node:util";
import { startTestEngine } from "../engine/test/harness.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { databaseOf, machine, stats, table, time, writeResult } from "./lib.ts";

export async function benchHistory(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string" },
      builds: { type: "string", default: "100000" },
      requests: { type: "string", default: "400" },
      json: { type: "string" },
    },
  });
  const db = databaseOf(values.db);
  const n = Number(values.builds);
  const requests = Number(values.requests);
  const t = await startTestEngine({ db, slots: 0 });
  try {
    const p = await t.api.pipeline("bench", "history", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    const [seedMs] = await time(() => seedBuilds(t, p, n));
    process.stderr.write(`seeded ${n} builds in ${Math.round(seedMs)} ms\n`);
    // Cursors spread through the history, so deep pages are measured too.
    const cursors: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res: any = await t.api.get(`${p}/builds?limit=50${cursor ? `&cursor=${cursor}` : ""}`);
      cursor = res.body.nextCursor;
      if (cursor) cursors.push(cursor);
    }
    const deep = Buffer.from(`b${Math.floor(n / 2)}`).toString("base64url");
    const kinds: Record<string, string> = {
      first: `${p}/builds?limit=50`,
      next: `${p}/builds?limit=50&cursor=${cursors[5]}`,
      deep: `${p}/builds?limit=50&cursor=${deep}`,
      status: `${p}/builds?limit=50&status=FAILED,CANCELED`,
      branch: `${p}/builds?limit=50&branch=feature%2Fa`,
    };
    for (const url of Object.values(kinds)) await t.api.get(url); // warm up
    const all: number[] = [];
    const perKind: Record<string, number[]> = {};
    for (let i = 0; i < requests; i++) {
      const [kind, url] = Object.entries(kinds)[i % 5] as [string, string];
      const [ms, res] = await time(() => t.api.get(url));
      if (res.status !== 200 || res.body.items.length !== 50) throw new Error(`${kind}: ${res.status}`);
      all.push(ms);
      perKind[kind] = [...(perKind[kind] ?? []), ms];
    }
    const rows = [
      { query: "all", ...stats(all) },
      ...Object.entries(perKind).map(([query, samples]) => ({ query, ...stats(samples) })),
    ];
    process.stdout.write(`History page (50 rows) over HTTP, ${n} builds, ${db.name}\n${table(rows)}\n`);
    const result = {
      benchmark: "history",
      db: db.name,
      builds: n,
      requests,
      ...stats(all),
      perQuery: rows.slice(1),
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stderr.write(`wrote ${writeResult(values.json ?? `history-${db.name}.json`, result)}\n`);
    return 0;
  } finally {
    await t.destroy();
  }
}
