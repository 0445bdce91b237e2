/**
 * `sluice backup` and `sluice restore`: an online copy of a running instance, restored into an
 * empty data dir, is the same instance — its builds, operations and audit log — and treats the
 * builds that were running as an engine restart does. PostgreSQL is pointed to pg_dump.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Api, DATABASES, processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { runCleanups, sluiceCommand, startEngineProcess, tempDataDir } from "./stack.ts";

const POSTGRES = DATABASES.filter((d) => d.url);

describe("backup and restore", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(() => runCleanups(cleanups));

  it("a backup taken while builds run, restored into an empty data dir, shows the same builds, operations and audit log; the builds that were running end as after a crash", async () => {
    const first = await startEngineProcess({ SLUICE_AGENT_SLOTS: "2" }, cleanups);
    const n = String(crypto.randomInt(100_000, 999_999_999));
    const quick = await first.api.pipeline("acme", "quick", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    const done = await first.api.trigger(quick);
    await first.api.waitForStatus(done.id, "SUCCEEDED");
    const slow = await first.api.pipeline("acme", "slow", {
      cancelGraceSeconds: 1,
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: `sleep 300.${n}` }] }] }],
    });
    const running = [await first.api.trigger(slow), await first.api.trigger(slow)];
    const queued = await first.api.trigger(slow);
    await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 2, { what: "2 running" });
    const cancel = await first.api.post(`${slow}/builds/batch-cancel`, { buildIds: [queued.id], reason: "backup" });
    expect(cancel.status).toBe(202);
    await first.api.waitForStatus(queued.id, "CANCELED");

    const file = path.join(tempDataDir("backup", cleanups), "sluice.backup");
    const made = await sluiceCommand(["backup", file], { SLUICE_DATA_DIR: first.dataDir });
    expect(made, made.stderr).toMatchObject({ code: 0 });
    expect(made.stdout).toMatch(/4 builds, 1 operations/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const before = await views(first.api);
    expect(before.builds).toHaveLength(4);
    expect(before.operations).toHaveLength(1);
    expect(before.audit.length).toBeGreaterThan(0);
    expect(await sluiceCommand(["backup", file], { SLUICE_DATA_DIR: first.dataDir })).toMatchObject({ code: 1 });

    // The machine is lost.
    first.child.kill("SIGKILL");
    await first.exited;

    // A data dir that is not empty is refused, and left as it was.
    const listed = fs.readdirSync(first.dataDir).sort();
    const refused = await sluiceCommand(["restore", file], { SLUICE_DATA_DIR: first.dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty/);
    expect(fs.readdirSync(first.dataDir).sort()).toEqual(listed);

    const dataDir = path.join(tempDataDir("restored", cleanups), "data");
    const restored = await sluiceCommand(["restore", file], { SLUICE_DATA_DIR: dataDir });
    expect(restored, restored.stderr).toMatchObject({ code: 0 });
    // The same instance: its in-process agent's id came along.
    expect(fs.readFileSync(path.join(dataDir, "agent-id"), "utf8")).toBe(
      fs.readFileSync(path.join(first.dataDir, "agent-id"), "utf8"),
    );

    const second = await startEngineProcess({ SLUICE_AGENT_SLOTS: "2", SLUICE_DATA_DIR: dataDir }, cleanups);
    cleanups.push(() => fs.rmSync(`${dataDir}-workspaces`, { recursive: true, force: true }));
    const after = await views(second.api);
    expect(after.operations).toEqual(before.operations);
    expect(after.audit).toEqual(before.audit);
    const wasRunning = new Set(running.map((b) => b.id));
    expect(after.builds.map((b) => b.id)).toEqual(before.builds.map((b) => b.id));
    for (const [i, b] of after.builds.entries()) {
      const old = before.builds[i] as (typeof before.builds)[number];
      if (wasRunning.has(b.id)) {
        expect(old.status).toBe("RUNNING");
        expect(b).toMatchObject({ ...old, status: "FAILED", statusReason: "agent_lost", finishedAt: b.finishedAt });
      } else {
        expect(b).toEqual(old);
      }
    }
    expect(await processesWithArg(`300.${n}`)).toEqual([]);
    // And it runs new work.
    const next = await second.api.trigger(quick);
    await second.api.waitForStatus(next.id, "SUCCEEDED");
  }, 180_000);

  it.each(POSTGRES)("on $name, backup and restore say how to use pg_dump and touch nothing", async (db) => {
    const dir = tempDataDir("pg-backup", cleanups);
    const file = path.join(dir, "x.backup");
    for (const command of ["backup", "restore"]) {
      const run = await sluiceCommand([command, file], { DATABASE_URL: db.url as string, SLUICE_DATA_DIR: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/pg_dump --format=custom/);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

type Views = {
  builds: { id: number; status: string; statusReason: string | null; finishedAt: string | null }[];
  operations: unknown[];
  audit: unknown[];
};

/** What a user sees of the instance: every build, operation and audit entry of the project. */
async function views(api: Api): Promise<Views> {
  const builds = [];
  for (const pipeline of ["quick", "slow"]) {
    const r = await api.get(`/v1/projects/acme/pipelines/${pipeline}/builds?limit=100`);
    builds.push(...r.body.items);
  }
  builds.sort((a, b) => a.id - b.id);
  const operations = (await api.get("/v1/projects/acme/operations?limit=100")).body.items;
  const audit = (await api.get("/v1/projects/acme/audit?limit=100")).body.items;
  return { builds, operations, audit };
}
