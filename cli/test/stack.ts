/**
 * Real `sluice` processes for tests that kill, restart or stop them: engines (with their
 * in-process agent), standalone agents, BFFs, and a fresh PostgreSQL database for several
 * engines. Each may run on a test host (`tools/testnet/`): its own network namespace.
 */
import { type ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../e2e/support/free-port.ts";
import { Api, waitFor } from "../../engine/test/harness.ts";
import { CLI_BUILD } from "../../tools/cli-build.ts";
import type { TestHost } from "../../tools/testnet/testnet.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
export const TOKEN = "stack-admin-token";

export type SluiceProcess = {
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export type EngineProcess = SluiceProcess & { api: Api; url: string; dataDir: string; workDir: string };

/** Where a process runs: on a test host (its own network namespace), on a port of it. */
export type Placement = { host?: TestHost; port?: number };

function run(args: string[], env: Record<string, string>, host?: TestHost): SluiceProcess {
  const argv = [CLI_BUILD, ...args];
  const options = {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", SLUICE_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"] as ["ignore", "ignore", "pipe"],
  };
  // `ip netns exec` execs the program: the child's pid is the process's own.
  const child = host ? host.spawn(process.execPath, argv, options) : spawn(process.execPath, argv, options);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exited };
}

/** A `sluice` client command to its end: exit code and output. */
export function sluiceCommand(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BUILD, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temp dir for a process's data, removed (with its workspaces) by `cleanup`. */
export function tempDataDir(prefix: string, cleanups: (() => unknown)[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sluice-${prefix}-`));
  cleanups.push(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}-workspaces`, { recursive: true, force: true });
  });
  return dir;
}

/** `sluice engine` (engine and in-process agent), up and answering. */
export async function startEngineProcess(
  env: Record<string, string>,
  cleanups: (() => unknown)[],
  placement: Placement = {},
): Promise<EngineProcess> {
  const { host } = placement;
  const port = placement.port ?? (host ? 8081 : await freePort());
  const dataDir = env.SLUICE_DATA_DIR ?? tempDataDir("engine", cleanups);
  const proc = run(
    ["engine"],
    {
      SLUICE_ENGINE_PORT: String(port),
      SLUICE_ADMIN_TOKEN: TOKEN,
      SLUICE_DATA_DIR: dataDir,
      ...(host ? { SLUICE_HOST: host.address } : {}),
      ...env,
    },
    host,
  );
  cleanups.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill("SIGKILL");
      await proc.exited;
    }
  });
  const url = `http://${host?.address ?? "127.0.0.1"}:${port}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`engine exited: ${proc.stderr()}`);
      return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok;
    },
    { what: "engine up", timeoutMs: 60_000 },
  );
  return { ...proc, api: new Api(url, TOKEN), url, dataDir, workDir: `${dataDir}-workspaces` };
}

/**
 * `sluice agent` for the given engines (it fails over in that order), with an agent token made
 * through the first of them (the engines share one database).
 */
export async function startAgentProcess(
  engines: string[],
  env: Record<string, string>,
  cleanups: (() => unknown)[],
  placement: Placement = {},
): Promise<SluiceProcess & { dataDir: string }> {
  const dataDir = tempDataDir("agent", cleanups);
  const created = await new Api(engines[0] as string, TOKEN).post("/v1/agent-tokens", { name: path.basename(dataDir) });
  if (created.status !== 201) throw new Error(`agent token: ${created.status} ${JSON.stringify(created.body)}`);
  const proc = run(
    ["agent"],
    { SLUICE_ENGINE_URL: engines.join(","), SLUICE_TOKEN: created.body.token, SLUICE_DATA_DIR: dataDir, ...env },
    placement.host,
  );
  cleanups.push(async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill("SIGKILL");
      await proc.exited;
    }
  });
  return { ...proc, dataDir };
}

/** A new, empty PostgreSQL database on the test server; dropped by `cleanup`. */
export async function freshDatabase(url: string, cleanups: (() => unknown)[]): Promise<string> {
  const name = `sluice_stack_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/** Runs the cleanups in reverse order. */
export async function runCleanups(cleanups: (() => unknown)[]): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}
