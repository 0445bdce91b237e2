/**
 * Revocation is immediate: an event stream ends as soon as its right to read goes (sign-out,
 * token revocation, session expiry, removal from the project, a replaced admin token), on a
 * quiet project or a busy one, and across engine replicas on PostgreSQL. No event committed
 * after the revocation reaches it. The heartbeat's own check is set to a minute here, so only
 * the identity events on the bus can end these streams within the tests' time.
 */
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../common/sse-parser.ts";
import { DATABASES, sleepPipeline, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { signIn, userWithRoles } from "./security-helpers.ts";

const HEARTBEAT_MS = 60_000;
const ENDS_WITHIN_MS = 30_000;

type Followed = { seqs: number[]; ended: Promise<boolean>; close: () => void };

/** Follows `/v1/events?query`; `ended` resolves true when the server ends the stream, false on timeout. */
async function follow(t: TestEngine, token: string, query: string): Promise<Followed> {
  const abort = new AbortController();
  const res = await fetch(`${t.engine.url}/v1/events?${query}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`events: ${res.status} ${await res.text()}`);
  const seqs: number[] = [];
  const timer = setTimeout(() => abort.abort(), ENDS_WITHIN_MS);
  const ended = readSse(res.body, (e) => void seqs.push(Number(e.id)), abort.signal).then(
    () => {
      clearTimeout(timer);
      return !abort.signal.aborted;
    },
    () => false,
  );
  return { seqs, ended, close: () => abort.abort() };
}

/** Triggers a build every few milliseconds until stopped: a busy project. */
function busy(t: TestEngine, pipelinePath: string) {
  let running = true;
  const loop = (async () => {
    while (running) await t.api.trigger(pipelinePath);
  })();
  return async () => {
    running = false;
    await loop;
  };
}

async function expectEndsWithoutLaterEvents(t: TestEngine, stream: Followed, revoke: () => Promise<void>) {
  await revoke();
  const revokedAt = await t.engine.ctx.store.events.lastSeq();
  await t.api.trigger("/v1/projects/acme/pipelines/web");
  expect(await stream.ended).toBe(true);
  expect(stream.seqs.filter((s) => s > revokedAt)).toEqual([]);
}

describe.each(DATABASES)("event streams end when the right to read them goes, on $name", (db) => {
  let t: TestEngine;
  const p = "/v1/projects/acme/pipelines/web";
  const streams: Followed[] = [];
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0, heartbeatMs: HEARTBEAT_MS, settings: { maxStreamsPerUser: 100 } });
    await t.api.pipeline("acme", "web", sleepPipeline());
    await t.api.pipeline("rival", "web", sleepPipeline());
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  async function live(token: string, query = "project=acme"): Promise<Followed> {
    const stream = await follow(t, token, query);
    streams.push(stream);
    // A first event shows the stream is open and delivering.
    await t.api.trigger(p);
    await waitFor(() => stream.seqs.length > 0, { what: "a first event" });
    return stream;
  }

  it("sign-out, on a quiet project", async () => {
    const token = await userWithRoles(t, "quiet-out", { acme: "viewer" });
    const stream = await live(token);
    await expectEndsWithoutLaterEvents(t, stream, async () => {
      expect((await t.api.as(token).request("DELETE", "/v1/sessions/current")).status).toBe(204);
    });
  });

  it("sign-out, on a busy project", async () => {
    const token = await userWithRoles(t, "busy-out", { acme: "viewer" });
    const stream = await live(token);
    const stop = busy(t, p);
    try {
      await waitFor(() => stream.seqs.length > 5, { what: "a busy stream" });
      await expectEndsWithoutLaterEvents(t, stream, async () => {
        expect((await t.api.as(token).request("DELETE", "/v1/sessions/current")).status).toBe(204);
      });
    } finally {
      await stop();
    }
  });

  it("revoking the API token it was opened with", async () => {
    const session = await userWithRoles(t, "scripted", { acme: "viewer" });
    const created = await t.api.as(session).post("/v1/tokens", { name: "script" });
    const stream = await live(created.body.token);
    const other = await live(session);
    await expectEndsWithoutLaterEvents(t, stream, async () => {
      expect((await t.api.as(session).request("DELETE", `/v1/tokens/${created.body.id}`)).status).toBe(204);
    });
    // The user's other token still reads.
    const before = other.seqs.length;
    await t.api.trigger(p);
    await waitFor(() => other.seqs.length > before, { what: "the session's stream to go on" });
  });

  it("removal from the project, on a busy project; the user's streams of other projects go on", async () => {
    const token = await userWithRoles(t, "leaver", { acme: "developer", rival: "viewer" });
    const scoped = await live(token);
    const everything = await live(token, "");
    const rival = await follow(t, token, "project=rival");
    streams.push(rival);
    const stop = busy(t, p);
    try {
      await expectEndsWithoutLaterEvents(t, scoped, async () => {
        expect((await t.api.request("DELETE", "/v1/projects/acme/members/leaver")).status).toBe(204);
      });
      expect(await everything.ended).toBe(true);
    } finally {
      await stop();
    }
    await t.api.trigger("/v1/projects/rival/pipelines/web");
    await waitFor(() => rival.seqs.length > 0, { what: "the other project's stream to go on" });
  });

  it("a session that expires", async () => {
    await userWithRoles(t, "shortlived", { acme: "viewer" });
    const short = await startTestEngine({
      db,
      slots: 0,
      heartbeatMs: HEARTBEAT_MS,
      root: path.dirname(t.dataDir),
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
      settings: { sessionTtlMs: 4000 },
    });
    try {
      const token = await signIn(short, "shortlived");
      const stream = await follow(short, token, "project=acme");
      streams.push(stream);
      expect(await stream.ended).toBe(true);
      expect((await short.api.as(token).get("/v1/me")).status).toBe(401);
    } finally {
      await short.stop();
    }
  });
});

describe.each(DATABASES.filter((d) => d.name === "postgres"))("across engine replicas on $name", (db) => {
  let first: TestEngine;
  let second: TestEngine;
  const streams: Followed[] = [];
  beforeAll(async () => {
    first = await startTestEngine({ db, slots: 0, heartbeatMs: HEARTBEAT_MS });
    second = await startTestEngine({ db, slots: 0, heartbeatMs: HEARTBEAT_MS, pgSchema: first.pgSchema as string });
    await first.api.pipeline("acme", "web", sleepPipeline());
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    await second?.stop();
    await first?.destroy();
  });

  async function live(t: TestEngine, token: string): Promise<Followed> {
    const stream = await follow(t, token, "project=acme");
    streams.push(stream);
    await t.api.trigger("/v1/projects/acme/pipelines/web");
    await waitFor(() => stream.seqs.length > 0, { what: "a first event" });
    return stream;
  }

  it("signing out on one replica ends the session's stream on the other", async () => {
    const token = await userWithRoles(first, "roamer", { acme: "viewer" });
    const stream = await live(first, token);
    expect((await second.api.as(token).request("DELETE", "/v1/sessions/current")).status).toBe(204);
    expect(await stream.ended).toBe(true);
  });

  it("removing a member on one replica ends their stream on the other", async () => {
    const token = await userWithRoles(first, "member", { acme: "viewer" });
    const stream = await live(first, token);
    expect((await second.api.request("DELETE", "/v1/projects/acme/members/member")).status).toBe(204);
    expect(await stream.ended).toBe(true);
  });

  it("a replica started with a new admin token ends the old token's streams on the others", async () => {
    const stream = await live(first, "test-admin-token");
    const rotated = await startTestEngine({
      db,
      slots: 0,
      pgSchema: first.pgSchema as string,
      settings: { adminToken: "rotated-admin-token" },
    });
    try {
      expect(await stream.ended).toBe(true);
    } finally {
      await rotated.stop();
    }
  });
});
