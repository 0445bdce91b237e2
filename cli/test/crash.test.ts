import { type ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../e2e/support/free-port.ts";
import { Api, DATABASES, processesOfBuild, processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { CLI_BUILD } from "../../tools/cli-build.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The real `sluice engine` command in a child process. */
async function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; api: Api }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_BUILD, "engine"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      SLUICE_ENGINE_PORT: String(port),
      SLUICE_ADMIN_TOKEN: "crash-token",
      SLUICE_LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const api = new Api(`http://127.0.0.1:${port}`, "crash-token");
  await waitFor(async () => (await fetch(`${api.url}/healthz`).catch(() => undefined))?.ok, {
    what: "engine up",
    timeoutMs: 30_000,
  });
  return { child, api };
}

const CASES = DATABASES.flatMap((db) =>
  (db.name === "sqlite" ? (["auto", "marker"] as const) : (["auto"] as const)).map((containment) => ({
    db,
    containment,
  })),
);

describe.each(CASES)("a crash of the engine process on $db.name (containment $containment)", ({ db, containment }) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("leaves no process of its builds — escaped or leaderless ones included — and no RUNNING build without a process after the next start", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-crash-"));
    const workDir = `${dataDir}-workspaces`;
    cleanups.push(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(workDir, { recursive: true, force: true });
    });
    const env: Record<string, string> = {
      SLUICE_DATA_DIR: dataDir,
      SLUICE_AGENT_SLOTS: "1",
      SLUICE_CONTAINMENT: containment,
    };
    if (db.url) {
      const name = `sluice_crash_${crypto.randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      });
      env.DATABASE_URL = db.url.replace(/\/[^/]*$/, `/${name}`);
    }
    // Unique durations: these processes are found by their command line, whatever they did to
    // their environment or process group.
    const nonce = crypto.randomInt(100_000, 999_999);
    const escaped = `300.${nonce}1`; // build #1; the queued build #2 sleeps 300.<nonce>2
    const child = `301.${nonce}1`;
    const first = await startCli(env);
    cleanups.push(() => void first.child.kill("SIGKILL"));
    const p = await first.api.pipeline("acme", "sleepy", {
      stages: [
        {
          name: "main",
          jobs: [
            {
              name: "j",
              steps: [
                { run: `setsid sleep 300.${nonce}$SLUICE_BUILD_NUMBER & sleep 301.${nonce}$SLUICE_BUILD_NUMBER` },
              ],
            },
          ],
        },
      ],
    });
    const running = await first.api.trigger(p);
    const queued = await first.api.trigger(p);
    await waitFor(
      async () => (await processesWithArg(escaped)).length > 0 && (await processesWithArg(child)).length > 0,
      {
        what: "a running step with an escaped child",
      },
    );

    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    if (containment === "auto") {
      // In a PID namespace every process of the job dies with the engine, before any restart.
      await waitFor(
        async () => (await processesWithArg(escaped)).length === 0 && (await processesWithArg(child)).length === 0,
        {
          what: "the job's processes to die with the engine",
        },
      );
    }

    const second = await startCli(env);
    cleanups.push(async () => {
      second.child.kill("SIGTERM");
      await new Promise((r) => second.child.once("exit", r));
    });
    await waitFor(
      async () => (await processesWithArg(escaped)).length === 0 && (await processesWithArg(child)).length === 0,
      {
        what: "every process of the crashed run gone",
      },
    );
    const lost = await second.api.build(running.id);
    expect(lost.status).toBe("FAILED");
    expect(lost.statusReason).toBe("agent_lost");
    await waitFor(async () => (await second.api.build(queued.id)).status === "RUNNING", { what: "queued build runs" });
    await waitFor(async () => (await processesOfBuild(workDir, queued.id)).length > 0, { what: "its processes" });
  });
});
