/**
 * A Sluice fleet on test hosts (`tools/testnet/`): engines, standalone agents and BFFs as real
 * processes, each in its own network namespace on the test network, PostgreSQL reached through
 * a proxy per engine that a test can blackhole. Shared by the network fault tests and the
 * failover, partition and soak benchmarks.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { type Api, waitFor } from "../../engine/test/harness.ts";
import { TcpProxy } from "../../tools/testnet/tcp-proxy.ts";
import { type TestHost, TestNet } from "../../tools/testnet/testnet.ts";
import {
  type EngineProcess,
  freshDatabase,
  type SluiceProcess,
  startAgentProcess,
  startEngineProcess,
} from "./stack.ts";

export type FleetEngine = EngineProcess & { host: TestHost; db: TcpProxy | undefined; env: Record<string, string> };
export type FleetAgent = SluiceProcess & { host: TestHost; dataDir: string; id: () => string | undefined };

export class Fleet {
  readonly engines: FleetEngine[] = [];
  readonly agents: FleetAgent[] = [];
  private constructor(
    readonly net: TestNet,
    /** PostgreSQL database URL (on loopback), or undefined for SQLite (one engine). */
    readonly databaseUrl: string | undefined,
    private readonly cleanups: (() => unknown)[],
  ) {}

  /** A test network (and a fresh PostgreSQL database when `postgresUrl` is given). */
  static async create(postgresUrl: string | undefined, cleanups: (() => unknown)[]): Promise<Fleet> {
    const net = await TestNet.create();
    cleanups.push(() => net.destroy());
    const databaseUrl = postgresUrl ? await freshDatabase(postgresUrl, cleanups) : undefined;
    return new Fleet(net, databaseUrl, cleanups);
  }

  /** The first engine's API (as the admin), from the test process. */
  get api(): Api {
    return (this.engines.find((e) => e.child.exitCode === null && e.child.signalCode === null) ?? this.engines[0])!.api;
  }

  /** An engine on a host of its own, with its in-process agent off; PostgreSQL through a proxy. */
  async engine(env: Record<string, string>): Promise<FleetEngine> {
    const host = await this.net.host(`e${this.engines.length}`);
    let db: TcpProxy | undefined;
    const extra: Record<string, string> = { SLUICE_AGENT_SLOTS: "0", ...env };
    if (this.databaseUrl) {
      const target = new URL(this.databaseUrl);
      db = await new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, this.net.gateway).start();
      const proxy = db;
      this.cleanups.push(() => proxy.close());
      target.hostname = this.net.gateway;
      target.port = String(db.port);
      extra.DATABASE_URL = target.toString();
    } else {
      if (this.engines.length > 0) throw new Error("several engines need PostgreSQL");
    }
    const engine = await startEngineProcess(extra, this.cleanups, { host });
    const fleetEngine = { ...engine, host, db, env: extra };
    this.engines.push(fleetEngine);
    return fleetEngine;
  }

  /**
   * Starts a stopped (or killed) engine again on its host, with its data dir, port and database
   * proxy: the same replica after a restart.
   */
  async restart(engine: FleetEngine): Promise<FleetEngine> {
    if (engine.child.exitCode === null && engine.child.signalCode === null) {
      engine.child.kill("SIGTERM");
      await engine.exited;
    }
    const port = Number(new URL(engine.url).port);
    const again = await startEngineProcess({ ...engine.env, SLUICE_DATA_DIR: engine.dataDir }, this.cleanups, {
      host: engine.host,
      port,
    });
    const restarted = { ...again, host: engine.host, db: engine.db, env: engine.env };
    this.engines[this.engines.indexOf(engine)] = restarted;
    return restarted;
  }

  /** A standalone agent on a host of its own, for these engines (failing over in this order). */
  async agent(engines: FleetEngine[], env: Record<string, string>): Promise<FleetAgent> {
    const host = await this.net.host(`a${this.agents.length}`);
    const proc = await startAgentProcess(
      engines.map((e) => e.url),
      { SLUICE_LOG_LEVEL: "info", ...env },
      this.cleanups,
      { host },
    );
    const agent = { ...proc, host, id: () => /Agent (\S+) running jobs/.exec(proc.stderr())?.[1] };
    this.agents.push(agent);
    await waitFor(() => agent.id() ?? (proc.child.exitCode !== null ? Promise.reject(new Error(proc.stderr())) : ""), {
      what: "the agent to start",
      timeoutMs: 60_000,
    });
    return agent;
  }

  /** When the engines last heard from an agent (ms since the epoch). */
  async lastSeen(agent: FleetAgent): Promise<number> {
    const res = await this.api.get("/v1/agents");
    const row = (res.body.items as { id: string; lastSeenAt: string }[]).find((a) => a.id === agent.id());
    return row ? Date.parse(row.lastSeenAt) : 0;
  }
}

/**
 * A directory every step may write to, where steps leave one line per run (`runs.log`): a build
 * that ran twice shows up twice. Steps run as an unprivileged user, hence the sticky 1777.
 */
export function runLog(cleanups: (() => unknown)[]): {
  dir: string;
  step: (cmd: string) => string;
  runs: () => Map<number, number>;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-runs-"));
  fs.chmodSync(dir, 0o1777);
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "runs.log");
  return {
    dir,
    step: (cmd) => `echo "$SLUICE_BUILD_ID" >> ${file}; ${cmd}`,
    runs: () => {
      const counts = new Map<number, number>();
      const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      for (const line of text.split("\n").filter(Boolean))
        counts.set(Number(line), (counts.get(Number(line)) ?? 0) + 1);
      return counts;
    },
  };
}

/** A unique argument for this test's `sleep` steps, so their processes are found by it. */
export function nonce(): string {
  return String(crypto.randomInt(100_000, 999_999_999));
}

/** The defaults (heartbeat 5 s, acknowledgement 30 s, agent 60 s) divided by five, for CI. */
export const TIMEOUTS = {
  SLUICE_AGENT_HEARTBEAT_SECONDS: "1",
  SLUICE_STOP_ACK_TIMEOUT_SECONDS: "6",
  SLUICE_AGENT_TIMEOUT_SECONDS: "12",
  SLUICE_MAX_RUNNING_OPERATIONS_PER_USER: "100",
};

export const TERMINAL = ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"];

/** A pipeline of one job with one step, stopped with a 1 s grace. */
export function sleeper(step: string) {
  return { cancelGraceSeconds: 1, stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: step }] }] }] };
}

/** Cancels builds and waits until each is CANCELED by its agent's acknowledgement. */
export async function cancelAndWait(fleet: Fleet, ids: number[]): Promise<void> {
  const b = await fleet.api.build(ids[0] as number);
  const res = await fleet.api.post(`/v1/projects/${b.project}/pipelines/${b.pipeline}/builds/batch-cancel`, {
    buildIds: ids,
  });
  expect(res.status).toBe(202);
  for (const id of ids) expect((await fleet.api.waitForStatus(id, "CANCELED", 60_000)).statusReason).toBeNull();
}
