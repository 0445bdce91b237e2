/**
 * Webhooks end to end: a real engine on a real database delivering to a real HTTP receiver on a
 * free port — signatures a receiver can check, retries with the attempts recorded, restarts,
 * batching and the rate limit under a 10,000-build cancel, disabling, and where requests may go.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookDeliveryDetail } from "../../common/webhooks.ts";
import type { WebhookSettings } from "../context.ts";
import { pruneEvents } from "../scheduler/sweeper.ts";
import { dispatchWebhooks } from "../webhooks/dispatcher.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";
import { verifySluiceSignature, WebhookReceiver } from "./webhook-receiver.ts";

const SECRET = "a-long-enough-webhook-secret";

/** Fast retries for tests; private addresses allowed (the receiver is on 127.0.0.1). */
const FAST: Partial<WebhookSettings> = {
  allowPrivate: true,
  retryBaseMs: 20,
  retryMaxDelayMs: 200,
  ratePerMinute: 6000,
};

describe.each(DATABASES)("webhooks on $name", (db) => {
  let t: TestEngine | undefined;
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
    for (const r of receivers.splice(0)) await r.stop();
  });

  async function receiver(): Promise<WebhookReceiver> {
    const r = await new WebhookReceiver().start();
    receivers.push(r);
    return r;
  }

  async function createHook(
    engine: TestEngine,
    project: string,
    body: { url: string; events: string[]; secret?: string },
  ): Promise<any> {
    const r = await engine.api.post(`/v1/projects/${project}/webhooks`, { secret: SECRET, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }

  const delivery = async (engine: TestEngine, project: string, hookId: number, id: number) =>
    (await engine.api.get(`/v1/projects/${project}/webhooks/${hookId}/deliveries/${id}`)).body as WebhookDeliveryDetail;

  it("a bulk cancel is delivered signed as documented: the receiver checks the signature over the raw body", async () => {
    t = await startTestEngine({ db, slots: 2, settings: { webhooks: FAST } });
    const r = await receiver();
    const p = await t.api.pipeline("acme", "app", sleepPipeline({ seconds: 300, grace: 1 }));
    const hook = await createHook(t, "acme", { url: r.url, events: ["operation.completed", "build.canceled"] });
    expect(hook).toMatchObject({ url: r.url, active: true, secretSet: true, disabledReason: null });
    expect(JSON.stringify(hook)).not.toContain(SECRET);

    const builds = [await t.api.trigger(p), await t.api.trigger(p), await t.api.trigger(p)];
    await waitFor(async () => (await t!.api.build(builds[1].id)).status === "RUNNING", { what: "two running" });
    const op = (await t.api.post(`${p}/builds/batch-cancel`, { buildIds: builds.map((b) => b.id), reason: "bad push" }))
      .body;

    await waitFor(() => r.ofEvent("operation.completed").length === 1, { what: "operation.completed delivered" });
    const completed = r.ofEvent("operation.completed")[0]!;
    expect(completed.headers["content-type"]).toBe("application/json");
    expect(completed.headers["user-agent"]).toMatch(/^Sluice-Hookshot\//);
    expect(completed.headers["x-sluice-hook-id"]).toBe(String(hook.id));
    expect(completed.headers["x-sluice-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(completed.headers["x-sluice-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySluiceSignature(SECRET, completed.body, completed.headers["x-sluice-signature-256"] as string)).toBe(
      true,
    );
    // The recipe fails on a wrong secret or a changed body.
    expect(
      verifySluiceSignature(`${SECRET}x`, completed.body, completed.headers["x-sluice-signature-256"] as string),
    ).toBe(false);
    expect(
      verifySluiceSignature(SECRET, `${completed.body} `, completed.headers["x-sluice-signature-256"] as string),
    ).toBe(false);
    expect(completed.json).toMatchObject({
      event: "operation.completed",
      project: "acme",
      operation: {
        id: op.id,
        status: "completed",
        source: "api",
        reason: "bad push",
        total: 3,
        counts: { canceled: 3 },
      },
    });

    // Canceled builds arrive batched, each once, every request signed.
    await waitFor(() => r.ofEvent("build.canceled").flatMap((x) => x.json.builds).length === 3, {
      what: "three canceled builds delivered",
    });
    const canceled = r.ofEvent("build.canceled").flatMap((x) => x.json.builds);
    expect(canceled.map((b: any) => b.id).sort()).toEqual(builds.map((b) => b.id).sort());
    expect(canceled[0]).toMatchObject({ pipeline: "app", status: "CANCELED", reason: "bad push", operationId: op.id });
    for (const req of r.requests) {
      expect(verifySluiceSignature(SECRET, req.body, req.headers["x-sluice-signature-256"] as string)).toBe(true);
    }

    // The engine records a delivery once the receiver's answer is back: a moment after the receiver saw it.
    const log = await waitFor(
      async () => {
        const body = (await t!.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries`)).body;
        return body.items.every((d: any) => d.status === "delivered") ? body : null;
      },
      { what: "every delivery recorded as delivered" },
    );
    expect(log.items.find((d: any) => d.event === "operation.completed")).toMatchObject({
      attempts: 1,
      responseStatus: 200,
      guid: completed.headers["x-sluice-delivery"],
    });
  });

  it("a project-wide cancel across pipelines is one operation.completed; its builds arrive with their pipelines", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    const a = await t.api.pipeline("acme", "api", sleepPipeline());
    const b = await t.api.pipeline("acme", "web", sleepPipeline());
    await createHook(t, "acme", { url: r.url, events: ["operation.completed", "build.finished"] });
    const builds = [await t.api.trigger(a), await t.api.trigger(b), await t.api.trigger(b)];
    const op = (await t.api.post("/v1/projects/acme/builds/batch-cancel", { filter: { status: ["QUEUED"] } })).body;
    expect(op).toMatchObject({ total: 3, pipeline: null });
    await waitFor(() => r.ofEvent("operation.completed").length === 1, { what: "operation.completed" });
    expect(r.ofEvent("operation.completed")[0]?.json).toMatchObject({
      project: "acme",
      operation: { id: op.id, pipeline: null, counts: { canceled: 3 } },
    });
    const finished = r.ofEvent("build.finished").flatMap((x) => x.json.builds);
    expect(finished.map((x: any) => [x.id, x.pipeline])).toEqual(builds.map((x, i) => [x.id, i === 0 ? "api" : "web"]));
    // The builds were reported before the operation that canceled them.
    expect(r.requests.at(-1)?.headers["x-sluice-event"]).toBe("operation.completed");
  });

  it("a receiver that fails three times then succeeds gets the delivery; the log records every attempt", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    r.respond = (_req, i) => (i < 3 ? 500 : 200);
    await t.api.pipeline("acme", "app", sleepPipeline());
    const hook = await createHook(t, "acme", { url: r.url, events: ["operation.completed"] });
    const ping = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    expect(ping).toMatchObject({ event: "ping", status: "pending" });

    await waitFor(async () => (await delivery(t!, "acme", hook.id, ping.id)).status === "delivered", {
      what: "delivered after retries",
    });
    const detail = await delivery(t, "acme", hook.id, ping.id);
    expect(detail.attempts).toBe(4);
    expect(detail.attemptLog.map((a) => a.responseStatus)).toEqual([500, 500, 500, 200]);
    expect(detail.attemptLog.map((a) => a.error)).toEqual(["HTTP 500", "HTTP 500", "HTTP 500", null]);
    expect(detail.attemptLog[0]?.responseBody).toBe("not now");
    // Every retry is the same delivery: one X-Sluice-Delivery, one body.
    expect(new Set(r.requests.map((x) => x.headers["x-sluice-delivery"]))).toEqual(new Set([ping.guid]));
    expect(new Set(r.requests.map((x) => x.body)).size).toBe(1);
    // The endpoint answered in the end: it is not failing any more.
    expect((await t.api.get(`/v1/projects/acme/webhooks/${hook.id}`)).body).toMatchObject({
      failingSince: null,
      lastDelivery: { id: ping.id, status: "delivered" },
    });
  });

  it("an engine restart in the middle of retrying still delivers, once", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    let up = false;
    r.respond = () => (up ? 200 : 503);
    await t.api.pipeline("acme", "app", sleepPipeline());
    const hook = await createHook(t, "acme", { url: r.url, events: ["operation.completed"] });
    const ping = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    await waitFor(async () => (await delivery(t!, "acme", hook.id, ping.id)).attempts >= 2, {
      what: "two failed attempts",
    });

    t = await t.restart({ slots: 0 });
    const before = (await delivery(t, "acme", hook.id, ping.id)).attempts;
    expect((await delivery(t, "acme", hook.id, ping.id)).status).toBe("pending");
    up = true;
    await waitFor(async () => (await delivery(t!, "acme", hook.id, ping.id)).status === "delivered", {
      what: "delivered by the restarted engine",
    });
    const detail = await delivery(t, "acme", hook.id, ping.id);
    expect(detail.attempts).toBeGreaterThan(before);
    expect(detail.attemptLog.at(-1)?.responseStatus).toBe(200);
    expect(r.requests.filter((x) => x.headers["x-sluice-event"] === "ping").length).toBe(detail.attempts);
  });

  it("events written just before a restart are delivered once: the outbox cursor is durable", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    const p = await t.api.pipeline("acme", "app", sleepPipeline());
    await createHook(t, "acme", { url: r.url, events: ["operation.completed"] });
    // The dispatcher is stopped: the cancels' events wait in the outbox when the engine goes down.
    await t.engine.webhooks.dispatcher.stop();
    const ops: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await t.api.trigger(p);
      ops.push((await t.api.post(`/v1/builds/${b.id}/cancel`, {})).body.id);
    }
    t = await t.restart({ slots: 0 });
    await waitFor(() => r.ofEvent("operation.completed").length >= 3, { what: "three operations delivered" });
    // A later event proves the dispatcher went past them without sending any twice.
    const b = await t.api.trigger(p);
    const last = (await t.api.post(`/v1/builds/${b.id}/cancel`, {})).body.id;
    await waitFor(() => r.ofEvent("operation.completed").some((x) => x.json.operation.id === last), {
      what: "the later operation",
    });
    const delivered = r.ofEvent("operation.completed").map((x) => x.json.operation.id);
    expect(delivered.sort()).toEqual([...ops, last].sort());
  });

  it("outbox events past their retention are kept until the webhook dispatcher has passed them", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST, eventRetentionHours: 0.0001 } });
    const r = await receiver();
    const p = await t.api.pipeline("acme", "app", sleepPipeline());
    await createHook(t, "acme", { url: r.url, events: ["operation.completed"] });
    await t.engine.webhooks.dispatcher.stop();
    const b = await t.api.trigger(p);
    const op = (await t.api.post(`/v1/builds/${b.id}/cancel`, {})).body;
    const store = t.engine.ctx.store;
    const newest = await store.events.lastSeq();
    // Past the retention (0.36 s), the sweeper and this call would delete them — but for the cursor.
    await waitFor(() => Date.now() - Date.parse(op.createdAt) > 1000, { what: "the retention to pass" });
    expect(await pruneEvents(t.engine.ctx)).toBe(0);
    expect((await store.events.read({ afterSeq: 0, filter: {}, limit: 100 })).at(-1)?.seq).toBe(newest);

    while ((await dispatchWebhooks(t.engine.ctx)) > 0);
    await waitFor(() => r.ofEvent("operation.completed").length === 1, { what: "delivered" });
    await waitFor(
      async () => {
        await pruneEvents(t!.engine.ctx);
        return (await store.events.read({ afterSeq: 0, filter: {}, limit: 100 })).length === 0;
      },
      { what: "pruned once passed" },
    );
  });

  it("a 10,000-build cancel makes one operation.completed and a few batches, sent no faster than the rate, in a constant number of statements", async () => {
    const rate = { ratePerMinute: 600, batchSize: 1000 };
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: { ...FAST, ...rate } } });
    const r = await receiver();
    const p = await t.api.pipeline("acme", "big", sleepPipeline());
    const ids = await seedBuilds(t, p, 10_000, { status: () => "QUEUED" });
    const hook = await createHook(t, "acme", { url: r.url, events: ["operation.completed", "build.canceled"] });
    await t.engine.webhooks.dispatcher.stop();

    const op = (await t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED"] } })).body;
    expect(op).toMatchObject({ total: 10_000, status: "completed" });
    // The fan-out of 10,001 events (10,000 builds and the operation): three chunks of at most
    // 5,000 events, each a fixed handful of statements (not one per build), then "caught up".
    const steps: { events: number; statements: number }[] = [];
    for (;;) {
      const step = await t.engine.ctx.store.countStatements(() => dispatchWebhooks(t!.engine.ctx));
      steps.push({ events: step.result, statements: step.statements });
      if (step.result === 0) break;
    }
    expect(steps.map((s) => s.events)).toEqual([5000, 5000, 1, 0]);
    for (const step of steps) expect(step.statements).toBeLessThanOrEqual(11);

    await waitFor(() => r.ofEvent("build.canceled").reduce((n, x) => n + x.json.builds.length, 0) >= 10_000, {
      what: "10,000 canceled builds delivered",
      timeoutMs: 60_000,
    });
    await waitFor(() => r.ofEvent("operation.completed").length === 1, { what: "operation.completed" });
    const batches = r.ofEvent("build.canceled");
    const delivered = batches.flatMap((x) => x.json.builds.map((b: any) => b.id));
    expect(new Set(delivered).size).toBe(10_000);
    expect(delivered.length).toBe(10_000);
    expect(new Set(delivered)).toEqual(new Set(ids));
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(r.ofEvent("operation.completed")[0]?.json.operation).toMatchObject({
      id: op.id,
      counts: { canceled: 10_000 },
    });
    expect(r.requests.length).toBe(batches.length + 1);

    // The rate limit, from the engine's own record: attempts start at least 60/rate apart.
    const log = (await t.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries?limit=200`)).body.items;
    const starts: number[] = [];
    for (const d of log) {
      const detail = await delivery(t, "acme", hook.id, d.id);
      starts.push(...detail.attemptLog.map((a) => Date.parse(a.startedAt)));
    }
    starts.sort((a, b) => a - b);
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60_000 / rate.ratePerMinute);
  });

  it("an endpoint failing for longer than the disable period is switched off and says so; enabling it clears that", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: { ...FAST, disableAfterMs: 300 } } });
    const r = await receiver();
    r.respond = () => 500;
    await t.api.pipeline("acme", "app", sleepPipeline());
    const hook = await createHook(t, "acme", { url: r.url, events: ["operation.completed"] });
    const ping = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;

    const disabled = await waitFor(
      async () => {
        const h = (await t!.api.get(`/v1/projects/acme/webhooks/${hook.id}`)).body;
        return h.disabledReason === "failing" ? h : undefined;
      },
      { what: "disabled" },
    );
    expect(disabled).toMatchObject({ active: false, disabledReason: "failing" });
    expect(Date.parse(disabled.disabledAt) - Date.parse(disabled.failingSince)).toBeGreaterThanOrEqual(300);
    expect(await delivery(t, "acme", hook.id, ping.id)).toMatchObject({ status: "failed", error: "webhook_disabled" });
    const sent = r.requests.length;
    expect((await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body.error.code).toBe("webhook_disabled");

    r.respond = () => 200;
    const enabled = (await t.api.request("PATCH", `/v1/projects/acme/webhooks/${hook.id}`, { active: true })).body;
    expect(enabled).toMatchObject({ active: true, disabledReason: null, failingSince: null });
    const again = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    await waitFor(async () => (await delivery(t!, "acme", hook.id, again.id)).status === "delivered", {
      what: "delivered once enabled",
    });
    expect(r.requests.length).toBe(sent + 1);
  });

  it("redelivery sends the same body under a new delivery id", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    await t.api.pipeline("acme", "app", sleepPipeline());
    const hook = await createHook(t, "acme", { url: r.url, events: ["build.finished"] });
    const ping = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    await waitFor(() => r.requests.length === 1, { what: "ping" });
    const redelivery = await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/deliveries/${ping.id}/redeliver`);
    expect(redelivery.status).toBe(202);
    expect(redelivery.body).toMatchObject({ event: "ping", redeliveryOf: ping.id, status: "pending" });
    await waitFor(() => r.requests.length === 2, { what: "redelivered" });
    const [first, second] = r.requests;
    expect(second?.body).toBe(first?.body);
    expect(second?.headers["x-sluice-delivery"]).toBe(redelivery.body.guid);
    expect(second?.headers["x-sluice-delivery"]).not.toBe(first?.headers["x-sluice-delivery"]);
    expect(verifySluiceSignature(SECRET, second!.body, second!.headers["x-sluice-signature-256"] as string)).toBe(true);
  });

  it("only maintainers manage webhooks; the secret is never shown; bad requests change nothing", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: FAST } });
    const r = await receiver();
    await t.api.pipeline("acme", "app", sleepPipeline());
    await t.api.pipeline("other", "app", sleepPipeline());
    for (const [user, role] of [
      ["maya", "maintainer"],
      ["dev", "developer"],
      ["val", "viewer"],
    ] as const) {
      expect((await t.api.post("/v1/users", { username: user, password: `${user}-password-1` })).status).toBe(201);
      expect((await t.api.request("PUT", `/v1/projects/acme/members/${user}`, { role })).status).toBe(200);
    }
    const as = async (user: string) => {
      const session = await t!.api.post("/v1/sessions", { username: user, password: `${user}-password-1` });
      return t!.api.as(session.body.token);
    };
    const maya = await as("maya");
    const created = await maya.post("/v1/projects/acme/webhooks", {
      url: r.url,
      secret: SECRET,
      events: ["build.finished"],
    });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe("maya");
    const list = await maya.get("/v1/projects/acme/webhooks");
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);

    for (const user of ["dev", "val"]) {
      const api = await as(user);
      expect((await api.get("/v1/projects/acme/webhooks")).status).toBe(403);
      expect(
        (await api.post("/v1/projects/acme/webhooks", { url: r.url, secret: SECRET, events: ["build.finished"] }))
          .status,
      ).toBe(403);
    }
    expect((await maya.get("/v1/projects/other/webhooks")).status).toBe(404);
    expect((await maya.get(`/v1/projects/other/webhooks/${created.body.id}`)).status).toBe(404);

    const bad = [
      [{ url: "ftp://example.com/x", secret: SECRET, events: ["build.finished"] }, "invalid_input"],
      [{ url: r.url, secret: "short", events: ["build.finished"] }, "invalid_input"],
      [{ url: r.url, secret: SECRET, events: [] }, "invalid_input"],
      [{ url: r.url, secret: SECRET, events: ["build.exploded"] }, "invalid_input"],
      [{ url: r.url, secret: SECRET, events: ["build.finished"], extra: 1 }, "invalid_input"],
    ] as const;
    for (const [body, code] of bad) {
      const res = await maya.post("/v1/projects/acme/webhooks", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe(code);
    }
    expect((await maya.get("/v1/projects/acme/webhooks")).body.items).toHaveLength(1);

    const patched = await maya.request("PATCH", `/v1/projects/acme/webhooks/${created.body.id}`, {
      events: ["operation.completed", "build.canceled"],
    });
    expect(patched.body.events).toEqual(["operation.completed", "build.canceled"]);
    expect((await maya.request("PATCH", `/v1/projects/acme/webhooks/${created.body.id}`, {})).status).toBe(400);
    expect((await maya.request("DELETE", `/v1/projects/acme/webhooks/${created.body.id}`)).status).toBe(204);
    expect((await maya.get(`/v1/projects/acme/webhooks/${created.body.id}`)).body.error.code).toBe("webhook_not_found");
  });
});

describe.runIf(DATABASES.some((d) => d.name === "postgres"))("webhooks with two engines on one PostgreSQL", () => {
  const db = DATABASES.find((d) => d.name === "postgres")!;
  let a: TestEngine | undefined;
  let b: TestEngine | undefined;
  let r: WebhookReceiver | undefined;
  afterEach(async () => {
    await b?.stop();
    await a?.destroy();
    await r?.stop();
  });

  it("every event is delivered once, and the endpoint's rate holds across both engines", async () => {
    const webhooks = { ...FAST, ratePerMinute: 1200 };
    a = await startTestEngine({ db, slots: 0, settings: { webhooks } });
    b = await startTestEngine({ db, slots: 0, settings: { webhooks }, pgSchema: a.pgSchema as string });
    r = await new WebhookReceiver().start();
    const p = await a.api.pipeline("acme", "app", sleepPipeline());
    const hook = (
      await a.api.post("/v1/projects/acme/webhooks", { url: r.url, secret: SECRET, events: ["operation.completed"] })
    ).body;
    const ops: string[] = [];
    for (let i = 0; i < 20; i++) {
      const engine = i % 2 === 0 ? a : b;
      const build = await engine.api.trigger(p);
      ops.push((await engine.api.post(`/v1/builds/${build.id}/cancel`, {})).body.id);
    }
    await waitFor(
      async () =>
        (await a!.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries?limit=50`)).body.items.filter(
          (d: { status: string }) => d.status === "delivered",
        ).length >= 20,
      { what: "20 deliveries" },
    );
    const delivered = r.ofEvent("operation.completed").map((x) => x.json.operation.id);
    expect(delivered.sort()).toEqual([...ops].sort());
    const log = (await a.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries?limit=50`)).body.items;
    expect(log).toHaveLength(20);
    const starts: number[] = [];
    for (const d of log) {
      const detail = (await a.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries/${d.id}`)).body;
      starts.push(...detail.attemptLog.map((x: { startedAt: string }) => Date.parse(x.startedAt)));
    }
    starts.sort((x, y) => x - y);
    const gaps = starts.slice(1).map((s, i) => s - (starts[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60_000 / webhooks.ratePerMinute);
  });
});

describe.each(DATABASES)("webhook addresses on $name", (db) => {
  let t: TestEngine | undefined;
  let r: WebhookReceiver | undefined;
  afterEach(async () => {
    await t?.destroy();
    await r?.stop();
    t = undefined;
    r = undefined;
  });

  it("private and loopback addresses are refused when saved and again when resolved at send time", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: { allowPrivate: false, retryBaseMs: 20 } } });
    r = await new WebhookReceiver().start();
    await t.api.pipeline("acme", "app", sleepPipeline());
    const port = new URL(r.url).port;
    for (const url of [
      r.url,
      `http://localhost:${port}/hook`,
      "http://10.1.2.3/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://192.168.0.10/hook",
      `http://2130706433:${port}/hook`,
      `http://0x7f.1:${port}/hook`,
      `http://017700000001:${port}/hook`,
      `http://0.0.0.0:${port}/hook`,
      `http://[::127.0.0.1]:${port}/hook`,
      `http://[::]:${port}/hook`,
      "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
      "http://[2002:a9fe:a9fe::1]/hook",
      "http://[fe80::1]/hook",
    ]) {
      const res = await t.api.post("/v1/projects/acme/webhooks", { url, secret: SECRET, events: ["build.finished"] });
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe("webhook_url_not_allowed");
    }
    expect((await t.api.get("/v1/projects/acme/webhooks")).body.items).toEqual([]);

    // A name that resolves to a private address by the time a request goes out (DNS changed since
    // it was saved) is refused then: the request never reaches it.
    const project = await t.engine.ctx.store.projects.findProject({ name: "acme" });
    const hook = await t.engine.ctx.store.webhooks.insert({
      projectId: project!.id,
      url: `http://localhost:${port}/hook`,
      secret: SECRET,
      events: ["build.finished"],
      active: true,
      createdBy: "admin",
      fromSeq: 0,
      now: Date.now(),
    });
    const ping = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    const refused = await waitFor(
      async () => {
        const d = (await t!.api.get(`/v1/projects/acme/webhooks/${hook.id}/deliveries/${ping.id}`)).body;
        return d.attempts >= 1 ? d : undefined;
      },
      { what: "an attempt" },
    );
    expect(refused).toMatchObject({ status: "refused", attempts: 1, nextAttemptAt: null });
    expect(refused.attemptLog[0].error).toMatch(/^webhook_url_not_allowed: localhost resolves to (127\.0\.0\.1|::1)/);
    expect(refused.attemptLog[0].responseStatus).toBeNull();
    expect(r.requests).toEqual([]);
  });

  /** Waits until every delivery of the endpoint has left `pending`; returns them with their attempts. */
  async function settledDeliveries(engine: TestEngine, hookId: number, count: number) {
    const items = await waitFor(
      async () => {
        const page = (await engine.api.get(`/v1/projects/acme/webhooks/${hookId}/deliveries`)).body.items as any[];
        return page.length >= count && page.every((d) => d.status !== "pending") ? page : undefined;
      },
      { what: `${count} deliveries settled` },
    );
    return Promise.all(
      items.map(async (d) => (await engine.api.get(`/v1/projects/acme/webhooks/${hookId}/deliveries/${d.id}`)).body),
    );
  }

  it("a webhook saved to 127.0.0.1 while private addresses were allowed is refused after a restart without it: no ping, event or redelivery reaches the receiver, and the log says refused by policy", async () => {
    const allowed = { ...FAST, allowPrivate: true };
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: allowed } });
    r = await new WebhookReceiver().start();
    const p = await t.api.pipeline("acme", "app", sleepPipeline());
    const created = await t.api.post("/v1/projects/acme/webhooks", {
      url: r.url,
      secret: SECRET,
      events: ["operation.completed", "build.canceled"],
    });
    expect([created.status, created.body.url]).toEqual([201, r.url]);
    const hook = created.body;
    const firstPing = (await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).body;
    await waitFor(() => r!.requests.length === 1, { what: "the ping while allowed" });
    await settledDeliveries(t, hook.id, 1);
    const connections = r.connections;

    t = await t.restart({ slots: 0, settings: { webhooks: { ...allowed, allowPrivate: false } } });
    const ping = await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`);
    expect(ping.status).toBe(202);
    const build = await t.api.trigger(p);
    const cancel = await t.api.post(`/v1/builds/${build.id}/cancel`, { reason: "after the restart" });
    expect(cancel.body.status).toBe("completed");
    const redelivery = await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/deliveries/${firstPing.id}/redeliver`);
    expect(redelivery.status).toBe(202);

    // The ping, operation.completed, build.canceled and the redelivery, besides the first ping.
    const log = await settledDeliveries(t, hook.id, 5);
    const after = log.filter((d) => d.id !== firstPing.id);
    expect(after.map((d) => d.event).sort()).toEqual(["build.canceled", "operation.completed", "ping", "ping"]);
    for (const d of after) {
      expect(d).toMatchObject({ status: "refused", attempts: 1, responseStatus: null, nextAttemptAt: null });
      expect(d.error).toMatch(/^webhook_url_not_allowed: 127\.0\.0\.1 is a private or loopback address/);
      expect(d.attemptLog).toHaveLength(1);
      expect(d.attemptLog[0]).toMatchObject({ responseStatus: null, responseBody: null });
    }
    expect(r.requests).toHaveLength(1);
    // Not even a connection was made.
    expect(r.connections).toBe(connections);
    // The endpoint is not marked failing: it was never asked.
    expect((await t.api.get(`/v1/projects/acme/webhooks/${hook.id}`)).body).toMatchObject({
      active: true,
      failingSince: null,
      lastDelivery: { status: "refused" },
    });
  });

  it("a saved URL whose host spells a private address any way (decimal, hex, octal, IPv4-mapped or -compatible, NAT64, 0.0.0.0) is refused at send time without connecting", async () => {
    t = await startTestEngine({ db, slots: 0, settings: { webhooks: { ...FAST, allowPrivate: false } } });
    r = await new WebhookReceiver().start();
    await t.api.pipeline("acme", "app", sleepPipeline());
    const port = new URL(r.url).port;
    const project = await t.engine.ctx.store.projects.findProject({ name: "acme" });
    const spellings = [
      `http://127.0.0.1:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://0x7f.1:${port}/hook`,
      `http://017700000001:${port}/hook`,
      `http://127.1:${port}/hook`,
      `http://0.0.0.0:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://[::127.0.0.1]:${port}/hook`,
      `http://[64:ff9b::127.0.0.1]:${port}/hook`,
      `http://[::1]:${port}/hook`,
    ];
    const hooks = [];
    for (const url of spellings) {
      // Saved as a database from before this policy would hold them.
      const hook = await t.engine.ctx.store.webhooks.insert({
        projectId: project!.id,
        url,
        secret: SECRET,
        events: ["build.finished"],
        active: true,
        createdBy: "admin",
        fromSeq: 0,
        now: Date.now(),
      });
      expect((await t.api.post(`/v1/projects/acme/webhooks/${hook.id}/pings`)).status).toBe(202);
      hooks.push(hook);
    }
    for (const [i, hook] of hooks.entries()) {
      const [d] = await settledDeliveries(t, hook.id, 1);
      expect({ url: spellings[i], status: d.status }).toEqual({ url: spellings[i], status: "refused" });
      expect(d.error).toMatch(/^webhook_url_not_allowed: /);
    }
    expect(r.requests).toEqual([]);
    expect(r.connections).toBe(0);
  });
});
