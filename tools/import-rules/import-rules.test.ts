/**
 * The import rules (`.dependency-cruiser.cjs`, run by `npm run lint`) catch what they promise:
 * the fixture breaks each rule once, and the cruiser names exactly those breaks.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const fixture = path.join(import.meta.dirname, "fixture");

function depcruise(cwd: string, args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const bin = path.join(root, "node_modules/.bin/depcruise");
  const config = ["--config", path.join(root, ".dependency-cruiser.cjs")];
  return promisify(execFile)(bin, [...config, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ stdout: r.stdout, exitCode: 0 }),
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, exitCode: err.code }),
  );
}

/** The breaks the cruiser names, and the exit code of the run `npm run lint` makes (its default report). */
async function violations(cwd: string, paths: string[]): Promise<{ exitCode: number; found: string[] }> {
  const report = JSON.parse((await depcruise(cwd, ["--output-type", "json", ...paths])).stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] };
  };
  return {
    exitCode: (await depcruise(cwd, paths)).exitCode,
    found: report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort(),
  };
}

describe("the import rules", () => {
  it("fail the lint on a cycle, a layer reached upward, an adapter importing another, and product code importing a benchmark", async () => {
    const { exitCode, found } = await violations(fixture, ["common", "engine", "bench", "bff", "web"]);
    expect(exitCode).not.toBe(0);
    expect(found).toEqual(
      [
        "no-circular: common/a.ts -> common/b.ts",
        "bff imports only common: bff/client.ts -> engine/store/store.ts",
        "engine imports only common: engine/store/store.ts -> bench/lib.ts",
        "product-not-to-tests: engine/store/store.ts -> bench/lib.ts",
        "engine: scheduler imports only below it: engine/scheduler/sweeper.ts -> engine/agents/channel.ts",
        "engine: use-cases imports only below it: engine/use-cases/cancel/cancel.ts -> engine/api/routes.ts",
        "use-cases: operations imports only below it: engine/use-cases/operations/selection.ts -> engine/use-cases/cancel/cancel.ts",
        "web features do not import each other: web/src/features/history/history.tsx -> web/src/features/audit/audit-log.tsx",
        "web: lib imports only below it: web/src/lib/format.ts -> web/src/features/history/history.tsx",
      ].sort(),
    );
  });

  it("pass on the project itself", async () => {
    const { exitCode, found } = await violations(root, ["common", "engine", "agent", "bff", "cli", "web/src"]);
    expect(found).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
