import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { INIT_SCRIPT } from "./scripts.ts";

const run = promisify(execFile);

/** The namespace's init run as bash runs it there, on `step`: its exit code. */
async function initExit(step: string): Promise<number> {
  try {
    await run("bash", ["-c", INIT_SCRIPT, "sluice-init", step]);
    return 0;
  } catch (err) {
    return (err as { code: number }).code;
  }
}

describe("the PID namespace's init", () => {
  it("passes on the step's exit status however fast the step ends (200 quick exits)", async () => {
    // Before the fix, bash reaped a quick step before the init looked for it and the init said 0.
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push(await initExit("exit 3"));
    expect(codes.filter((c) => c !== 3)).toEqual([]);
  });

  it("passes on success and a slower step's status", async () => {
    expect(await initExit("true")).toBe(0);
    expect(await initExit("sleep 0.2; exit 7")).toBe(7);
  });
});
