/** The page's cancellations through the BFF: preview, confirm bound to the preview, project-wide. */
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline } from "../../engine/test/harness.ts";
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
});
