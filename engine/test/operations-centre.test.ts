import { afterEach, describe, expect, it } from "vitest";
import { type Api, DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { seedBuilds } from "./seed.ts";
import { SimAgent } from "./sim-agent.ts";

const ONE_STEP = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }] };
const SUPERSEDING = { ...ONE_STEP, concurrency: { group: "${{ branch }}", cancelInProgress: true } };

/** A user with a role in a project, signed in: their own API client. */
async function userWithRole(t: TestEngine, username: string, project: string, role: string): Promise<Api> {
  const password = `${username}-password`;
  expect((await t.api.post("/v1/users", { username, password })).status).toBe(201);
  expect((await t.api.request("PUT", `/v1/projects/${project}/members/${username}`, { role })).status).toBe(200);
  const session = await t.api.post("/v1/sessions", { username, password });
  return t.api.as(session.body.token);
}

describe.each(DATABASES)("the operations centre's API on $name", (db) => {
  let t: TestEngine;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t?.destroy();
  });

  it("lists a project's operations newest first, pages with a cursor that new operations do not shift, and says how builds were chosen", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    await t.api.pipeline("other", "web", ONE_STEP);
    const builds = [];
    for (let i = 0; i < 8; i++) builds.push(await t.api.trigger(web, { branch: i < 4 ? "main" : "dev" }));
    const made: string[] = [];
    for (const b of builds.slice(0, 6)) made.push((await t.api.post(`/v1/builds/${b.id}/cancel`, {})).body.id);
    const byFilter = await t.api.post(`${web}/builds/batch-cancel`, { filter: { status: ["QUEUED"], branch: "dev" } });
    expect(byFilter.status).toBe(202);
    made.push(byFilter.body.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: any = await t.api.get(`/v1/projects/acme/operations?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((op: any) => op.id));
      cursor = res.body.nextCursor;
      // An operation started between pages belongs before the first page, not in the next one.
      if (page++ === 0) {
        const late = await t.api.post(`/v1/builds/${(await t.api.trigger(web)).id}/cancel`, {});
        expect(late.status).toBe(202);
      }
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const [newest] = (await t.api.get("/v1/projects/acme/operations?limit=2")).body.items;
    expect(newest).toMatchObject({ kind: "cancel", project: "acme", pipeline: "web", total: 1, selection: null });
    const filtered = (await t.api.get(`/v1/operations/${byFilter.body.id}`)).body;
    expect(filtered.selection).toMatchObject({ filter: { status: ["QUEUED"], branch: "dev" } });
    expect(filtered.total).toBe(2);
    expect((await t.api.get("/v1/projects/other/operations")).body).toEqual({ items: [], nextCursor: null });
  });

  it("filters by status, source, who asked (or mine) and pipeline", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sim = await new SimAgent(t.engine.channel, "slow", { slots: 0, stopMode: "ignore" }).start();
    agents.push(sim);
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const deploy = await t.api.pipeline("acme", "deploy", SUPERSEDING);
    const dev = await userWithRole(t, "dev", "acme", "developer");

    const [running] = await seedBuilds(t, web, 1, { status: () => "RUNNING", agents: ["slow"] });
    const stuck = await dev.post(`/v1/builds/${running}/cancel`, {}, { "X-Sluice-Source": "user" });
    expect(stuck.body).toMatchObject({ status: "running", source: "user", requestedBy: "dev" });
    const queued = await t.api.trigger(web);
    const byAdmin = await t.api.post(`/v1/builds/${queued.id}/cancel`, {});
    expect(byAdmin.body).toMatchObject({ status: "completed", source: "api", requestedBy: "admin" });
    await t.api.trigger(deploy, { branch: "main" });
    const superseding = await t.api.trigger(deploy, { branch: "main" });

    const list = async (query: string, as: Api = t.api) => {
      const res = await as.get(`/v1/projects/acme/operations?${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((op: any) => [op.source, op.requestedBy, op.pipeline, op.status]);
    };
    expect(await list("status=running")).toEqual([["user", "dev", "web", "running"]]);
    expect(await list("status=completed")).toEqual([
      ["concurrency", "admin", "deploy", "completed"],
      ["api", "admin", "web", "completed"],
    ]);
    expect(await list("source=concurrency")).toEqual([["concurrency", "admin", "deploy", "completed"]]);
    expect(await list("source=user,api")).toHaveLength(2);
    expect(await list("requestedBy=dev")).toEqual([["user", "dev", "web", "running"]]);
    expect(await list("mine=1", dev)).toEqual([["user", "dev", "web", "running"]]);
    expect(await list("pipeline=deploy")).toHaveLength(1);
    const [policy] = (await t.api.get("/v1/projects/acme/operations?source=concurrency")).body.items;
    expect(policy.reason).toBe(`superseded by #${superseding.number}`);
  });

  it("a job whose build is being canceled says when it was told to stop, so the page can show it stopping", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const sim = await new SimAgent(t.engine.channel, "slow", { slots: 0, stopMode: "ignore" }).start();
    agents.push(sim);
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const [id] = await seedBuilds(t, web, 1, { status: () => "RUNNING", agents: ["slow"] });
    const before = await t.api.build(id as number);
    expect(before.jobs[0]).toMatchObject({ status: "RUNNING", stopRequestedAt: null });
    expect((await t.api.post(`/v1/builds/${id}/cancel`, {})).status).toBe(202);
    const stopping = await waitFor(
      async () => {
        const b = await t.api.build(id as number);
        return b.jobs[0].stopRequestedAt ? b : null;
      },
      { what: "the stop order" },
    );
    expect(stopping.status).toBe("CANCELING");
    expect(stopping.jobs[0].status).toBe("RUNNING");
    expect(Date.parse(stopping.jobs[0].stopRequestedAt)).toBeGreaterThanOrEqual(Date.parse(stopping.cancel.at));
  });

  it("refuses bad queries with nothing listed, and hides projects the caller may not read", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", ONE_STEP);
    await t.api.pipeline("secret", "web", ONE_STEP);
    const dev = await userWithRole(t, "dev", "acme", "developer");
    const bad = async (query: string, code: string) => {
      const res = await t.api.get(`/v1/projects/acme/operations?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe(code);
    };
    await bad("cursor=bm90LWEtY3Vyc29y", "invalid_cursor");
    await bad("status=paused", "invalid_input");
    await bad("source=user,robot", "invalid_input");
    await bad("limit=0", "invalid_input");
    await bad("limit=201", "invalid_input");
    await bad("colour=red", "invalid_input");
    expect((await t.api.get("/v1/projects/acme/operations?pipeline=nope")).body.error.code).toBe("pipeline_not_found");
    const hidden = await dev.get("/v1/projects/secret/operations");
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe("project_not_found");
  });

  it("the audit log is for maintainers and admins; it filters by actor, action and source and names the build of a single cancel", async () => {
    t = await startTestEngine({ db, slots: 0 });
    const web = await t.api.pipeline("acme", "web", ONE_STEP);
    const deploy = await t.api.pipeline("acme", "deploy", SUPERSEDING);
    const dev = await userWithRole(t, "dev", "acme", "developer");
    const viewer = await userWithRole(t, "viewer", "acme", "viewer");
    const lead = await userWithRole(t, "lead", "acme", "maintainer");

    const one = await t.api.trigger(web);
    expect((await dev.post(`/v1/builds/${one.id}/cancel`, { reason: "bad push" })).status).toBe(202);
    await t.api.trigger(web);
    await t.api.trigger(web);
    const batch = await t.api.post(`${web}/builds/batch-cancel`, { filter: { status: ["QUEUED"] } });
    expect(batch.body.total).toBe(2);
    await t.api.trigger(deploy, { branch: "main" });
    await t.api.trigger(deploy, { branch: "main" });

    for (const refused of [dev, viewer]) {
      const res = await refused.get("/v1/projects/acme/audit");
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const all = await lead.get("/v1/projects/acme/audit");
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: any) => [e.actor, e.source, e.pipeline, e.targets])).toEqual([
      ["admin", "concurrency", "deploy", 1],
      ["admin", "api", "web", 2],
      // dev signed in (a session): a person, so `user`; the admin's API token is `api`.
      ["dev", "user", "web", 1],
    ]);
    const byDev = (await lead.get("/v1/projects/acme/audit?actor=dev")).body.items;
    expect(byDev).toHaveLength(1);
    expect(byDev[0]).toMatchObject({
      action: "cancel",
      reason: "bad push",
      build: { id: one.id, number: one.number },
      outcome: { status: "completed", canceled: 1 },
    });
    expect((await t.api.get("/v1/projects/acme/audit?actor=admin&source=api")).body.items).toHaveLength(1);
    expect((await t.api.get("/v1/projects/acme/audit?action=cancel&limit=1")).body.nextCursor).not.toBeNull();
    const [batchEntry] = (await t.api.get("/v1/projects/acme/audit?source=api&actor=admin")).body.items;
    expect(batchEntry.build).toBeNull();
    expect((await t.api.get("/v1/projects/acme/audit?action=rerun")).body.items).toEqual([]);
    expect((await t.api.get("/v1/projects/acme/audit?action=deploy")).status).toBe(400);
  });
});
