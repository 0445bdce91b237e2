/**
 * Integration-test harness: a real engine on a real database (a temporary SQLite file, or a
 * fresh PostgreSQL schema when SLUICE_TEST_DATABASE_URL is set) with a real local agent.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { Agent, type AgentOptions } from "../../agent/agent.ts";
import { HttpAgentChannel } from "../../agent/http-channel.ts";
import { readSse } from "../../common/sse-parser.ts";
import type { EngineSettings } from "../context.ts";
import { type EngineHandle, startEngine } from "../engine.ts";
import { processesOfBuild } from "./processes.ts";

export type TestDatabase = { name: "sqlite" | "postgres"; url?: string };

/**
 * SQLite always; PostgreSQL too when SLUICE_TEST_DATABASE_URL is set. `SLUICE_TEST_ONLY_DATABASE`
 * (set by the Vitest project that runs a file on one database) keeps one of them, so the two
 * halves of a file run side by side in two workers.
 */
const ONLY = process.env.SLUICE_TEST_ONLY_DATABASE;
export const DATABASES: TestDatabase[] = [
  { name: "sqlite" as const },
  ...(process.env.SLUICE_TEST_DATABASE_URL
    ? [{ name: "postgres" as const, url: process.env.SLUICE_TEST_DATABASE_URL }]
    : []),
].filter((d) => ONLY === undefined || d.name === ONLY);

/** Tests on no database run once: not again in the project that runs a file on PostgreSQL only. */
export const DATABASE_FREE = ONLY !== "postgres";

export type TestEngine = {
  engine: EngineHandle;
  db: TestDatabase;
  agent: Agent | undefined;
  api: Api;
  dataDir: string;
  /** The agent's workspaces (outside the data dir, which steps cannot see). */
  workDir: string;
  /** Live processes of a build of this instance (found by its workspace, not only the build id). */
  processesOf: (buildId: number) => Promise<number[]>;
  /** PostgreSQL: the schema this engine runs in. */
  pgSchema: string | undefined;
  /** PostgreSQL: the `application_name` of this engine's connections (unique to it). */
  applicationName: string;
  /** Stops the agent (killing its processes) and the engine, keeping the data for a restart. */
  stop: () => Promise<void>;
  /** Stops and removes the data (and the PostgreSQL schema). */
  destroy: () => Promise<void>;
  /** `settings` replace the ones given at start (a restart with another configuration). */
  restart: (opts?: { slots?: number; settings?: Partial<EngineSettings> }) => Promise<TestEngine>;
};

export type StartOptions = {
  db: TestDatabase;
  slots?: number;
  settings?: Partial<EngineSettings>;
  /** Holds `data/` and `work/`; a fresh temp dir unless given (a restart keeps it). */
  root?: string;
  agent?: Partial<Pick<AgentOptions, "containment" | "baseEnv" | "log">>;
  pgSchema?: string;
  heartbeatMs?: number;
  /** Listen here (a restart keeps the port, so remote agents find the engine again). */
  port?: number;
  /** `GET /metrics` needs this bearer token. */
  metricsToken?: string;
};

export async function startTestEngine(opts: StartOptions): Promise<TestEngine> {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), "sluice-test-"));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, "data");
  const workDir = path.join(root, "work");
  const pgSchema = opts.db.url ? (opts.pgSchema ?? `t_${crypto.randomBytes(6).toString("hex")}`) : undefined;
  const applicationName = `sluice-test-${crypto.randomBytes(6).toString("hex")}`;
  const engine = await startEngine({
    settings: {
      dataDir,
      stopAckTimeoutSeconds: 30,
      agentTimeoutSeconds: 60,
      agentHeartbeatSeconds: 5,
      eventRetentionHours: 168,
      batchCancelMaxIds: 10_000,
      previewTtlSeconds: 600,
      maxRunningOperationsPerUser: 5,
      logMaxBytes: 16 * 2 ** 20,
      maxStreamsPerUser: 20,
      adminToken: "test-admin-token",
      adminPassword: "test-admin-password",
      // A sixteenth of the default scrypt cost: the suites sign in hundreds of times (the
      // default cost is checked in security-tokens.test.ts).
      passwordHashCost: 1024,
      ...opts.settings,
    },
    databaseUrl: opts.db.url,
    ...(pgSchema ? { pgSchema, applicationName } : {}),
    host: "127.0.0.1",
    port: opts.port ?? 0,
    logLevel: "warn",
    localAgentId: "local",
    ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
    ...(opts.metricsToken ? { metricsToken: opts.metricsToken } : {}),
  });
  let agent: Agent | undefined;
  if ((opts.slots ?? 4) > 0) {
    agent = new Agent(engine.channel, {
      name: "local",
      slots: opts.slots ?? 4,
      workDir,
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      hiddenPaths: [dataDir],
      ...opts.agent,
    });
    await agent.start();
  }
  const stop = async () => {
    await agent?.stop(500);
    await engine.stop();
  };
  const handle: TestEngine = {
    engine,
    db: opts.db,
    agent,
    api: new Api(engine.url, engine.adminToken),
    dataDir,
    workDir,
    pgSchema,
    applicationName,
    processesOf: (buildId) => processesOfBuild(workDir, buildId),
    stop,
    destroy: async () => {
      await stop();
      fs.rmSync(root, { recursive: true, force: true });
      if (opts.db.url && pgSchema) await dropSchema(opts.db.url, pgSchema);
    },
    restart: async (r) => {
      await stop();
      return startTestEngine({
        ...opts,
        root,
        port: Number(new URL(engine.url).port),
        ...(pgSchema ? { pgSchema } : {}),
        slots: r?.slots ?? opts.slots ?? 4,
        settings: { ...opts.settings, ...r?.settings },
      });
    },
  };
  return handle;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/**
 * A real agent in this process that talks to the engine over HTTP, as a standalone agent does
 * (`urls` may list several engines, or a proxy in front of one), with an agent token of its own.
 * Its workspaces are under the test's root; `stop` kills what it runs.
 */
export async function startRemoteAgent(
  t: TestEngine,
  opts: { name: string; slots: number; urls?: string[]; pollWaitMs?: number; containment?: "auto" | "marker" },
): Promise<Agent> {
  // The agent channel takes agent tokens only.
  const created = await t.api.post("/v1/agent-tokens", { name: `agent-${opts.name}` });
  if (created.status !== 201) throw new Error(`agent token: ${created.status} ${JSON.stringify(created.body)}`);
  const agent = new Agent(new HttpAgentChannel(opts.urls ?? [t.engine.url], created.body.token), {
    name: opts.name,
    slots: opts.slots,
    workDir: path.join(t.workDir, "..", `work-${opts.name}`),
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    hiddenPaths: [t.dataDir],
    ...(opts.pollWaitMs ? { pollWaitMs: opts.pollWaitMs } : {}),
    ...(opts.containment ? { containment: opts.containment } : {}),
  });
  await agent.start();
  return agent;
}

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

/** A tiny client for the engine API. */
export class Api {
  constructor(
    readonly url: string,
    readonly token: string | undefined,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.url, token);
  }

  async request<T = any>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (typeof body === "string") {
      payload = body;
      h["Content-Type"] ??= "application/yaml";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h["Content-Type"] ??= "application/json";
    }
    const send = () =>
      fetch(this.url + pathname, {
        method,
        headers: h,
        ...(payload !== undefined ? { body: payload } : {}),
      });
    // A read sent on a kept-alive connection that an engine closed as it stopped (a test that
    // restarts an engine on the same port) is sent once more, on a new connection.
    const res = await send().catch((err: unknown) => {
      const socketClosed = (err as { cause?: { code?: string } })?.cause?.code === "UND_ERR_SOCKET";
      if (method === "GET" && socketClosed) return send();
      throw err;
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    return {
      status: res.status,
      body: (type.includes("json") && text ? JSON.parse(text) : text) as T,
      headers: res.headers,
    };
  }

  get<T = any>(p: string) {
    return this.request<T>("GET", p);
  }
  post<T = any>(p: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("POST", p, body ?? {}, headers);
  }
  put<T = any>(p: string, body?: unknown) {
    return this.request<T>("PUT", p, body);
  }

  /** Creates a project and a pipeline; returns the pipeline's API path. */
  async pipeline(project: string, pipeline: string, definition: string | object): Promise<string> {
    const p = await this.put(`/v1/projects/${project}`, {});
    if (p.status >= 300) throw new Error(`project: ${p.status} ${JSON.stringify(p.body)}`);
    const r = await this.put(`/v1/projects/${project}/pipelines/${pipeline}`, definition);
    if (r.status >= 300) throw new Error(`pipeline: ${r.status} ${JSON.stringify(r.body)}`);
    return `/v1/projects/${project}/pipelines/${pipeline}`;
  }

  async trigger(pipelinePath: string, body: object = {}): Promise<any> {
    const r = await this.post(`${pipelinePath}/builds`, body);
    if (r.status !== 201) throw new Error(`trigger: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async build(id: number): Promise<any> {
    return (await this.get(`/v1/builds/${id}`)).body;
  }

  /** Waits for a build to reach `status`; on timeout says where it was (its jobs and steps too). */
  async waitForStatus(id: number, status: string, timeoutMs?: number): Promise<any> {
    let last: any;
    try {
      return await waitFor(
        async () => {
          last = await this.build(id);
          return last?.status === status ? last : null;
        },
        { what: `build ${id} ${status}`, ...(timeoutMs ? { timeoutMs } : {}) },
      );
    } catch (err) {
      const where = last?.jobs?.map(
        (j: any) => `${j.name}:${j.status}[${j.steps?.map((s: any) => s.status).join(",")}]`,
      );
      throw new Error(
        `${(err as Error).message}; it was ${last?.status} (${last?.statusReason ?? "-"}), jobs ${where?.join(" ")}`,
      );
    }
  }
}

/** Polls `check` until it returns a truthy value (no fixed sleeps in tests). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const until = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: T | undefined;
  while (Date.now() < until) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${opts.what ?? "condition"} (last: ${JSON.stringify(last)})`);
}

export { processesOfBuild, processesWithArg } from "./processes.ts";

export function sleepPipeline(
  opts: { seconds?: number; grace?: number; concurrency?: object; trap?: boolean } = {},
): object {
  const run = opts.trap
    ? `trap 'echo got TERM' TERM; echo started; while true; do sleep 0.2; done`
    : `echo started; sleep ${opts.seconds ?? 300}`;
  return {
    cancelGraceSeconds: opts.grace ?? 2,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    stages: [{ name: "main", jobs: [{ name: "sleep", steps: [{ run }] }] }],
  };
}

export type ReceivedEvent = { id: string | undefined; event: string; data: any };

/**
 * Opens `/v1/events?query` and collects events until `until` says so (or the timeout passes).
 * `raw` keeps the whole stream text, comments included.
 */
export async function collectEvents(
  api: Api,
  query: string,
  opts: {
    lastEventId?: string;
    until: (events: ReceivedEvent[]) => boolean;
    timeoutMs?: number;
    onOpen?: () => Promise<void> | void;
  },
): Promise<{ events: ReceivedEvent[]; heartbeats: number }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 20_000);
  const headers: Record<string, string> = { Authorization: `Bearer ${api.token}` };
  if (opts.lastEventId) headers["Last-Event-ID"] = opts.lastEventId;
  const res = await fetch(`${api.url}/v1/events?${query}`, { headers, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`events: ${res.status} ${await res.text()}`);
  const events: ReceivedEvent[] = [];
  let heartbeats = 0;
  await opts.onOpen?.();
  try {
    await readSse(
      res.body,
      (e) => {
        events.push({ id: e.id, event: e.event, data: JSON.parse(e.data) });
        if (opts.until(events)) abort.abort();
      },
      abort.signal,
      (comment) => {
        if (comment === "heartbeat") heartbeats++;
      },
    );
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { events, heartbeats };
}

/**
 * The running totals the API reports agree with counting the builds themselves. The two reads
 * are separate statements, so a build may move between them: read again until they agree, and
 * fail if they never do.
 */
export async function expectCountsConsistent(t: TestEngine, pipelinePath: string): Promise<void> {
  const nonZero = (c: Record<string, number>) =>
    JSON.stringify(
      Object.fromEntries(
        Object.entries(c)
          .filter(([, n]) => n !== 0)
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    );
  let last = "";
  await waitFor(
    async () => {
      const reported = (await t.api.get(`${pipelinePath}/builds/counts`)).body as Record<string, number>;
      const actual = await t.engine.ctx.store.builds.statusCountsAll();
      last = `reported ${nonZero(reported)}, actual ${nonZero(actual)}`;
      return nonZero(reported) === nonZero(actual);
    },
    { what: "counts to agree", timeoutMs: 5000 },
  ).catch(() => {
    throw new Error(`counts drifted: ${last}`);
  });
}
