/**
 * `GET /metrics`: Prometheus' text format, guarded by the metrics token (off without one), with figures that follow
 * what the engine does — triggers, a bulk cancel and its stops, the queue, agents, streams, the
 * outbox and the database.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collectEvents, DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { sample } from "./prom-text.ts";
import { SimAgent } from "./sim-agent.ts";

const TOKEN = "scrape-token-for-tests";

/** Every metric the README documents. */
const DOCUMENTED = [
  "sluice_builds",
  "sluice_builds_triggered_total",
  "sluice_cancel_operations_total",
  "sluice_builds_canceled_total",
  "sluice_bulk_accept_duration_seconds",
  "sluice_bulk_operation_size_builds",
  "sluice_bulk_settle_duration_seconds",
  "sluice_stop_latency_seconds",
  "sluice_queue_depth",
  "sluice_canceling_oldest_seconds",
  "sluice_queue_oldest_wait_seconds",
  "sluice_queue_wait_seconds",
  "sluice_agents_connected",
  "sluice_agent_slots",
  "sluice_stop_deadline_force_finalized_total",
  "sluice_stuck_builds",
  "sluice_event_streams_open",
  "sluice_outbox_lag_events",
  "sluice_outbox_newest_seq",
  "sluice_db_query_duration_seconds",
  "sluice_webhook_request_duration_seconds",
  "process_cpu_user_seconds_total",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
];

/** `token: null` scrapes without one. */
async function scrape(t: TestEngine, token: string | null = TOKEN) {
  const res = await fetch(`${t.engine.url}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

describe.each(DATABASES)("metrics on $name", (db) => {
  let t: TestEngine | undefined;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
    t = undefined;
  });

  it("answers in Prometheus' text format with every documented metric, and only with the metrics token", async () => {
    t = await startTestEngine({ db, slots: 1, metricsToken: TOKEN });
    expect((await scrape(t, null)).status).toBe(401);
    const wrong = await scrape(t, "not-the-token");
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text).error.code).toBe("invalid_token");
    // A user's API token is not a metrics token.
    expect((await scrape(t, t.engine.adminToken)).status).toBe(401);

    const ok = await scrape(t);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of DOCUMENTED) expect(ok.text, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
  });

  it("without SLUICE_METRICS_TOKEN /metrics is off: 403 metrics_token_required, with or without a token, naming nothing", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("secret-project", "hidden-pipeline", sleepPipeline());
    for (const token of [null, "anything", t.engine.adminToken]) {
      const res = await scrape(t, token);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error.code).toBe("metrics_token_required");
      expect(res.text).not.toMatch(/secret-project|hidden-pipeline|sluice_/);
    }
  });

  it("figures follow triggers, a bulk cancel of running and queued builds, its stops, the queue, agents and streams", async () => {
    t = await startTestEngine({ db, slots: 2, metricsToken: TOKEN });
    const p = await t.api.pipeline("acme", "app", sleepPipeline({ seconds: 300, grace: 1 }));
    const builds: { id: number }[] = [];
    for (let i = 0; i < 4; i++) builds.push(await t.api.trigger(p));
    await waitFor(async () => (await t!.processesOf(builds[1]!.id)).length > 0, { what: "two builds running" });

    const before = (await scrape(t)).text;
    expect(sample(before, "sluice_builds_triggered_total", { source: "api" })).toBe(4);
    expect(sample(before, "sluice_builds", { project: "acme", pipeline: "app", status: "RUNNING" })).toBe(2);
    expect(sample(before, "sluice_queue_depth")).toBe(2);
    expect(sample(before, "sluice_queue_oldest_wait_seconds")).toBeGreaterThan(0);
    expect(sample(before, "sluice_queue_wait_seconds_count")).toBe(2);
    expect(sample(before, "sluice_agents_connected")).toBe(1);
    expect(sample(before, "sluice_agent_slots", { state: "busy" })).toBe(2);
    expect(sample(before, "sluice_agent_slots", { state: "free" })).toBe(0);
    expect(sample(before, "sluice_db_query_duration_seconds_count", { statement: "select" })).toBeGreaterThan(0);

    let streamsOpen: number | undefined;
    let operationId = "";
    await collectEvents(t.api, "project=acme", {
      onOpen: async () => {
        streamsOpen = sample((await scrape(t!)).text, "sluice_event_streams_open");
        const op = await t!.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED", "RUNNING"] } });
        operationId = op.body.id;
      },
      until: (events) => events.some((e) => e.event === "operation.completed"),
    });
    expect(streamsOpen).toBe(1);

    const after = await waitFor(async () => {
      const text = (await scrape(t!)).text;
      return sample(text, "sluice_event_streams_open") === 0 && sample(text, "sluice_outbox_lag_events") === 0
        ? text
        : undefined;
    });
    expect(operationId).not.toBe("");
    expect(sample(after, "sluice_cancel_operations_total", { source: "api" })).toBe(1);
    expect(sample(after, "sluice_builds_canceled_total", { source: "api" })).toBe(4);
    expect(sample(after, "sluice_bulk_accept_duration_seconds_count", { source: "api" })).toBe(1);
    expect(sample(after, "sluice_bulk_operation_size_builds_sum", { source: "api" })).toBe(4);
    expect(sample(after, "sluice_bulk_settle_duration_seconds_count", { source: "api" })).toBe(1);
    expect(sample(after, "sluice_stop_latency_seconds_count")).toBe(2);
    expect(sample(after, "sluice_builds", { project: "acme", pipeline: "app", status: "CANCELED" })).toBe(4);
    expect(sample(after, "sluice_builds", { project: "acme", pipeline: "app", status: "RUNNING" })).toBe(0);
    expect(sample(after, "sluice_queue_depth")).toBe(0);
    expect(sample(after, "sluice_queue_oldest_wait_seconds")).toBe(0);
    expect(sample(after, "sluice_agent_slots", { state: "free" })).toBe(2);
    expect(sample(after, "sluice_outbox_newest_seq")).toBe(await t.engine.ctx.store.events.lastSeq());
    expect(sample(after, "sluice_stop_deadline_force_finalized_total")).toBe(0);
  });

  it("counts builds force-finalized at the stop deadline", async () => {
    t = await startTestEngine({ db, slots: 0, metricsToken: TOKEN, settings: { stopAckTimeoutSeconds: 2 } });
    const silent = await new SimAgent(t.engine.channel, "silent", { slots: 2, stopMode: "ignore" }).start();
    agents.push(silent);
    const p = await t.api.pipeline("acme", "silent", sleepPipeline({ grace: 0 }));
    const builds = [await t.api.trigger(p), await t.api.trigger(p)];
    await waitFor(() => silent.leases.size === 2, { what: "two leases" });
    await t.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((b) => b.id) });
    // Until the deadline, the builds wait in CANCELING: the alert's gauge sees them.
    await waitFor(async () => (sample((await scrape(t!)).text, "sluice_canceling_oldest_seconds") ?? 0) > 0, {
      what: "builds canceling",
    });
    await waitFor(async () => sample((await scrape(t!)).text, "sluice_stop_deadline_force_finalized_total") === 2, {
      what: "two force-finalizations counted",
    });
    const after = (await scrape(t)).text;
    expect(sample(after, "sluice_stop_latency_seconds_count")).toBe(0);
    expect(sample(after, "sluice_canceling_oldest_seconds")).toBe(0);
  });
});
