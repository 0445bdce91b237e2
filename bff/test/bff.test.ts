import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FREE, DATABASES, sleepPipeline } from "../../engine/test/harness.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { addUser, Browser, type Message, type Stack, startStack } from "./harness.ts";

const stream = (...topics: string[]) => `/api/stream?topics=${encodeURIComponent(topics.join(","))}`;
const completed = (messages: Message[]) => messages.some((m) => m.data.operation?.status === "completed");

describe.each(DATABASES)("the BFF on $name", (db) => {
  let stack: Stack;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await stack?.destroy();
  });

  async function setup() {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await stack.engine.api.pipeline("rival", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    await addUser(stack, "viewer", { acme: "viewer" });
    await addUser(stack, "outsider", { rival: "developer" });
    return p;
  }

  it("signs in and out; without a session the API answers 401", async () => {
    await setup();
    const browser = new Browser(stack.bff.url);
    expect((await browser.request("GET", "/api/me")).status).toBe(401);
    const wrong = await browser.signIn("dev", "nope");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    const ok = await browser.signIn("dev");
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({ username: "dev", isAdmin: false });
    expect(ok.headers.get("set-cookie")).toMatch(/sluice_session=slu_[^;]+;.*HttpOnly/i);
    expect(ok.headers.get("set-cookie")).toMatch(/SameSite=Lax/i);
    const me = await browser.request("GET", "/api/me");
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(ok.body.csrfToken);
    expect(me.body.projects.map((p: any) => [p.name, p.role, p.permissions.canCancel])).toEqual([
      ["acme", "developer", true],
    ]);
    const cookie = browser.cookie;
    expect((await browser.request("DELETE", "/api/session")).status).toBe(204);
    expect((await browser.request("GET", "/api/me")).status).toBe(401);
    // The old cookie is revoked in the engine, not just forgotten by the browser.
    const replay = new Browser(stack.bff.url);
    replay.cookie = cookie;
    expect((await replay.request("GET", "/api/me")).status).toBe(401);
  });

  it("failed sign-ins of a user from one address are slowed down", async () => {
    await setup();
    const browser = new Browser(stack.bff.url);
    // Five free attempts, then a wait (README, Security: "5 attempts").
    for (let i = 0; i < 5; i++) expect((await browser.signIn("dev", "wrong")).status).toBe(401);
    const limited = await browser.signIn("dev");
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("too_many_attempts");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("mutations need the CSRF token; a viewer may not cancel", async () => {
    const p = await setup();
    const [build] = await seedBuilds(stack.engine, p, 1, { status: () => "QUEUED" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const path = "/api/projects/acme/pipelines/web/cancellations";
    expect((await dev.request("POST", path, { buildIds: [build] }, { "X-CSRF-Token": "" })).body.error.code).toBe(
      "csrf_failed",
    );
    const forged = await dev.request("POST", path, { buildIds: [build] }, { "X-CSRF-Token": "forged" });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("csrf_failed");
    expect((await stack.engine.api.build(build!)).status).toBe("QUEUED");
    const viewer = new Browser(stack.bff.url);
    await viewer.signIn("viewer");
    const refused = await viewer.request("POST", path, { buildIds: [build] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await stack.engine.api.build(build!)).status).toBe("QUEUED");
    const accepted = await dev.request(
      "POST",
      path,
      { buildIds: [build], reason: "bad push" },
      { "Idempotency-Key": "k1" },
    );
    expect(accepted.status).toBe(202);
    const again = await dev.request(
      "POST",
      path,
      { buildIds: [build], reason: "bad push" },
      { "Idempotency-Key": "k1" },
    );
    expect(again.body.operation.id).toBe(accepted.body.operation.id);
  });

  it("the history page comes in one response with counts, permissions and running operations", async () => {
    const p = await setup();
    agents.push(await new SimAgent(stack.engine.engine.channel, "quiet", { slots: 0, stopMode: "ignore" }).start());
    await seedBuilds(stack.engine, p, 60, {
      status: (i) => (i < 10 ? "SUCCEEDED" : i < 40 ? "RUNNING" : "QUEUED"),
      agents: ["quiet"],
    });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const running = await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: [11, 12] });
    expect(running.status).toBe(202);
    const res = await dev.request(
      "GET",
      "/api/projects/acme/pipelines/web/history?limit=25&status=RUNNING,QUEUED,CANCELING",
    );
    expect(res.status).toBe(200);
    expect(res.body.pipeline).toMatchObject({ project: "acme", name: "web", cancelGraceSeconds: 2 });
    expect(res.body.builds.items).toHaveLength(25);
    expect(res.body.builds.nextCursor).toEqual(expect.any(String));
    expect(res.body.counts).toMatchObject({ SUCCEEDED: 10, RUNNING: 28, CANCELING: 2, QUEUED: 20 });
    expect(res.body.activeCount).toBe(48);
    expect(res.body.permissions).toEqual({
      canRead: true,
      canTrigger: true,
      canCancel: true,
      canEdit: false,
      canAudit: false,
    });
    expect(res.body.operations.map((o: any) => o.id)).toEqual([running.body.operation.id]);
    const next = await dev.request(
      "GET",
      `/api/projects/acme/pipelines/web/history?limit=25&status=RUNNING,QUEUED,CANCELING&cursor=${res.body.builds.nextCursor}`,
    );
    expect(next.body.builds.items[0].number).toBeLessThan(res.body.builds.items[24].number);
    const viewer = new Browser(stack.bff.url);
    await viewer.signIn("viewer");
    expect((await viewer.request("GET", "/api/projects/acme/pipelines/web/history")).body.permissions.canCancel).toBe(
      false,
    );
  });

  it("a bulk cancel streams its progress up to completed with the right counts; a reconnect with Last-Event-ID misses and repeats nothing", async () => {
    const p = await setup();
    const sims = await Promise.all(
      ["s1", "s2"].map((n) => new SimAgent(stack.engine.engine.channel, n, { slots: 0 }).start()),
    );
    agents.push(...sims);
    await seedBuilds(stack.engine, p, 500, { status: (i) => (i < 5 ? "SUCCEEDED" : "RUNNING"), agents: ["s1", "s2"] });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const path = "/api/projects/acme/pipelines/web/cancellations";
    const filter = { status: ["QUEUED", "RUNNING"] };
    const preview = await dev.request("POST", `${path}/preview`, { filter });
    // 495 builds, above the default confirmAbove (100): the confirm carries the number typed.
    expect(preview.body.confirmation).toMatchObject({ required: true });
    const confirm = { filter, snapshot: preview.body.snapshot, confirmCount: preview.body.total };
    const { body } = await dev.request("POST", path, confirm);
    const id = body.operation.id;
    const topic = `operation:${id}`;
    const whole = await dev.stream(stream(topic), { until: completed });
    const last = whole.messages.at(-1);
    expect(last?.data.operation.status).toBe("completed");
    expect(last?.data.operation.counts).toEqual({
      canceled: 495,
      alreadyFinished: 0,
      failed: 0,
      protected: 0,
      created: 0,
      skipped: 0,
      pending: 0,
    });
    expect(whole.messages.slice(0, -1).every((m) => m.data.operation.status === "running")).toBe(true);
    // Cut after the first message, resume from its id: the rest arrives exactly once.
    const first = await dev.stream(stream(topic), { until: (m) => m.length >= 1 });
    const rest = await dev.stream(stream(topic), { lastEventId: first.messages[0]!.id, until: completed });
    expect([first.messages[0]!, ...rest.messages].map((m) => m.id)).toEqual(whole.messages.map((m) => m.id));
  });

  it("a user of project A receives no event of project B", async () => {
    await setup();
    const outsider = new Browser(stack.bff.url);
    await outsider.signIn("outsider");
    const refused = await outsider.stream(stream("pipeline:acme/web"));
    expect(refused.messages.map((m) => [m.event, m.data.error.code])).toEqual([["refused", "project_not_found"]]);
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const mine = await dev.stream(stream("project:acme"), {
      onOpen: async () => {
        await stack.engine.api.trigger("/v1/projects/rival/pipelines/web");
        await stack.engine.api.trigger("/v1/projects/acme/pipelines/web");
      },
      until: (m) => m.length >= 1,
    });
    expect(mine.messages.map((m) => m.data.pipeline)).toEqual(["web"]);
    expect(mine.messages[0]?.data.changes.map((c: any) => c.number)).toEqual([1]);
    const theirs = await outsider.stream(stream("project:rival"), {
      lastEventId: "project:rival=0",
      until: (m) => m.length >= 1,
    });
    expect(theirs.messages[0]?.data.changes.every((c: any) => c.number === 1)).toBe(true);
  });

  it("10,000 status changes reach the browser as at most a few dozen messages", async () => {
    const p = await setup();
    const sims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new SimAgent(stack.engine.engine.channel, `b${i}`, { slots: 0 }).start()),
    );
    agents.push(...sims);
    const ids = await seedBuilds(stack.engine, p, 5000, { status: () => "RUNNING", agents: sims.map((s) => s.name) });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    let operationId = "";
    const seen = new Map<number, string>();
    let applied = 0;
    const received = await dev.stream(stream("pipeline:acme/web"), {
      onOpen: async () => {
        operationId = (await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: ids }))
          .body.operation.id;
      },
      until: (messages) => {
        for (const m of messages.slice(applied))
          if (m.event === "builds") for (const c of m.data.changes) seen.set(c.id, c.status);
        applied = messages.length;
        return seen.size === 5000 && [...seen.values()].every((s) => s === "CANCELED");
      },
      timeoutMs: 60_000,
    });
    const builds = received.messages.filter((m) => m.event === "builds");
    // 5,000 builds × 2 changes (to CANCELING, to CANCELED) = 10,000 engine events.
    expect(builds.length).toBeLessThanOrEqual(36);
    expect(received.messages.some((m) => m.event === "operation" && m.data.operation.id === operationId)).toBe(true);
  });

  it("an engine that is down answers 503 engine_unavailable, not a hang", async () => {
    await setup();
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    await stack.engine.stop();
    const started = Date.now();
    const res = await dev.request("GET", "/api/projects/acme/pipelines/web/history");
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("engine_unavailable");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("serves the page: hashed assets cached for a year, index.html never, security headers", async () => {
    await setup();
    const asset = await fetch(`${stack.bff.url}/assets/app-abc123.js`);
    expect(asset.headers.get("cache-control")).toMatch(/max-age=31536000.*immutable/);
    const page = await fetch(`${stack.bff.url}/projects/acme/pipelines/web`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await fetch(`${stack.bff.url}/api/nothing`)).status).toBe(401);
  });
});

describe.runIf(DATABASE_FREE)("streams and sessions", () => {
  it("signing out ends the streams of that session", async () => {
    const stack = await startStack({ db: { name: "sqlite" }, slots: 0, heartbeatMs: 200 });
    try {
      await stack.engine.api.pipeline("acme", "web", sleepPipeline());
      await addUser(stack, "dev", { acme: "developer" });
      const tab = new Browser(stack.bff.url);
      await tab.signIn("dev");
      const otherTab = new Browser(stack.bff.url);
      otherTab.cookie = tab.cookie;
      otherTab.csrf = tab.csrf;
      const received = await tab.stream(stream("pipeline:acme/web", "operations:acme"), {
        onOpen: async () => {
          expect((await otherTab.request("DELETE", "/api/session")).status).toBe(204);
        },
        timeoutMs: 10_000,
      });
      expect(received.ended).toBe(true);
    } finally {
      await stack.destroy();
    }
  });
});
