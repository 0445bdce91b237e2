/**
 * `npm run bench -- soak [--minutes 5]`
 *
 * A fleet under steady load while it is redeployed: two engines on one PostgreSQL database and
 * two standalone agents on test hosts of their own (`tools/testnet/`), two BFFs in this process.
 * Clients trigger builds on two pipelines with concurrency groups (one queueing, one superseding),
 * read the history page through the BFFs and bulk-cancel a branch now and then. Meanwhile the
 * engines and then the BFFs are restarted one at a time (SIGTERM, start again), a rolling deploy.
 *
 * Clients retry as the page does (react-query: two more tries, 1 s then 2 s apart, on a network
 * error or a 5xx) behind a load balancer that sends a refused connection to the other replica. A
 * request still failing after that is a failed request. Then the invariants: every build reached
 * at most one terminal status and never left it, the counts add up, at most one build of a
 * concurrency group ran at a time, every build the clients created exists, and no process is
 * left once everything is canceled.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type BffHandle, startBff } from "../bff/server.ts";
import { Fleet, type FleetEngine, nonce } from "../cli/test/fleet.ts";
import { runCleanups } from "../cli/test/stack.ts";
import { createLogger } from "../common/logger.ts";
import { collectEvents, processesWithArg, waitFor } from "../engine/test/harness.ts";
import { testnetUnavailable } from "../tools/testnet/testnet.ts";
import { databaseOf, machine, stats, writeResult } from "./lib.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"]);
const BRANCHES = ["main", "dev", "feat-a", "feat-b", "feat-c"];
const PASSWORD = "soak-admin-password";

type Answer = { status: number; body: any };

/** Requests as the page makes them, behind a load balancer over `targets()`. */
class Client {
  requests = 0;
  retried = 0;
  failed: string[] = [];
  readonly latencies: number[] = [];

  constructor(
    private readonly targets: () => string[],
    private readonly headers: () => Record<string, string>,
  ) {}

  async call(
    method: string,
    pathname: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<Answer | undefined> {
    this.requests++;
    const started = performance.now();
    let last = "";
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) {
        this.retried++;
        await sleep(1000 * 2 ** (attempt - 1));
      }
      // The load balancer: a replica that refuses the connection is skipped.
      const targets = this.targets();
      const start = crypto.randomInt(targets.length);
      for (let i = 0; i < targets.length; i++) {
        const url = targets[(start + i) % targets.length] as string;
        let res: Response;
        try {
          res = await fetch(url + pathname, {
            method,
            headers: { ...this.headers(), ...extra, ...(body ? { "Content-Type": "application/json" } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(30_000),
          });
        } catch (err) {
          last = `${method} ${pathname}: ${(err as Error).cause ?? (err as Error).message}`;
          continue;
        }
        const text = await res.text();
        if (res.status >= 500) {
          last = `${method} ${pathname}: ${res.status} ${text.slice(0, 200)}`;
          break;
        }
        this.latencies.push(performance.now() - started);
        return {
          status: res.status,
          body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
        };
      }
    }
    this.failed.push(last);
    return undefined;
  }
}

export async function benchSoak(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { minutes: { type: "string", default: "5" }, json: { type: "string" } },
  });
  const unavailable = await testnetUnavailable();
  if (unavailable) throw new Error(unavailable);
  const minutes = Number(values.minutes);
  const db = databaseOf("postgres");
  const cleanups: (() => unknown)[] = [];
  const log = (msg: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
  try {
    const fleet = await Fleet.create(db.url, cleanups);
    const env = { SLUICE_ADMIN_PASSWORD: PASSWORD, SLUICE_MAX_RUNNING_OPERATIONS_PER_USER: "100" };
    const engines: FleetEngine[] = [await fleet.engine(env), await fleet.engine(env)];
    await fleet.agent([engines[0]!, engines[1]!], { SLUICE_AGENT_SLOTS: "6" });
    await fleet.agent([engines[1]!, engines[0]!], { SLUICE_AGENT_SLOTS: "6" });
    const webDist = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-web-"));
    fs.writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Sluice</title>");
    cleanups.push(() => fs.rmSync(webDist, { recursive: true, force: true }));
    const bffs: (BffHandle | undefined)[] = [];
    const bffPorts: number[] = [];
    const startBffOn = async (i: number) => {
      // Each BFF prefers its own engine and fails over to the other.
      const order = i === 0 ? [engines[0], engines[1]] : [engines[1], engines[0]];
      const bff = await startBff({
        engineUrl: (order[0] as FleetEngine).url,
        engineUrls: order.map((e) => (e as FleetEngine).url),
        webDist,
        log: createLogger("silent", "bff"),
        host: "127.0.0.1",
        port: bffPorts[i] ?? 0,
        maxStreamsPerUser: 100,
      });
      bffPorts[i] = Number(new URL(bff.url).port);
      bffs[i] = bff;
    };
    await startBffOn(0);
    await startBffOn(1);
    cleanups.push(async () => {
      for (const b of bffs) await b?.stop();
    });

    const n = nonce();
    const api = fleet.api;
    await api.pipeline("soak", "queueing", {
      cancelGraceSeconds: 2,
      concurrency: { group: "${{ branch }}", queueLength: 200 },
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 2.${n}` }] }] }],
    });
    await api.pipeline("soak", "superseding", {
      cancelGraceSeconds: 2,
      concurrency: { group: "${{ branch }}", cancelInProgress: true },
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 4.${n}` }] }] }],
    });

    const engineUrls = () => engines.map((e) => e.url);
    const bffUrls = () => bffPorts.map((p) => `http://127.0.0.1:${p}`);
    const writer = new Client(engineUrls, () => ({ Authorization: `Bearer ${api.token}` }));
    let cookie = "";
    const signIn = await fetch(`${bffUrls()[0]}/api/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const reader = new Client(bffUrls, () => ({ Cookie: cookie }));

    const created = new Set<number>();
    const violations: string[] = [];
    let running = true;
    const end = Date.now() + minutes * 60_000;
    const triggering = (async () => {
      while (running) {
        const pipeline = Math.random() < 0.5 ? "queueing" : "superseding";
        const branch = BRANCHES[crypto.randomInt(BRANCHES.length)] as string;
        const r = await writer.call("POST", `/v1/projects/soak/pipelines/${pipeline}/builds`, { branch });
        if (r?.status === 201) created.add(r.body.id);
        else if (r) violations.push(`trigger answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
        await sleep(400);
      }
    })();
    const reading = (async () => {
      while (running) {
        const pipeline = Math.random() < 0.5 ? "queueing" : "superseding";
        const r = await reader.call("GET", `/api/projects/soak/pipelines/${pipeline}/history?limit=50`);
        if (r && r.status !== 200) violations.push(`history answered ${r.status}`);
        await sleep(250);
      }
    })();
    const canceling = (async () => {
      while (running) {
        await sleep(10_000);
        const branch = BRANCHES[crypto.randomInt(BRANCHES.length)] as string;
        const r = await writer.call(
          "POST",
          "/v1/projects/soak/pipelines/queueing/builds/batch-cancel",
          { filter: { status: ["QUEUED", "RUNNING"], branch }, reason: "soak" },
          { "Idempotency-Key": crypto.randomUUID() },
        );
        if (r && r.status !== 202)
          violations.push(`bulk cancel answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
      }
    })();
    // At most one running build per concurrency group, sampled.
    let samples = 0;
    const watching = (async () => {
      while (running) {
        for (const pipeline of ["queueing", "superseding"]) {
          const r = await writer.call("GET", `/v1/projects/soak/pipelines/${pipeline}/builds?status=RUNNING&limit=200`);
          const groups = new Map<string, number>();
          for (const b of r?.body.items ?? [])
            groups.set(b.concurrencyGroup, (groups.get(b.concurrencyGroup) ?? 0) + 1);
          for (const [group, count] of groups)
            if (count > 1) violations.push(`${pipeline}: ${count} running in group ${group}`);
        }
        samples++;
        await sleep(1000);
      }
    })();

    // The rolling restart: each engine, then each BFF, one at a time.
    const restarts: { what: string; at: string; downMs: number }[] = [];
    const steps = [
      async () => {
        engines[0] = await fleet.restart(engines[0] as FleetEngine);
        return "engine 1";
      },
      async () => {
        engines[1] = await fleet.restart(engines[1] as FleetEngine);
        return "engine 2";
      },
      async () => {
        await bffs[0]?.stop();
        await startBffOn(0);
        return "bff 1";
      },
      async () => {
        await bffs[1]?.stop();
        await startBffOn(1);
        return "bff 2";
      },
    ];
    for (const [i, step] of steps.entries()) {
      await sleep(Math.max(0, end - ((steps.length - i) * minutes * 60_000) / (steps.length + 1) - Date.now()));
      const started = Date.now();
      const what = await step();
      restarts.push({ what, at: new Date(started).toISOString(), downMs: Date.now() - started });
      log(`restarted ${what} in ${Date.now() - started} ms`);
    }
    await sleep(Math.max(0, end - Date.now()));
    running = false;
    await Promise.all([triggering, reading, canceling, watching]);
    log(`load stopped: ${created.size} builds created`);

    // Everything still active is canceled; then the invariants.
    for (const pipeline of ["queueing", "superseding"]) {
      await api.post(`/v1/projects/soak/pipelines/${pipeline}/builds/batch-cancel`, {
        filter: { status: ["QUEUED", "RUNNING"] },
        reason: "soak over",
      });
    }
    await waitFor(
      async () => {
        let active = 0;
        for (const pipeline of ["queueing", "superseding"]) {
          const c = (await api.get(`/v1/projects/soak/pipelines/${pipeline}/builds/counts`)).body;
          active += (c.QUEUED ?? 0) + (c.RUNNING ?? 0) + (c.CANCELING ?? 0);
        }
        return active === 0;
      },
      { what: "nothing active", timeoutMs: 300_000 },
    );
    const survivors = (await processesWithArg(`2.${n}`)).length + (await processesWithArg(`4.${n}`)).length;
    if (survivors > 0) violations.push(`${survivors} processes left`);

    // Counts add up, and every build a client created exists.
    const all = new Map<number, string>();
    let countTotal = 0;
    for (const pipeline of ["queueing", "superseding"]) {
      let cursor: string | undefined;
      do {
        const r = await api.get(
          `/v1/projects/soak/pipelines/${pipeline}/builds?limit=200${cursor ? `&cursor=${cursor}` : ""}`,
        );
        for (const b of r.body.items) all.set(b.id, b.status);
        cursor = r.body.nextCursor ?? undefined;
      } while (cursor);
      const counts = (await api.get(`/v1/projects/soak/pipelines/${pipeline}/builds/counts`)).body as Record<
        string,
        number
      >;
      countTotal += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    if (countTotal !== all.size) violations.push(`counts say ${countTotal} builds, the list has ${all.size}`);
    for (const id of created) if (!all.has(id)) violations.push(`build ${id} created but missing`);

    // One terminal status per build, never left.
    const { events } = await collectEvents(api, "project=soak&types=build.status_changed", {
      lastEventId: "0",
      until: (es) => {
        const ended = new Set(es.filter((e) => TERMINAL.has(e.data.to)).map((e) => e.data.buildId));
        return [...all.keys()].every((id) => ended.has(id));
      },
      timeoutMs: 120_000,
    });
    const terminalOf = new Map<number, number>();
    for (const e of events) {
      if (TERMINAL.has(e.data.from)) violations.push(`build ${e.data.buildId} left ${e.data.from} for ${e.data.to}`);
      if (TERMINAL.has(e.data.to)) terminalOf.set(e.data.buildId, (terminalOf.get(e.data.buildId) ?? 0) + 1);
    }
    for (const [id, times] of terminalOf) if (times > 1) violations.push(`build ${id} ended ${times} times`);
    for (const id of all.keys()) if (!terminalOf.has(id)) violations.push(`build ${id} has no terminal status event`);

    const byStatus: Record<string, number> = {};
    for (const s of all.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
    const result = {
      minutes,
      builds: all.size,
      byStatus,
      requests: { writes: writer.requests, reads: reader.requests, retried: writer.retried + reader.retried },
      failedRequests: [...writer.failed, ...reader.failed],
      latency: { writes: stats(writer.latencies), reads: stats(reader.latencies) },
      groupSamples: samples,
      restarts,
      violations,
      note: "2-core machine shared with four other engineers' builds and tests: latencies are noisy; failures and violations are counts",
      machine: machine(),
      at: new Date().toISOString(),
    };
    process.stdout.write(
      `Soak ${minutes} min with a rolling restart: ${all.size} builds, ${result.requests.writes + result.requests.reads} requests (${result.requests.retried} retried), ${result.failedRequests.length} failed, ${violations.length} invariant violations\n`,
    );
    for (const v of [...result.failedRequests, ...violations].slice(0, 20)) process.stdout.write(`  ${v}\n`);
    log(`wrote ${writeResult(values.json ?? `soak-postgres-${minutes}min.json`, result)}`);
    return result.failedRequests.length === 0 && violations.length === 0 ? 0 : 1;
  } finally {
    await runCleanups(cleanups);
  }
}
