/**
 * Tokens: a rotated admin token is revoked; agents get tokens of their own kind that open the
 * agent channel and nothing else (and admin or user tokens do not open it); the audit source
 * follows from the kind of token, whatever the client says.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import { HttpAgentChannel } from "../../agent/http-channel.ts";
import { runAgent } from "../../cli/agent-command.ts";
import { loadConfig } from "../../common/config.ts";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { expectRefusal, userWithRoles } from "./security-helpers.ts";
import { seedBuilds } from "./seed.ts";

const QUICK = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "echo remote" }] }] }] };

describe.each(DATABASES)("the admin token on $name", (db) => {
  const engines: TestEngine[] = [];
  afterEach(async () => {
    for (const t of engines.splice(0).reverse()) await t.destroy();
  });

  it("changing SLUICE_ADMIN_TOKEN revokes the token it replaced", async () => {
    const first = await startTestEngine({ db, slots: 0, settings: { adminToken: "first-admin-token" } });
    expect((await first.api.get("/v1/me")).status).toBe(200);
    await first.stop();
    const second = await startTestEngine({
      db,
      slots: 0,
      root: path.dirname(first.dataDir),
      ...(first.pgSchema ? { pgSchema: first.pgSchema } : {}),
      settings: { adminToken: "second-admin-token" },
    });
    engines.push(second);
    expect((await second.api.get("/v1/me")).status).toBe(200);
    expectRefusal(await second.api.as("first-admin-token").get("/v1/me"), 401, "invalid_token");
  });

  it("passwords are hashed with scrypt at N = 16384 unless configured; a hash made at another cost still signs in", async () => {
    // The suites run at a lower cost (the harness's passwordHashCost): this engine at the default.
    const t = await startTestEngine({ db, slots: 0, settings: { passwordHashCost: undefined } });
    engines.push(t);
    const admin = await t.engine.ctx.store.identity.findUser({ username: "admin" });
    expect(admin?.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect((await t.api.post("/v1/sessions", { username: "admin", password: "test-admin-password" })).status).toBe(201);
    // Restarted at the suites' cost, the stored hash keeps its own.
    const again = await t.restart({ settings: { passwordHashCost: 1024 } });
    engines.splice(engines.indexOf(t), 1, again);
    expect((await again.api.post("/v1/sessions", { username: "admin", password: "test-admin-password" })).status).toBe(
      201,
    );
    const stored = await again.engine.ctx.store.identity.findUser({ username: "admin" });
    expect(stored?.password_hash).toBe(admin?.password_hash);
  });
});

describe.each(DATABASES)("agent tokens on $name", (db) => {
  let t: TestEngine;
  let dev: string;
  let agentToken: string;
  let agentTokenId: number;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", QUICK);
    dev = await userWithRoles(t, "dev", { acme: "developer" });
    const created = await t.api.post("/v1/agent-tokens", { name: "builder-1" });
    expect(created.status).toBe(201);
    agentToken = created.body.token;
    agentTokenId = created.body.id;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("an admin creates and lists them; the list never shows a token", async () => {
    expect(agentToken).toMatch(/^slu_/);
    const list = await t.api.get("/v1/agent-tokens");
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: agentTokenId, name: "builder-1", createdBy: "admin", revokedAt: null }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(agentToken);
  });

  const refused: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ["an agent token reading who it is", () => t.api.as(agentToken).get("/v1/me"), 403, "agent_token_not_allowed"],
    ["an agent token listing projects", () => t.api.as(agentToken).get("/v1/projects"), 403, "agent_token_not_allowed"],
    [
      "an agent token triggering a build",
      () => t.api.as(agentToken).post("/v1/projects/acme/pipelines/web/builds", {}),
      403,
      "agent_token_not_allowed",
    ],
    [
      "an agent token opening the event stream",
      () => t.api.as(agentToken).get("/v1/events"),
      403,
      "agent_token_not_allowed",
    ],
    [
      "an agent token creating an agent token",
      () => t.api.as(agentToken).post("/v1/agent-tokens", { name: "more" }),
      403,
      "agent_token_not_allowed",
    ],
    ["an agent token on an unknown route", () => t.api.as(agentToken).get("/v1/nothing"), 404, "no_route"],
    [
      "the admin token on the agent channel",
      () => t.api.post("/v1/agents/register", { name: "sneaky", slots: 1, instance: "sneaky-1" }),
      403,
      "agent_token_required",
    ],
    [
      "a user's session on the agent channel",
      () => t.api.as(dev).post("/v1/agents/register", { name: "sneaky", slots: 1, instance: "sneaky-1" }),
      403,
      "agent_token_required",
    ],
    [
      "the admin token polling the agent channel in capitals",
      () => t.api.post("/v1/AGENTS/remote/poll", { freeSlots: 1, waitMs: 0 }),
      403,
      "agent_token_required",
    ],
    [
      "a developer creating an agent token",
      () => t.api.as(dev).post("/v1/agent-tokens", { name: "mine" }),
      403,
      "forbidden",
    ],
    ["a developer listing agent tokens", () => t.api.as(dev).get("/v1/agent-tokens"), 403, "forbidden"],
  ];

  it.each(refused)("%s is refused and changes nothing", async (_name, send, status, code) => {
    const before = await databaseSnapshot(t);
    expectRefusal(await send(), status, code);
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it("a revoked agent token opens nothing", async () => {
    const spare = await t.api.post("/v1/agent-tokens", { name: "spare" });
    expect(
      (await t.api.as(spare.body.token).post("/v1/agents/register", { name: "spare", slots: 0, instance: "spare-1" }))
        .status,
    ).toBe(200);
    expect((await t.api.request("DELETE", `/v1/agent-tokens/${spare.body.id}`)).status).toBe(204);
    expectRefusal(
      await t.api.as(spare.body.token).post("/v1/agents/register", { name: "spare", slots: 0, instance: "spare-1" }),
      401,
      "invalid_token",
    );
    const listed = (await t.api.get("/v1/agent-tokens")).body.items.find((i: any) => i.id === spare.body.id);
    expect(listed.revokedAt).toEqual(expect.any(String));
  });

  it("sluice agent refuses to start without a token of its own", async () => {
    const config = loadConfig({ SLUICE_ENGINE_URL: t.engine.url, SLUICE_DATA_DIR: t.dataDir, SLUICE_ADMIN_TOKEN: "x" });
    await expect(runAgent(config, {})).rejects.toThrow(/SLUICE_TOKEN/);
  });
});

describe.each(DATABASES)("a remote agent on $name", (db) => {
  it("a remote agent with an agent token runs a build through the agent channel", async () => {
    const t = await startTestEngine({ db, slots: 0 });
    const token = (await t.api.post("/v1/agent-tokens", { name: "builder" })).body.token as string;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-remote-agent-"));
    const agent = new Agent(new HttpAgentChannel(t.engine.url, token), {
      name: "remote",
      slots: 1,
      workDir,
      baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      hiddenPaths: [t.dataDir],
      pollWaitMs: 200,
    });
    await agent.start();
    try {
      await t.api.pipeline("acme", "web", QUICK);
      const build = await t.api.trigger("/v1/projects/acme/pipelines/web");
      await waitFor(async () => (await t.api.build(build.id)).status === "SUCCEEDED", { what: "the remote build" });
    } finally {
      await agent.stop();
      await t.destroy();
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  });
});

describe.each(DATABASES)("the audit source on $name", (db) => {
  let t: TestEngine;
  let dev: string;
  let ids: number[];
  const p = "/v1/projects/acme/pipelines/web";
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", sleepPipeline());
    dev = await userWithRoles(t, "dev", { acme: "developer" });
    ids = await seedBuilds(t, p, 4, { status: () => "QUEUED" });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const latestAudit = async () => (await t.api.get("/v1/projects/acme/audit")).body.items[0];

  it("an API token is `api`, even when the client claims to be a person", async () => {
    const res = await t.api.post(`${p}/builds/batch-cancel`, { buildIds: [ids[0]] }, { "X-Sluice-Source": "user" });
    expect(res.status).toBe(202);
    expect(res.body.source).toBe("api");
    expect(await latestAudit()).toMatchObject({ actor: "admin", source: "api", operationId: res.body.id });
  });

  it("a session (a person signed in) is `user`, whatever the client sends", async () => {
    const plain = await t.api.as(dev).post(`${p}/builds/batch-cancel`, { buildIds: [ids[1]] });
    expect(plain.body.source).toBe("user");
    const claimed = await t.api.as(dev).post(`/v1/builds/${ids[2]}/cancel`, {}, { "X-Sluice-Source": "api" });
    expect(claimed.body.source).toBe("user");
    expect(await latestAudit()).toMatchObject({ actor: "dev", source: "user", operationId: claimed.body.id });
  });

  it("no client can claim the concurrency policy's source", async () => {
    const res = await t.api.post(`/v1/builds/${ids[3]}/cancel`, {}, { "X-Sluice-Source": "concurrency" });
    expect(res.status).toBe(202);
    expect(res.body.source).toBe("api");
  });
});
