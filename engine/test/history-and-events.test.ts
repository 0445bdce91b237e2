import { afterEach, describe, expect, it } from "vitest";
import { githubPullRequest, githubPush, sendHook } from "./git-fixture.ts";
import { collectEvents, DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const ONE_STEP = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }] };

describe.each(DATABASES)("history and events on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("pages newest first with a cursor that stays stable while builds are inserted", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", ONE_STEP);
    for (let i = 0; i < 120; i++) await t.api.trigger(p, { branch: i % 3 === 0 ? "main" : "dev" });
    const seen: number[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: any = await t.api.get(`${p}/builds?limit=50${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((b: any) => b.number));
      cursor = res.body.nextCursor;
      // New builds arriving between pages must not shift or repeat what comes next.
      if (page++ === 0) for (let i = 0; i < 7; i++) await t.api.trigger(p, { branch: "main" });
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
  });

  it("finds a build by the number people see, in its own pipeline only", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const api = await t.api.pipeline("acme", "api", ONE_STEP);
    for (let i = 0; i < 3; i++) await t.api.trigger(api);
    await t.api.trigger(web);
    const second = await t.api.trigger(web);
    const found = await t.api.get(`${web}/builds/2`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: second.id, number: 2, pipeline: "web" });
    expect(found.body.jobs.map((j: any) => j.name)).toEqual(["j"]);
    const missing = await t.api.get(`${web}/builds/3`);
    expect([missing.status, missing.body.error.code]).toEqual([404, "build_not_found"]);
    const bad = await t.api.get(`${web}/builds/two`);
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_id"]);
    expect((await t.api.get(`${web}/builds/counts`)).body.QUEUED).toBe(2);
  });

  it("filters by several statuses and by branch, and counts per status", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const p = await t.api.pipeline("acme", "web", ONE_STEP);
    const builds: any[] = [];
    for (let i = 0; i < 10; i++) builds.push(await t.api.trigger(p, { branch: i < 4 ? "main" : "dev" }));
    for (const b of builds.slice(0, 3)) await t.api.post(`/v1/builds/${b.id}/cancel`, {});
    const canceled = await t.api.get(`${p}/builds?status=CANCELED`);
    expect(canceled.body.items.map((b: any) => b.number)).toEqual([3, 2, 1]);
    expect(canceled.body.items[0].cancel.by).toBe("admin");
    const mixed = await t.api.get(`${p}/builds?status=canceled,QUEUED&branch=main`);
    expect(mixed.body.items.map((b: any) => [b.number, b.status])).toEqual([
      [4, "QUEUED"],
      [3, "CANCELED"],
      [2, "CANCELED"],
      [1, "CANCELED"],
    ]);
    const counts = await t.api.get(`${p}/builds/counts`);
    expect(counts.body).toMatchObject({ QUEUED: 7, CANCELED: 3, RUNNING: 0 });
    expect((await t.api.get(`${p}/builds/counts?branch=main`)).body).toMatchObject({ QUEUED: 1, CANCELED: 3 });
  });

  it("filters by what triggered a build — a push, a pull request (and its number) or the API — with branch and status", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: "https://github.com/acme/app.git",
      provider: "github",
    });
    const secret = put.body.hookSecret as string;
    const p = await t.api.pipeline("acme", "web", {
      ...ONE_STEP,
      repository: "app",
      on: { push: { branches: ["**"] }, pullRequest: { branches: ["main"] } },
    });
    await t.api.trigger(p, { branch: "main" });
    const hook = (r: Parameters<typeof sendHook>[3]) => sendHook(t.engine.url, "acme", "app", r);
    expect((await hook(githubPush({ secret, branch: "main", after: "a".repeat(40) }))).status).toBe(202);
    expect((await hook(githubPush({ secret, branch: "dev", after: "b".repeat(40) }))).status).toBe(202);
    const pr = { secret, action: "opened" as const, head: "feature/x", base: "main" };
    expect((await hook(githubPullRequest({ ...pr, number: 12, sha: "c".repeat(40) }))).status).toBe(202);
    expect((await hook(githubPullRequest({ ...pr, number: 13, head: "feature/y", sha: "d".repeat(40) }))).status).toBe(
      202,
    );
    await waitFor(async () => (await t.api.get(`${p}/builds`)).body.items.length === 5, { what: "five builds" });

    const numbers = async (query: string) => {
      const res = await t.api.get(`${p}/builds?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((b: any) => [b.branch, b.trigger?.kind ?? "api", b.trigger?.pullRequest ?? null]);
    };
    expect(await numbers("trigger=api")).toEqual([["main", "api", null]]);
    expect(await numbers("trigger=push")).toEqual([
      ["dev", "push", null],
      ["main", "push", null],
    ]);
    expect(await numbers("trigger=push&branch=main")).toEqual([["main", "push", null]]);
    expect(await numbers("trigger=pull_request")).toEqual([
      ["feature/y", "pull_request", 13],
      ["feature/x", "pull_request", 12],
    ]);
    expect(await numbers("pullRequest=12")).toEqual([["feature/x", "pull_request", 12]]);
    expect(await numbers("pullRequest=12&status=RUNNING")).toEqual([]);
    for (const bad of ["trigger=cron", "pullRequest=0", "pullRequest=abc"]) {
      const res = await t.api.get(`${p}/builds?${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });

  it("streams outbox events with id = seq, resumes by Last-Event-ID without gaps or repeats, and filters by project", async () => {
    t = await startTestEngine({ db, slots: 0, heartbeatMs: 200 });
    const p = await t.api.pipeline("acme", "web", ONE_STEP);
    const other = await t.api.pipeline("other", "web", ONE_STEP);
    const first = await collectEvents(t.api, "project=acme", {
      onOpen: async () => {
        for (let i = 0; i < 3; i++) {
          await t.api.trigger(p);
          await t.api.trigger(other);
        }
      },
      until: (e) => e.length >= 3,
    });
    expect(first.events.map((e) => e.event)).toEqual(["build.created", "build.created", "build.created"]);
    expect(first.events.every((e) => e.data.project === "acme")).toBe(true);
    const ids = first.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Events written while disconnected arrive on resume, exactly once.
    const lastId = first.events[1]?.id as string;
    for (let i = 0; i < 2; i++) await t.api.trigger(p);
    const resumed = await collectEvents(t.api, "project=acme", { lastEventId: lastId, until: (e) => e.length >= 3 });
    expect(resumed.events.map((e) => e.data.number)).toEqual([3, 4, 5]);

    const quiet = await collectEvents(t.api, "project=acme&pipeline=web", { until: () => false, timeoutMs: 700 });
    expect(quiet.heartbeats).toBeGreaterThan(0);
  });

  it("a pipeline filter and an unreadable project are refused before the stream starts", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const res = await t.api.get("/v1/events?project=missing");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("project_not_found");
  });
});

describe.each(DATABASES)("request ids on $name", (db) => {
  let t: TestEngine;
  afterEach(async () => {
    await t?.destroy();
  });

  it("every answer carries a request id: the caller's when it sends a sane one, a new one otherwise", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const mine = await fetch(`${t.engine.url}/healthz`, { headers: { "X-Request-Id": "trace-42" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-42");
    const made = await fetch(`${t.engine.url}/v1/projects`, { headers: { "X-Request-Id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
