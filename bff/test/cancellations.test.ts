/** The page's cancellations through the BFF: preview, confirm bound to the preview, project-wide, protected builds. */
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

describe.each(DATABASES)("cancellations through the BFF on $name", (db) => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.destroy();
  });

  it("a preview answers counts and a snapshot; the confirm cancels what was previewed, not what came after", async () => {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    for (let i = 0; i < 4; i++) await stack.engine.api.trigger(p, { branch: "main" });
    const filter = { status: ["QUEUED", "RUNNING"], branch: "main" };

    const preview = await browser.request("POST", "/api/projects/acme/pipelines/web/cancellations/preview", { filter });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ total: 4, byStatus: { QUEUED: 4, RUNNING: 0 }, upTo: { web: 4 } });
    const late = await stack.engine.api.trigger(p, { branch: "main" });

    const confirm = await browser.request("POST", "/api/projects/acme/pipelines/web/cancellations", {
      filter,
      snapshot: preview.body.snapshot,
      reason: "bad push",
    });
    expect(confirm.status).toBe(202);
    expect(confirm.body.operation).toMatchObject({ total: 4, source: "user" });
    expect((await stack.engine.api.build(late.id)).status).toBe("QUEUED");
  });

  it("all but the newest per branch, above the project's threshold: the preview says what it keeps and asks for the number, and the confirm carries it", async () => {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await stack.engine.api.put("/v1/projects/acme", { bulkCancel: { confirmAbove: 2 } });
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    for (let i = 0; i < 3; i++) for (const branch of ["main", "dev"]) await stack.engine.api.trigger(p, { branch });
    const filter = { status: ["QUEUED", "RUNNING"], keepNewest: { per: "branch", count: 1 } };
    const path = "/api/projects/acme/pipelines/web/cancellations";

    const preview = await browser.request("POST", `${path}/preview`, { filter });
    expect(preview.body).toMatchObject({ total: 4, kept: 2, keptKeys: 2, confirmation: { required: true, above: 2 } });
    const unconfirmed = await browser.request("POST", path, { filter, snapshot: preview.body.snapshot });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe("confirmation_required");
    const confirm = await browser.request("POST", path, { filter, snapshot: preview.body.snapshot, confirmCount: 4 });
    expect(confirm.status).toBe(202);
    expect(confirm.body.operation).toMatchObject({ total: 4, selection: { kept: 2 } });
  });

  it("a project-wide cancel goes through the project's route", async () => {
    stack = await startStack({ db, slots: 0 });
    const a = await stack.engine.api.pipeline("acme", "a", sleepPipeline());
    const b = await stack.engine.api.pipeline("acme", "b", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    await stack.engine.api.trigger(a, { branch: "x" });
    await stack.engine.api.trigger(b, { branch: "x" });
    const filter = { status: ["QUEUED"], branch: "x" };
    const preview = await browser.request("POST", "/api/projects/acme/cancellations/preview", { filter });
    expect(preview.body.byPipeline).toEqual({ a: 1, b: 1 });
    const confirm = await browser.request("POST", "/api/projects/acme/cancellations", {
      filter,
      snapshot: preview.body.snapshot,
    });
    expect(confirm.status).toBe(202);
    expect(confirm.body.operation).toMatchObject({ scope: "project", pipeline: null, total: 2 });
  });

  it("an expired preview is refused with 409 preview_expired and nothing canceled; the old all-active body is refused", async () => {
    stack = await startStack({ db, slots: 0, settings: { previewTtlSeconds: 60 } });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    const build = await stack.engine.api.trigger(p);
    const path = "/api/projects/acme/pipelines/web/cancellations";
    const filter = { status: ["QUEUED", "RUNNING"] };
    const preview = await browser.request("POST", `${path}/preview`, { filter });

    const now = stack.engine.engine.ctx.now;
    stack.engine.engine.ctx.now = () => now() + 61_000;
    try {
      const expired = await browser.request("POST", path, { filter, snapshot: preview.body.snapshot });
      expect([expired.status, expired.body.error.code]).toEqual([409, "preview_expired"]);
    } finally {
      stack.engine.engine.ctx.now = now;
    }
    const legacy = await browser.request("POST", path, { allActive: true });
    expect([legacy.status, legacy.body.error.code]).toEqual([400, "invalid_input"]);
    const unbound = await browser.request("POST", path, { filter });
    expect([unbound.status, unbound.body.error.code]).toEqual([400, "invalid_input"]);
    expect((await stack.engine.api.build(build.id)).status).toBe("QUEUED");
  });

  it("ticked builds confirmed with their preview's snapshot; a protected build is left running unless the cancel is forced", async () => {
    stack = await startStack({ db, slots: 2 });
    const p = await stack.engine.api.pipeline("acme", "release", {
      cancelGraceSeconds: 1,
      stages: [
        { name: "s", jobs: [{ name: "deploy", interruptible: false, steps: [{ run: "echo started; sleep 300" }] }] },
      ],
    });
    await addUser(stack, "dev", { acme: "developer" });
    const browser = new Browser(stack.bff.url);
    await browser.signIn("dev");
    const build = await stack.engine.api.trigger(p);
    await waitFor(async () =>
      String((await stack.engine.api.get(`/v1/builds/${build.id}/log`)).body).includes("started"),
    );
    const path = "/api/projects/acme/pipelines/release/cancellations";

    const preview = await browser.request("POST", `${path}/preview`, { buildIds: [build.id] });
    expect(preview.body).toMatchObject({ total: 1, protected: 1, byStatus: { RUNNING: 1 } });
    const unforced = await browser.request("POST", path, { buildIds: [build.id], snapshot: preview.body.snapshot });
    expect(unforced.body.operation.counts).toMatchObject({ protected: 1, canceled: 0 });
    expect((await stack.engine.api.build(build.id)).status).toBe("RUNNING");

    const again = await browser.request("POST", `${path}/preview`, { buildIds: [build.id] });
    const forced = await browser.request("POST", path, {
      buildIds: [build.id],
      snapshot: again.body.snapshot,
      force: true,
    });
    expect(forced.body.operation.counts.protected).toBe(0);
    await waitFor(async () => (await stack.engine.api.build(build.id)).status === "CANCELED");
  });
});
