/**
 * `npm run bench -- bff-history [--db sqlite|postgres] [--builds 100000] [--requests 300]`:
 * the history page's one BFF call (pipeline, page, counts, permissions, running operations —
 * engine calls in parallel) with N builds in the pipeline, through a real engine and BFF.
 */
import { parseArgs } from "node:util";
import { addUser, Browser, startStack } from "../bff/test/harness.ts";
import { seedBuilds } from "../engine/test/seed.ts";
import { databaseOf, machine, measureRequests, table, writeResult } from "./lib.ts";

export async function benchBffHistory(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string" },
      builds: { type: "string", default: "100000" },
      requests: { type: "string", default: "300" },
      json: { type: "string" },
    },
  });
  const db = databaseOf(values.db);
  const n = Number(values.builds);
  const requests = Number(values.requests);
  const stack = await startStack({ db, slots: 0 });
  try {
    const p = await stack.engine.api.pipeline("bench", "history", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    await seedBuilds(stack.engine, p, n, {
      status: (i) => (i % 50 === 0 ? "QUEUED" : (["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"] as const)[i % 4]!),
    });
    // Seeding a million builds keeps this process busy for a while: the keep-alive connection
    // opened before may have been closed by the server meanwhile. One request finds out.
    await stack.engine.api.get("/healthz").catch(() => undefined);
    await addUser(stack, "dev", { bench: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    const urls: Record<string, string> = {
      first: "/api/projects/bench/pipelines/history/history?limit=50",
      status: "/api/projects/bench/pipelines/history/history?limit=50&status=QUEUED,RUNNING",
      branch: "/api/projects/bench/pipelines/history/history?limit=50&branch=main",
    };
    const { overall, rows } = await measureRequests(
      urls,
      requests,
      (url) => browser.request("GET", url),
      (kind, res) => {
        if (res.status !== 200) throw new Error(`${kind}: ${res.status} ${JSON.stringify(res.body)}`);
      },
    );
    process.stdout.write(`BFF history page, ${n} builds, ${db.name}\n${table(rows)}\n`);
    const result = {
      benchmark: "bff-history",
      db: db.name,
      builds: n,
      requests,
      ...overall,
      perQuery: rows.slice(1),
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stderr.write(`wrote ${writeResult(values.json ?? `bff-history-${db.name}.json`, result)}\n`);
    return 0;
  } finally {
    await stack.destroy();
  }
}
