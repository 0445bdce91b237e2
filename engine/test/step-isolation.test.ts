/**
 * What a job can reach and what it can do to the agent: it cannot read the engine's environment
 * or data dir, a parameter cannot be code, a workspace nobody can delete does not take the agent
 * down, and a flood of output is kept to the log limit without growing the engine's memory.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const asRoot = process.getuid?.() === 0;

async function finished(t: TestEngine, id: number): Promise<any> {
  return waitFor(
    async () => {
      const b = await t.api.build(id);
      return ["SUCCEEDED", "FAILED", "CANCELED", "TIMED_OUT"].includes(b.status) ? b : null;
    },
    { what: `build ${id} finished`, timeoutMs: 60_000 },
  );
}

const oneStep = (run: string, extra: object = {}) => ({
  ...extra,
  stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run }] }] }],
});

describe.each(DATABASES)("step isolation on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("GET /v1/agents says how the agent contains jobs", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const res = await t.api.get("/v1/agents");
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: "local",
        slots: 1,
        containment: expect.objectContaining({
          mechanism: "pid-namespace",
          stepUser: asRoot ? "sluice-step" : expect.any(String),
        }),
      }),
    ]);
  });

  it("a step sees neither the engine's process and environment nor its data dir, and runs as the step user", async () => {
    const secret = `engine-secret-${crypto.randomBytes(8).toString("hex")}`;
    // The engine in this test runs in this process: a secret in its environment.
    process.env.SLUICE_TEST_ENGINE_SECRET = secret;
    try {
      t = await startTestEngine({ db, slots: 1 });
      const run = [
        "echo uid=$(id -u)",
        "echo processes=$(ls /proc | grep -c '^[0-9]')",
        'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f"; done 2>/dev/null | grep -c SLUICE_TEST_ENGINE_SECRET || true',
        "cat /proc/$PPID/environ 2>&1 | tr '\\0' '\\n' | head -5",
        'ls -a "$DATA" 2>&1',
        'cat "$DATA/admin-token" "$DATA/admin-password" "$DATA/sluice.db" 2>&1 | head -c 300',
        "echo end",
      ].join("\n");
      // The data dir's path is no secret: the pipeline hands it to the step to try.
      const p = await t.api.pipeline("acme", "snoop", {
        stages: [{ name: "s", jobs: [{ name: "j", env: { DATA: t.dataDir }, steps: [{ run }] }] }],
      });
      const build = await t.api.trigger(p);
      expect((await finished(t, build.id)).status).toBe("SUCCEEDED");
      const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
      expect(log).toContain("end");
      expect(log).not.toContain(secret);
      expect(log).not.toContain("test-admin-token");
      expect(log).not.toContain("test-admin-password");
      expect(log).not.toContain("SQLite format");
      expect(log).toMatch(/data: Permission denied|cannot open directory/);
      // Its own /proc: the init, the step's shell and what it runs, nothing of the host.
      const processes = Number(/processes=(\d+)/.exec(log)?.[1]);
      expect(processes).toBeGreaterThan(0);
      expect(processes).toBeLessThan(10);
      if (asRoot) expect(log).not.toContain("uid=0\n");
    } finally {
      delete process.env.SLUICE_TEST_ENGINE_SECRET;
    }
  });

  it("a parameter must be declared and may not be a name the shell, loader or Sluice reads; nothing is triggered otherwise", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline(
      "acme",
      "params",
      oneStep('echo "greeting=$GREETING mode=$MODE path=$PATH"', {
        params: { GREETING: { default: "hello" }, MODE: { options: ["fast", "slow"] } },
      }),
    );
    const before = await t.api.get(`${p}/builds/counts`);

    for (const params of [{ BASH_ENV: "$(touch /tmp/pwned)" }, { PATH: "/tmp/evil" }, { UNDECLARED: "x" }]) {
      const res = await t.api.post(`${p}/builds`, { params });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_input");
      expect(res.body.error.message).toContain(Object.keys(params)[0]);
    }
    const badOption = await t.api.post(`${p}/builds`, { params: { MODE: "medium" } });
    expect(badOption.status).toBe(400);
    expect(badOption.body.error.message).toContain("MODE");
    expect((await t.api.get(`${p}/builds/counts`)).body).toEqual(before.body);

    for (const name of ["BASH_ENV", "PATH", "LD_PRELOAD", "SLUICE_LEASE_ID", "ps4", "NODE_OPTIONS", "GLIBC_TUNABLES"]) {
      const res = await t.api.put(`/v1/projects/acme/pipelines/bad-${name.toLowerCase().replace(/_/g, "-")}`, {
        params: { [name]: {} },
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
      });
      expect(res.status, name).toBe(400);
      expect(res.body.error.code).toBe("invalid_pipeline");
      expect(res.body.error.message).toContain(name);
    }
    const undeclaredInGroup = await t.api.put("/v1/projects/acme/pipelines/grouped", {
      concurrency: { group: "${{ params.TARGET }}" },
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    expect(undeclaredInGroup.status).toBe(400);
    expect(undeclaredInGroup.body.error.message).toContain("params.TARGET");

    const build = await t.api.trigger(p, { params: { MODE: "fast" } });
    expect((await finished(t, build.id)).status).toBe("SUCCEEDED");
    expect((await t.api.build(build.id)).params).toEqual({ GREETING: "hello", MODE: "fast" });
    const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(log).toContain(`greeting=hello mode=fast path=${process.env.PATH}`);
  });

  it.runIf(asRoot)(
    "a workspace nobody can delete leaves the engine up, is reported on the build's log, and frees the slot",
    async () => {
      t = await startTestEngine({ db, slots: 1 });
      const p = await t.api.pipeline(
        "acme",
        "sticky",
        oneStep("mkdir -p deep/er && touch deep/er/keep && echo started && sleep 300", { cancelGraceSeconds: 2 }),
      );
      const build = await t.api.trigger(p);
      const next = await t.api.trigger(p);
      await waitFor(async () => ((await t.api.get(`/v1/builds/${build.id}/log`)).body as string).includes("started"), {
        what: "started",
      });
      const { jobs } = await t.engine.ctx.store.jobs.forBuild({ buildId: build.id });
      const keep = path.join(t.workDir, jobs[0]?.lease_id as string, "deep/er/keep");
      execFileSync("chattr", ["+i", keep]);
      try {
        expect((await t.api.post(`/v1/builds/${build.id}/cancel`, {})).status).toBe(202);
        expect((await finished(t, build.id)).status).toBe("CANCELED");
        await waitFor(async () => (await t.api.build(next.id)).status === "RUNNING", { what: "the slot is reused" });
        expect((await fetch(`${t.engine.url}/healthz`)).status).toBe(200);
        const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
        expect(log).toMatch(/workspace not removed: could not remove .*deep\/er\/keep: [A-Z]+/);
      } finally {
        execFileSync("chattr", ["-i", keep]);
      }
    },
  );

  it("output with NUL bytes is kept on both databases, each NUL shown as U+FFFD", async () => {
    t = await startTestEngine({ db, slots: 1 });
    const p = await t.api.pipeline("acme", "nul", oneStep("printf 'before\\0after\\n'; echo next-line"));
    const build = await finished(t, (await t.api.trigger(p)).id);
    expect(build.status).toBe("SUCCEEDED");
    const text = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(text).toContain("before\uFFFDafter\n");
    expect(text).toContain("next-line");
  });

  it("a 100 MiB flood is kept to the log limit, says how much was dropped, and the engine's memory stays bounded while /healthz answers", async () => {
    const limit = 2 ** 20;
    t = await startTestEngine({ db, slots: 1, settings: { logMaxBytes: limit } });
    const p = await t.api.pipeline(
      "acme",
      "flood",
      oneStep("head -c 104857600 /dev/zero | tr '\\0' x; echo; echo after-the-flood"),
    );
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let healthy = 0;
    const build = await t.api.trigger(p);
    await waitFor(
      async () => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if ((await fetch(`${t.engine.url}/healthz`)).ok) healthy++;
        return ["SUCCEEDED", "FAILED"].includes((await t.api.build(build.id)).status);
      },
      { what: "the flood to end", timeoutMs: 120_000 },
    );
    expect((await t.api.build(build.id)).status).toBe("SUCCEEDED");
    expect(healthy).toBeGreaterThan(0);
    const page = (await t.api.get(`/v1/builds/${build.id}/log?format=json`)).body;
    const stored = page.chunks
      .filter((c: any) => c.stream !== "system")
      .reduce((n: number, c: any) => n + Buffer.byteLength(c.text), 0);
    expect(stored).toBeLessThanOrEqual(limit);
    expect(stored).toBeGreaterThan(limit / 2);
    expect(page.droppedBytes).toBeGreaterThanOrEqual(100 * 2 ** 20 - limit);
    const text = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(text.includes("output limit of 1 MiB reached")).toBe(true);
    expect(/log truncated: 99(\.\d)? MiB of output dropped/.test(text)).toBe(true);
    // Before the limit and the backpressure, the engine held all 100 MiB (RSS near 1 GiB).
    expect(peak - baseline).toBeLessThan(150 * 2 ** 20);
  });
});
