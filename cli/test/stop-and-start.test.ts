/**
 * The engine process's edges: a graceful stop that ends whatever a step left behind within its
 * bound, and a data dir that cannot be used, named in the error.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processesWithArg, waitFor } from "../../engine/test/harness.ts";
import { runCleanups, startEngineProcess, tempDataDir } from "./stack.ts";

const asRoot = process.getuid?.() === 0;

describe("the engine process", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(() => runCleanups(cleanups));

  it("SIGTERM with an escaped child holding a step's output: it stops the jobs with their grace and exits, leaving nothing", async () => {
    const engine = await startEngineProcess({ SLUICE_AGENT_SLOTS: "2" }, cleanups);
    const n = String(crypto.randomInt(100_000, 999_999_999));
    const p = await engine.api.pipeline("acme", "escapes", {
      cancelGraceSeconds: 2,
      stages: [
        {
          name: "s",
          jobs: [{ name: "j", steps: [{ run: `setsid sh -c 'exec sleep 300.${n}' & trap '' TERM; sleep 301.${n}` }] }],
        },
      ],
    });
    await engine.api.trigger(p);
    await waitFor(async () => (await processesWithArg(`300.${n}`)).length === 1, { what: "the escaped child" });

    engine.child.kill("SIGTERM");
    const { code } = await engine.exited;
    expect(code).toBe(0);
    expect(engine.stderr()).toMatch(/SIGTERM: stopping \(at most \d+s\)/);
    expect(await processesWithArg(`300.${n}`)).toEqual([]);
    expect(await processesWithArg(`301.${n}`)).toEqual([]);
  });

  it("a data dir that cannot be used stops the start with its path and the reason", async () => {
    const parent = tempDataDir("baddir", cleanups);
    const file = path.join(parent, "a-file");
    fs.writeFileSync(file, "");
    const underFile = path.join(file, "data");
    await expect(startEngineProcess({ SLUICE_DATA_DIR: underFile }, cleanups)).rejects.toThrow(
      new RegExp(`Cannot use the data dir ${underFile}: a part of the path is not a directory`),
    );
  });

  it.runIf(asRoot)(
    "an immutable data dir is named with the reason, not only 'unable to open database file'",
    async () => {
      const dir = path.join(tempDataDir("immutable", cleanups), "data");
      fs.mkdirSync(dir, { mode: 0o700 });
      execFileSync("chattr", ["+i", dir]);
      cleanups.push(() => execFileSync("chattr", ["-i", dir]));
      await expect(startEngineProcess({ SLUICE_DATA_DIR: dir }, cleanups)).rejects.toThrow(
        new RegExp(`Cannot use the data dir ${dir}: permission denied`),
      );
    },
  );
});
