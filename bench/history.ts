/**
 * `npm run bench -- history [--db sqlite|postgres] [--builds 100000] [--requests 400]`:
 * seeds a pipeline with N builds and measures 50-row history pages through the engine API.
 */
import { parseArgs } from "node:util";
import { startTestEngine } from "../engine/test/harness.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { databaseOf, machine, measureRequests, table, time, writeResult } from "./lib.ts";

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
    const { overall, rows } = await measureRequests(
      kinds,
      requests,
      (url) => t.api.get(url),
      (kind, res) => {
        if (res.status !== 200 || res.body.items.length !== 50) throw new Error(`${kind}: ${res.status}`);
      },
    );
    process.stdout.write(`History page (50 rows) over HTTP, ${n} builds, ${db.name}\n${table(rows)}\n`);
    const result = {
      benchmark: "history",
      db: db.name,
      builds: n,
      requests,
      ...overall,
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
