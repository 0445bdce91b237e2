/**
 * Containment: every process a job starts dies with the job — however it detached itself — on a
 * single cancel, a bulk cancel and a normal end, with the PID namespace and with the fallback
 * (the environment marker); the workspace goes and the slot is reused.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, processesWithArg, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const MECHANISMS = [
  { containment: "auto", mechanism: "pid-namespace" },
  { containment: "marker", mechanism: "env-marker" },
] as const;

const CASES = DATABASES.flatMap((db) => MECHANISMS.map((m) => ({ db, ...m })));

/**
 * A step that escapes its process group every way a shell offers, then waits (or exits). Each
 * process sleeps a duration unique to the build (`<n>.$NONCE`), so the test finds it by its
 * command line whatever it did to its environment or its group. The escaped `sh` keeps the step's
 * stdout open; one process ignores SIGTERM; in a namespace one even clears its environment (the
 * fallback's marker cannot find that one, the namespace can).
 */
function escapingPipeline(opts: { thenExit: boolean; clearsEnv: boolean; grace: number }) {
  const lines = [
    "setsid sleep 300.$NONCE &",
    "(sleep 301.$NONCE &) &",
    "nohup sleep 302.$NONCE >/dev/null 2>&1 & disown",
    "setsid sh -c 'exec sleep 303.$NONCE' &",
    "(trap '' TERM; exec sleep 304.$NONCE) &",
    ...(opts.clearsEnv ? ["env -i setsid sleep 305.$NONCE &"] : []),
    "echo started",
    opts.thenExit ? "exit 0" : "sleep 306.$NONCE",
  ];
  return {
    params: { NONCE: { description: "makes this build's processes unique" } },
    cancelGraceSeconds: opts.grace,
    stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: lines.join("\n") }] }] }],
  };
}

const GRACE = 5;
const newNonce = () => String(crypto.randomInt(100_000, 999_999_999));
const leftovers = (nonce: string) => processesWithArg(`.${nonce}`, { suffix: true });

describe.each(CASES)("containment ($mechanism) on $db.name", ({ db, containment, mechanism }) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  async function setUp(slots: number, opts: { thenExit: boolean }) {
    t = await startTestEngine({ db, slots, agent: { containment } });
    expect(t.agent?.containmentInfo?.mechanism).toBe(mechanism);
    return t.api.pipeline(
      "acme",
      "escape",
      escapingPipeline({ thenExit: opts.thenExit, clearsEnv: mechanism === "pid-namespace", grace: GRACE }),
    );
  }

  /** Every process started, then the build's lease for its workspace. */
  async function whenRunning(build: { id: number }, nonce: string): Promise<string> {
    await waitFor(async () => (await leftovers(nonce)).length >= (mechanism === "pid-namespace" ? 7 : 6), {
      what: "every escaping process started",
    });
    const { jobs } = await t.engine.ctx.store.jobs.forBuild({ buildId: build.id });
    return jobs[0]?.lease_id as string;
  }

  async function expectCleanStop(build: { id: number }, lease: string, nonce: string) {
    const done = await t.api.waitForStatus(build.id, "CANCELED");
    // Stopped by its agent, not force-finalized at the stop deadline, and within grace + 1 s
    // by the engine's own clock.
    expect(done.statusReason).toBeNull();
    expect(Date.parse(done.finishedAt) - Date.parse(done.cancel.at)).toBeLessThanOrEqual((GRACE + 1) * 1000);
    expect(await leftovers(nonce)).toEqual([]);
    expect(fs.existsSync(path.join(t.workDir, lease))).toBe(false);
    const log = (await t.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(log).toMatch(/stopping: canceled by admin.*SIGTERM, SIGKILL after 5.0s grace/);
    expect(log).toMatch(/stopped: every process ended [\d.]+s after SIGTERM/);
  }

  it("a single cancel ends every process a step detached, removes the workspace and gives the slot to the queued build", async () => {
    const p = await setUp(1, { thenExit: false });
    const nonce = newNonce();
    const build = await t.api.trigger(p, { params: { NONCE: nonce } });
    const queued = await t.api.trigger(p, { params: { NONCE: newNonce() } });
    const lease = await whenRunning(build, nonce);

    expect((await t.api.post(`/v1/builds/${build.id}/cancel`, { reason: "escape test" })).status).toBe(202);
    await expectCleanStop(build, lease, nonce);
    await waitFor(async () => (await t.api.build(queued.id)).status === "RUNNING", { what: "queued build runs" });
  });

  it("one bulk cancel ends every process of every build and the queued build takes a freed slot", async () => {
    const p = await setUp(3, { thenExit: false });
    const nonces = [newNonce(), newNonce(), newNonce()];
    const builds: { id: number }[] = [];
    for (const nonce of nonces) builds.push(await t.api.trigger(p, { params: { NONCE: nonce } }));
    const queued = await t.api.trigger(p, { params: { NONCE: newNonce() } });
    const leases: string[] = [];
    for (const [i, build] of builds.entries()) leases.push(await whenRunning(build, nonces[i] as string));

    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((b) => b.id) });
    expect(res.status).toBe(202);
    for (const [i, build] of builds.entries()) await expectCleanStop(build, leases[i] as string, nonces[i] as string);
    await waitFor(async () => (await t.api.build(queued.id)).status === "RUNNING", { what: "queued build runs" });
  });

  it("at a normal end, what the step left behind is killed and the workspace removed", async () => {
    const p = await setUp(1, { thenExit: true });
    const nonce = newNonce();
    const build = await t.api.trigger(p, { params: { NONCE: nonce } });
    const next = await t.api.trigger(p, { params: { NONCE: newNonce() } });
    const done = await t.api.waitForStatus(build.id, "SUCCEEDED");
    expect(done.jobs[0].status).toBe("SUCCEEDED");
    await waitFor(async () => (await t.api.build(next.id)).status === "SUCCEEDED", { what: "the next build ends" });
    // The sweep's SIGKILL may still be on its way to the last leftover (env-marker mode): the
    // leftovers are gone once it lands, with no time bound asserted beyond the wait's.
    await waitFor(async () => (await leftovers(nonce)).length === 0, { what: "no leftover of the step" });
    expect(await leftovers(nonce)).toEqual([]);
    expect(fs.readdirSync(t.workDir).filter((e) => e !== ".leases")).toEqual([]);
  });
});
