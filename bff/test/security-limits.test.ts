/**
 * The BFF passes the engine's limits through: Retry-After on every 429, Idempotency-Key on
 * every mutating call, and a limit of its own on open streams per user.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "../../engine/test/db-snapshot.ts";
import { DATABASES, sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { expectRefusal } from "../../engine/test/security-helpers.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

/** Opens a stream and closes it as soon as it is open: its status, or the refusal. */
async function openAndClose(browser: Browser, path: string): Promise<number> {
  const close = new AbortController();
  const res = await browser.stream(path, { onOpen: () => close.abort(), signal: close.signal });
  return res.status;
}

describe.each(DATABASES)("limits through the BFF on $name", (db) => {
  let stack: Stack;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await stack?.destroy();
  });

  it("a 429 too_many_operations reaches the browser with the engine's Retry-After", async () => {
    stack = await startStack({ db, slots: 0, settings: { maxRunningOperationsPerUser: 1 } });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const quiet = await new SimAgent(stack.engine.engine.channel, "quiet", { slots: 0, stopMode: "ignore" }).start();
    const [a, b] = await seedBuilds(stack.engine, p, 2, { status: () => "RUNNING", agents: ["quiet"] });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const path = "/api/projects/acme/pipelines/web/cancellations";
    expect((await dev.request("POST", path, { buildIds: [a] })).status).toBe(202);
    // The stop reaches the agent, which ignores it: the operation stays running, nothing else moves.
    await waitFor(() => quiet.stopsReceived.length === 1);
    await quiet.stop();
    const before = await databaseSnapshot(stack.engine);
    const limited = await dev.request("POST", path, { buildIds: [b] });
    expectRefusal(limited, 429, "too_many_operations");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.error.details.retryAfterSeconds).toBe(Number(limited.headers.get("retry-after")));
    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });

  it("the single cancel passes Idempotency-Key: a retried click returns the first operation", async () => {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const [build] = await seedBuilds(stack.engine, p, 1, { status: () => "QUEUED" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const first = await dev.request(
      "POST",
      `/api/builds/${build}/cancel`,
      { reason: "oops" },
      { "Idempotency-Key": "c-1" },
    );
    expect(first.status).toBe(202);
    const again = await dev.request(
      "POST",
      `/api/builds/${build}/cancel`,
      { reason: "oops" },
      { "Idempotency-Key": "c-1" },
    );
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toBe(first.body.operation.id);
    const before = await databaseSnapshot(stack.engine);
    const reused = await dev.request(
      "POST",
      `/api/builds/${build}/cancel`,
      { reason: "other" },
      { "Idempotency-Key": "c-1" },
    );
    expectRefusal(reused, 422, "idempotency_key_reused");
    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });

  it("beyond SLUICE_MAX_STREAMS_PER_USER open streams (any kind) a user gets 429 with Retry-After", async () => {
    stack = await startStack({ db, slots: 0, maxStreamsPerUser: 2 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    await addUser(stack, "viewer", { acme: "viewer" });
    const [build] = await seedBuilds(stack.engine, p, 1, { status: () => "QUEUED" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const opened: Promise<unknown>[] = [];
    const stop = new AbortController();
    let open = 0;
    for (const path of ["/api/stream?topics=project:acme", `/api/stream?topics=log:${build}`]) {
      opened.push(dev.stream(path, { onOpen: () => void open++, signal: stop.signal, timeoutMs: 60_000 }));
    }
    await waitFor(() => open === 2, { what: "two open streams" });
    const refused = await dev.request("GET", "/api/stream?topics=pipeline:acme/web");
    expectRefusal(refused, 429, "too_many_streams");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const viewer = new Browser(stack.bff.url);
    await viewer.signIn("viewer");
    expect(await openAndClose(viewer, "/api/stream?topics=project:acme")).toBe(200);
    stop.abort();
    await Promise.all(opened);
    // Closed streams free their places.
    await waitFor(async () => (await openAndClose(dev, "/api/stream?topics=project:acme")) === 200);
  });
});
