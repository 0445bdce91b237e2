/**
 * `npm run bench -- push-storm [--pushes 200] [--branches 20] [--seconds 10] [--slots 0] [--db sqlite|postgres]`
 *
 * A push storm through the inbound hook: `--pushes` signed GitHub pushes spread over `--branches`
 * branches, sent evenly over `--seconds`, to a pipeline that follows every branch with the default
 * push concurrency (each push supersedes its branch's previous build). With `--slots 0` (the
 * default) no agent runs, so the figures are the engine's: builds stay queued and a superseded one
 * is canceled at once. Figures:
 * - hook: the hook request's latency until its 202 (p50, p95, max);
 * - settled: from the last push until every delivery is processed and exactly one build per branch
 *   is active;
 * - operations: bulk operations with source `repository` (one per push that superseded something);
 * - survivors: active builds beyond one per branch afterwards (must be 0).
 */
import crypto from "node:crypto";
import { parseArgs } from "node:util";
import { startTestEngine, waitFor } from "../engine/test/harness.ts";
import { databaseOf, machine, stats, table, writeResult } from "./lib.ts";

export async function benchPushStorm(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: "string" },
      pushes: { type: "string", default: "200" },
      branches: { type: "string", default: "20" },
      seconds: { type: "string", default: "10" },
      slots: { type: "string", default: "0" },
      json: { type: "string" },
    },
  });
  const db = databaseOf(values.db);
  const pushes = Number(values.pushes);
  const branchCount = Number(values.branches);
  const seconds = Number(values.seconds);
  const slots = Number(values.slots);
  const t = await startTestEngine({ db, slots, settings: { maxRunningOperationsPerUser: 1_000_000 } });
  try {
    await t.api.put("/v1/projects/bench", {});
    const repo = await t.api.put("/v1/projects/bench/repositories/app", {
      url: "https://github.com/bench/app.git",
      provider: "github",
    });
    const secret = repo.body.hookSecret as string;
    await t.api.pipeline("bench", "ci", {
      repository: "app",
      on: { push: { branches: ["**"] } },
      cancelGraceSeconds: 1,
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "sleep 30" }] }] }],
    });
    const branches = Array.from({ length: branchCount }, (_, i) => `feature/b${i}`);
    const latencies: number[] = [];
    const gapMs = (seconds * 1000) / pushes;
    const started = performance.now();
    const sending: Promise<void>[] = [];
    for (let i = 0; i < pushes; i++) {
      const wait = started + i * gapMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify({
        ref: `refs/heads/${branches[i % branchCount]}`,
        before: "0".repeat(40),
        after: crypto.randomBytes(20).toString("hex"),
        pusher: { name: "storm" },
        sender: { login: "storm" },
        head_commit: { message: `push ${i}`, author: { username: "storm" } },
        repository: { full_name: "bench/app" },
      });
      const headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": crypto.randomUUID(),
        "X-Hub-Signature-256": `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`,
      };
      sending.push(
        (async () => {
          const t0 = performance.now();
          const res = await fetch(`${t.engine.url}/v1/hooks/bench/app`, { method: "POST", headers, body });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`hook answered ${res.status}`);
          latencies.push(performance.now() - t0);
        })(),
      );
    }
    await Promise.all(sending);
    const lastPush = performance.now();
    const store = t.engine.ctx.store;
    await waitFor(
      async () => {
        const deliveries = await store.repositories.deliveries({ repositoryId: 1, limit: pushes + 1 });
        if (deliveries.length < pushes || deliveries.some((d) => d.status === "pending")) return false;
        const counts = await store.builds.statusCountsAll();
        return (counts.QUEUED ?? 0) + (counts.RUNNING ?? 0) + (counts.CANCELING ?? 0) === branchCount;
      },
      { what: "one active build per branch", timeoutMs: 120_000 },
    );
    const settledMs = performance.now() - lastPush;
    const active = (await t.api.get("/v1/projects/bench/pipelines/ci/builds?status=QUEUED,RUNNING,CANCELING&limit=200"))
      .body.items as { branch: string }[];
    const perBranch = new Map<string, number>();
    for (const b of active) perBranch.set(b.branch, (perBranch.get(b.branch) ?? 0) + 1);
    const survivors = [...perBranch.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const operations = (await t.api.get("/v1/projects/bench/operations?source=repository&limit=200")).body.items.length;
    const hook = stats(latencies);
    const result = {
      benchmark: "push-storm",
      db: db.name,
      pushes,
      branches: branchCount,
      seconds,
      agentSlots: slots,
      hook,
      settledMs: Math.round(settledMs),
      operations,
      survivors,
      activeBranches: perBranch.size,
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `${table([
        {
          db: db.name,
          pushes,
          branches: branchCount,
          "hook p50 ms": hook.medianMs,
          "hook p95 ms": hook.p95Ms,
          "settled ms": Math.round(settledMs),
          operations,
          survivors,
        },
      ])}\n`,
    );
    const file = writeResult(values.json ?? `push-storm-${db.name}.json`, result);
    process.stderr.write(`wrote ${file}\n`);
    return survivors === 0 && perBranch.size === branchCount ? 0 : 1;
  } finally {
    await t.destroy();
  }
}
