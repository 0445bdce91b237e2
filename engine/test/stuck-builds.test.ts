/**
 * Stuck builds end to end: a TERM-ignoring build on a standalone agent frozen with SIGSTOP stays
 * CANCELING past its grace period. The operation and its item say so (which agent, its last
 * contact, the deadline), `operation.stuck` reaches a real webhook receiver once, the
 * `sluice_stuck_builds` gauge counts it, and a forced cancel ends it at once — its processes go
 * as soon as the agent can hear again.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookSettings } from "../context.ts";
import { reportStuckOperations } from "../use-cases/operations/stuck.ts";
import { AgentProcess } from "./agent-process.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { sample } from "./prom-text.ts";
import { SimAgent } from "./sim-agent.ts";
import { WebhookReceiver } from "./webhook-receiver.ts";

const TOKEN = "stuck-metrics-token";
const FAST: Partial<WebhookSettings> = {
  allowPrivate: true,
  retryBaseMs: 20,
  retryMaxDelayMs: 200,
  ratePerMinute: 6000,
};

/** One job whose step ignores SIGTERM; the grace period is a second. */
const TERM_IGNORING = {
  cancelGraceSeconds: 1,
  stages: [{ name: "main", jobs: [{ name: "stubborn", steps: [{ run: "trap '' TERM; echo started; sleep 1000" }] }] }],
};

async function stuckGauge(t: TestEngine): Promise<number | undefined> {
  const res = await fetch(`${t.engine.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return sample(await res.text(), "sluice_stuck_builds");
}

describe.each(DATABASES)("stuck builds on $name", (db) => {
  let t: TestEngine | undefined;
  let agent: AgentProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await agent?.stop();
    await receiver?.stop();
    await t?.destroy();
    t = agent = receiver = undefined;
  });

  it("a TERM-ignoring build on a frozen agent is listed as stuck with its agent, said once by webhook and metric, and Force stop ends it", async () => {
    t = await startTestEngine({ db, slots: 0, metricsToken: TOKEN, settings: { webhooks: FAST } });
    const p = await t.api.pipeline("acme", "web", TERM_IGNORING);
    receiver = await new WebhookReceiver().start();
    const hook = await t.api.post("/v1/projects/acme/webhooks", {
      url: receiver.url,
      secret: "a-long-enough-webhook-secret",
      events: ["operation.stuck", "operation.completed"],
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    agent = await new AgentProcess(t, `frozen-${process.pid}-${db.name}`).start({ slots: 1 });
    const build = await t.api.trigger(p);
    await t.api.waitForStatus(build.id, "RUNNING");
    await waitFor(async () => (await agent!.processesOf(build.id)).length > 0, { what: "the step running" });
    expect(await stuckGauge(t)).toBe(0);

    agent.freeze();
    const op = (await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [build.id] })).body;
    const stuckOp = await waitFor(
      async () => {
        const body = (await t!.api.get(`/v1/operations/${op.id}`)).body;
        return body.stuck === 1 ? body : null;
      },
      { what: "the operation counting a stuck build" },
    );
    expect(stuckOp.status).toBe("running");
    const [item] = (await t.api.get(`/v1/operations/${op.id}/items`)).body.items;
    expect(item).toMatchObject({
      buildId: build.id,
      outcome: "pending",
      status: "CANCELING",
      stuck: { agent: agent.name, lastContactAt: expect.any(String), forceFinalizeAt: expect.any(String) },
    });
    expect(await stuckGauge(t)).toBe(1);

    const said = await waitFor(() => receiver!.ofEvent("operation.stuck")[0], { what: "operation.stuck delivered" });
    expect(said.json).toMatchObject({
      event: "operation.stuck",
      project: "acme",
      operation: { id: op.id, status: "running", total: 1, stuck: 1 },
    });
    // Said once: another sweep finds nothing new to say.
    expect(await reportStuckOperations(t.engine.ctx)).toBe(0);

    // Force stop: the build ends at once, while its agent is still frozen.
    const forced = await t.api.post(`/v1/builds/${build.id}/cancel`, { force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(202);
    expect((await t.api.build(build.id)).status).toBe("CANCELED");
    expect((await t.api.get(`/v1/operations/${op.id}`)).body).toMatchObject({ status: "completed", stuck: 0 });
    expect(await stuckGauge(t)).toBe(0);
    expect(await agent.processesOf(build.id)).not.toEqual([]);

    // The agent hears again: the forced build's processes go.
    agent.thaw();
    await waitFor(async () => (await agent!.processesOf(build.id)).length === 0, { what: "the step's processes gone" });

    // Every event before the operation's completion has been delivered: operation.stuck came once.
    await waitFor(() => receiver!.ofEvent("operation.completed").some((r) => r.json.operation.id === op.id), {
      what: "operation.completed delivered",
    });
    expect(receiver.ofEvent("operation.stuck")).toHaveLength(1);
    const events = (await t.api.get(`/v1/projects/acme/audit`)).body.items;
    expect(events[0]).toMatchObject({
      actor: "admin",
      action: "cancel",
      targets: 1,
      forced: true,
      build: { id: build.id },
    });
    expect(events[1]).toMatchObject({ actor: "admin", action: "cancel", forced: false, operationId: op.id });
  }, 120_000);

  it("an operation says it is stuck once, and says again (as progress) when more of its builds get stuck later", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sim = await new SimAgent(t.engine.channel, "deaf", { slots: 2, stopMode: "ignore" }).start();
    try {
      const quick = await t.api.pipeline("acme", "quick", sleepPipeline({ grace: 2 }));
      const patient = await t.api.pipeline("acme", "patient", sleepPipeline({ grace: 8 }));
      const builds = [await t.api.trigger(quick), await t.api.trigger(patient)];
      for (const b of builds) await t.api.waitForStatus(b.id, "RUNNING");
      const op = (await t.api.post("/v1/projects/acme/builds/batch-cancel", { buildIds: builds.map((b) => b.id) }))
        .body;
      await waitFor(() => sim.stopsReceived.length > 0, { what: "the stop orders delivered" });
      const events = async () =>
        (await t!.engine.ctx.store.events.read({ afterSeq: 0, filter: { operationId: op.id }, limit: 100 })).map(
          (e) => ({ seq: Number(e.seq), type: e.type, payload: JSON.parse(e.payload) }),
        );

      // Past the first grace period: one build is stuck, said once however often the sweep runs.
      const now = t.engine.ctx.now;
      t.engine.ctx.now = () => now() + 3_000;
      await reportStuckOperations(t.engine.ctx);
      expect(await reportStuckOperations(t.engine.ctx)).toBe(0);
      const first = (await events()).filter((e) => e.type === "operation.stuck");
      expect(first).toEqual([expect.objectContaining({ payload: expect.objectContaining({ stuck: 1 }) })]);

      // Past the second: both are, said as progress after it (the page reads the count again), never a second operation.stuck.
      t.engine.ctx.now = () => now() + 9_000;
      await waitFor(
        async () => (await events()).some((e) => e.type === "operation.progress" && e.seq > first[0]!.seq),
        {
          what: "progress said after the second build got stuck",
        },
      );
      expect(await reportStuckOperations(t.engine.ctx)).toBe(0);
      expect((await events()).filter((e) => e.type === "operation.stuck")).toHaveLength(1);
      expect((await t.api.get(`/v1/operations/${op.id}`)).body.stuck).toBe(2);
    } finally {
      await sim.stop();
    }
  });
});
