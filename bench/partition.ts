/**
 * `npm run bench -- partition [--cuts 10,60,120] [--db-cut 30 (0: none)] [--db postgres|sqlite]`
 *
 * One engine and one standalone agent on test hosts of their own (`tools/testnet/`), default
 * timeouts (heartbeat 5 s, acknowledgement 30 s, agent 60 s). For each cut, four builds run real
 * `sleep` steps, the agent's link drops every packet for that many seconds, then heals:
 * what became of the builds (running on, fenced and reported `agent_fenced`, given up on as
 * `agent_lost`), processes left behind, builds that ran twice, how long until the engine heard
 * from the agent again and until the agent ran a new build.
 *
 * Then (PostgreSQL) the engine's link to the database is blackholed for `--db-cut` seconds with a
 * bulk cancel accepted just before: what a client polling the engine got meanwhile (503s), how
 * long until the engine answered again, and whether the operation completed.
 */
import { parseArgs } from "node:util";
import { cancelAndWait, Fleet, nonce, runLog } from "../cli/test/fleet.ts";
import { runCleanups } from "../cli/test/stack.ts";
import { processesWithArg, waitFor } from "../engine/test/harness.ts";
import { testnetUnavailable } from "../tools/testnet/testnet.ts";
import { databaseOf, machine, table, writeResult } from "./lib.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchPartition(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cuts: { type: "string", default: "10,60,120" },
      "db-cut": { type: "string", default: "30" },
      db: { type: "string", default: "postgres" },
      json: { type: "string" },
    },
  });
  const unavailable = await testnetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const db = databaseOf(values.db);
  const cuts = values.cuts.split(",").map(Number);
  const cleanups: (() => unknown)[] = [];
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
  try {
    const fleet = await Fleet.create(db.url, cleanups);
    const engine = await fleet.engine({});
    const agent = await fleet.agent([engine], { SLUICE_AGENT_SLOTS: "8" });
    const runs = runLog(cleanups);
    const rows = [];
    for (const seconds of cuts) {
      const n = nonce();
      const p = await engine.api.pipeline("bench", `cut-${seconds}`, {
        cancelGraceSeconds: 10,
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: runs.step(`sleep 3000.${n}`) }] }] }],
      });
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) ids.push((await engine.api.trigger(p)).id);
      await waitFor(async () => (await processesWithArg(`3000.${n}`)).length === 4, { what: "4 running" });
      const fencesBefore = (agent.stderr().match(/fencing: stopping every job/g) ?? []).length;
      log(`cutting the agent off for ${seconds} s`);
      await agent.host.cut();
      await sleep(seconds * 1000);
      await agent.host.heal();
      const healed = Date.now();
      await waitFor(async () => (await fleet.lastSeen(agent)) > healed, { what: "heard from", timeoutMs: 300_000 });
      const heardAgainMs = Date.now() - healed;
      // The agent's report of what it fenced, if anything, has arrived once no build is RUNNING
      // without a process (or every build still runs).
      await waitFor(
        async () => {
          const running = (await Promise.all(ids.map((id) => engine.api.build(id)))).filter(
            (b) => b.status === "RUNNING",
          );
          return running.length === 0 || running.length === (await processesWithArg(`3000.${n}`)).length;
        },
        { what: "the engine and the agent to agree", timeoutMs: 300_000 },
      );
      const builds = await Promise.all(ids.map((id) => engine.api.build(id)));
      const outcome: Record<string, number> = {};
      for (const b of builds) {
        const key = `${b.status}${b.statusReason ? ` (${b.statusReason})` : ""}`;
        outcome[key] = (outcome[key] ?? 0) + 1;
      }
      const running = builds.filter((b) => b.status === "RUNNING").length;
      const processes = (await processesWithArg(`3000.${n}`)).length;
      const fenced = (agent.stderr().match(/fencing: stopping every job/g) ?? []).length > fencesBefore;
      const next = (await engine.api.trigger(p)).id;
      const triggered = Date.now();
      await waitFor(async () => (await processesWithArg(`3000.${n}`)).length === running + 1, {
        what: "a new build running",
        timeoutMs: 300_000,
      });
      const tookWorkMs = Date.now() - triggered;
      const twice = [...runs.runs().values()].filter((c) => c > 1).length;
      rows.push({
        cutS: seconds,
        outcome,
        fenced,
        runningWithoutProcess: Math.max(0, running - processes),
        processesOfEndedBuilds: Math.max(0, processes - running),
        ranTwice: twice,
        heardAgainMs,
        tookNewWorkMs: tookWorkMs,
      });
      log(`${seconds} s: ${JSON.stringify(outcome)}, fenced ${fenced}`);
      await cancelAndWait(fleet, [...builds.filter((b) => b.status === "RUNNING").map((b) => b.id), next]);
    }

    let database: Record<string, unknown> | undefined;
    if (engine.db && Number(values["db-cut"]) > 0) database = await databaseCut(fleet, Number(values["db-cut"]), log);

    const result = {
      db: db.name,
      timeouts: { heartbeatS: 5, stopAckS: 30, agentS: 60 },
      agentCuts: rows,
      ...(database ? { databaseCut: database } : {}),
      note: "2-core machine shared with four other engineers' builds and tests: wall-clock figures are noisy; outcomes and counts are not",
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Agent ↔ engine partitions (${db.name}, default timeouts)\n${table(
        rows.map((r) => ({
          cutS: r.cutS,
          outcome: Object.entries(r.outcome)
            .map(([k, v]) => `${v} ${k}`)
            .join(", "),
          fenced: String(r.fenced),
          ghosts: r.runningWithoutProcess,
          leftovers: r.processesOfEndedBuilds,
          ranTwice: r.ranTwice,
          heardAgainS: (r.heardAgainMs / 1000).toFixed(1),
          newWorkS: (r.tookNewWorkMs / 1000).toFixed(1),
        })),
      )}\n${database ? `Engine ↔ database cut: ${JSON.stringify(database)}\n` : ""}`,
    );
    log(`wrote ${writeResult(values.json ?? `partition-${db.name}.json`, result)}`);
    return rows.every((r) => r.runningWithoutProcess === 0 && r.processesOfEndedBuilds === 0 && r.ranTwice === 0)
      ? 0
      : 1;
  } finally {
    await runCleanups(cleanups);
  }
}

/** The engine's database link blackholed for `seconds`, a bulk cancel accepted just before. */
async function databaseCut(fleet: Fleet, seconds: number, log: (msg: string) => void) {
  const engine = fleet.engines[0] as (typeof fleet.engines)[number];
  const n = nonce();
  const p = await engine.api.pipeline("bench", "db-cut", {
    cancelGraceSeconds: 10,
    stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 3000.${n}` }] }] }],
  });
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) ids.push((await engine.api.trigger(p)).id);
  await waitFor(async () => (await processesWithArg(`3000.${n}`)).length === 4, { what: "4 running" });
  const res = await engine.api.post(`${p}/builds/batch-cancel`, { buildIds: ids.slice(0, 2) });
  log(`blackholing the engine's database link for ${seconds} s`);
  const cutAt = Date.now();
  engine.db?.blackhole();
  const answers: Record<string, number> = {};
  let first503Ms: number | undefined;
  let longestMs = 0;
  const until = cutAt + seconds * 1000;
  while (Date.now() < until) {
    const started = Date.now();
    const status = await fetch(`${engine.url}/v1/builds/${ids[3]}`, {
      headers: { Authorization: `Bearer ${engine.api.token}` },
      signal: AbortSignal.timeout(Math.max(1000, until - Date.now())),
    })
      .then((r) => String(r.status))
      .catch(() => "no answer");
    longestMs = Math.max(longestMs, Date.now() - started);
    answers[status] = (answers[status] ?? 0) + 1;
    if (status === "503" && first503Ms === undefined) first503Ms = Date.now() - cutAt;
    await sleep(500);
  }
  engine.db?.restore();
  const restored = Date.now();
  await waitFor(async () => (await engine.api.get(`/v1/builds/${ids[3]}`)).status === 200, {
    what: "answers again",
    timeoutMs: 120_000,
  });
  const answersAgainMs = Date.now() - restored;
  await waitFor(async () => (await engine.api.get(`/v1/operations/${res.body.id}`)).body.status === "completed", {
    what: "the operation to complete",
    timeoutMs: 300_000,
  });
  const op = (await engine.api.get(`/v1/operations/${res.body.id}`)).body;
  const others = await Promise.all(ids.slice(2).map((id) => engine.api.build(id)));
  return {
    cutS: seconds,
    answersDuringCut: answers,
    first503Ms,
    slowestAnswerMs: longestMs,
    answersAgainMs,
    operation: { status: op.status, counts: op.counts },
    otherBuilds: others.map((b) => `${b.status}${b.statusReason ? ` (${b.statusReason})` : ""}`),
    processesLeft: (await processesWithArg(`3000.${n}`)).length,
  };
}
