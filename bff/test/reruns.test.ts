/** The page's re-runs through the BFF: preview, confirm, from an operation, project-wide; refused as cancels are. */
import { afterEach, describe, expect, it } from "vitest";
import { databaseSnapshot } from "../../engine/test/db-snapshot.ts";
import { DATABASES, sleepPipeline } from "../../engine/test/harness.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

describe.each(DATABASES)("re-runs through the BFF on $name", (db) => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.destroy();
  });

  async function setup() {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    await addUser(stack, "viewer", { acme: "viewer" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    return { p, dev };
  }

  /** Builds that ended canceled, in one operation canceled through the page's route. */
  async function canceled(p: string, dev: Browser, branches: string[]) {
    const builds = [];
    for (const branch of branches) builds.push(await stack.engine.api.trigger(p, { branch, commit: "abcdef1" }));
    const cancel = await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", {
      buildIds: builds.map((b) => b.id),
    });
    expect(cancel.status).toBe(202);
    return { builds, operation: cancel.body.operation };
  }

  it("ticked builds: the preview counts them, the confirm makes a new build of each with the same branch and commit", async () => {
    const { p, dev } = await setup();
    const { builds } = await canceled(p, dev, ["main", "release"]);
    const path = "/api/projects/acme/pipelines/web/reruns";
    const ids = builds.map((b) => b.id);

    const preview = await dev.request("POST", `${path}/preview`, { buildIds: ids });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ total: 2, byStatus: { CANCELED: 2 }, upTo: { web: 2 } });
    const rerun = await dev.request(
      "POST",
      path,
      { buildIds: ids, snapshot: preview.body.snapshot, reason: "flaky" },
      { "Idempotency-Key": "r-1" },
    );
    expect(rerun.status).toBe(201);
    expect(rerun.body.operation).toMatchObject({
      kind: "rerun",
      status: "completed",
      source: "user",
      requestedBy: "dev",
      reason: "flaky",
      total: 2,
      counts: { created: 2, skipped: 0, failed: 0, pending: 0 },
    });
    const again = await dev.request(
      "POST",
      path,
      { buildIds: ids, snapshot: preview.body.snapshot, reason: "flaky" },
      { "Idempotency-Key": "r-1" },
    );
    expect(again.body.operation.id).toBe(rerun.body.operation.id);
    const history = await dev.request("GET", "/api/projects/acme/pipelines/web/history?status=QUEUED");
    expect(history.body.builds.items.map((b: any) => [b.number, b.branch, b.commit, b.triggeredBy])).toEqual([
      [4, "release", "abcdef1", "dev"],
      [3, "main", "abcdef1", "dev"],
    ]);
  });

  it("a key used for another body or by a cancel answers 422 idempotency_key_reused, and nothing is created", async () => {
    const { p, dev } = await setup();
    const { builds } = await canceled(p, dev, ["main", "release"]);
    const [a, b] = builds.map((x) => x.id);
    const path = "/api/projects/acme/pipelines/web/reruns";
    const first = await dev.request("POST", path, { buildIds: [a] }, { "Idempotency-Key": "r-2" });
    expect(first.status).toBe(201);
    const queued = await stack.engine.api.trigger(p);
    const cancel = await dev.request(
      "POST",
      "/api/projects/acme/pipelines/web/cancellations",
      { buildIds: [queued.id] },
      { "Idempotency-Key": "c-2" },
    );
    expect(cancel.status).toBe(202);

    const before = await databaseSnapshot(stack.engine);
    for (const [route, body, key] of [
      [path, { buildIds: [b] }, "r-2"],
      ["/api/projects/acme/reruns", { buildIds: [a] }, "r-2"],
      [path, { buildIds: [queued.id] }, "c-2"],
      ["/api/projects/acme/reruns", { buildIds: [queued.id] }, "c-2"],
    ] as const) {
      const res = await dev.request("POST", route, body, { "Idempotency-Key": key });
      expect([route, key, res.status, res.body.error?.code]).toEqual([route, key, 422, "idempotency_key_reused"]);
    }
    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });

  it("re-runs what an operation canceled, and a build still active is skipped", async () => {
    const { p, dev } = await setup();
    const { operation } = await canceled(p, dev, ["a", "b", "c"]);
    const preview = await dev.request("POST", "/api/projects/acme/pipelines/web/reruns/preview", {
      fromOperation: operation.id,
    });
    expect(preview.body).toMatchObject({ total: 3, byStatus: { CANCELED: 3 } });
    const rerun = await dev.request("POST", "/api/projects/acme/pipelines/web/reruns", {
      fromOperation: operation.id,
      snapshot: preview.body.snapshot,
    });
    expect(rerun.body.operation).toMatchObject({
      total: 3,
      counts: { created: 3 },
      selection: { fromOperation: operation.id },
    });

    const queued = await stack.engine.api.trigger(p);
    const skipped = await dev.request("POST", "/api/projects/acme/pipelines/web/reruns", { buildIds: [queued.id] });
    expect(skipped.body.operation.counts).toMatchObject({ created: 0, skipped: 1 });
  });

  it("an operation is re-run once: the page learns which re-run it has, its items name their pipeline, and a new build is found by its number", async () => {
    const { p, dev } = await setup();
    const { operation } = await canceled(p, dev, ["a"]);
    const path = "/api/projects/acme/pipelines/web/reruns";
    const rerun = await dev.request("POST", path, { fromOperation: operation.id });
    expect(rerun.body.operation.rerunOf).toBe(operation.id);
    expect((await dev.request("GET", `/api/operations/${operation.id}`)).body.operation.rerunBy).toBe(
      rerun.body.operation.id,
    );
    const items = (await dev.request("GET", `/api/operations/${rerun.body.operation.id}/items`)).body.items;
    expect(items).toEqual([expect.objectContaining({ outcome: "created", note: "#2", pipeline: "web" })]);
    const again = await dev.request("POST", path, { fromOperation: operation.id });
    expect([again.status, again.body.error.code, again.body.error.details]).toEqual([
      409,
      "already_rerun",
      { operationId: rerun.body.operation.id },
    ]);

    const byNumber = await dev.request("GET", "/api/projects/acme/pipelines/web/builds/2");
    expect(byNumber.status).toBe(200);
    expect(byNumber.body.build).toMatchObject({ number: 2, branch: "a", pipeline: "web" });
    expect(byNumber.body.permissions.canTrigger).toBe(true);
    const missing = await dev.request("GET", "/api/projects/acme/pipelines/web/builds/99");
    expect([missing.status, missing.body.error.code]).toEqual([404, "build_not_found"]);
    const bad = await dev.request("GET", "/api/projects/acme/pipelines/web/builds/x1");
    expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_id"]);
  });

  it("Run build: a developer triggers a build with declared parameters; a viewer, an undeclared parameter or a bad commit are refused", async () => {
    await setup();
    await stack.engine.api.pipeline("acme", "params", {
      params: { TARGET: { options: ["staging", "prod"], default: "staging" } },
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const path = "/api/projects/acme/pipelines/params/builds";
    const history = await dev.request("GET", "/api/projects/acme/pipelines/params/history");
    expect(history.body.pipeline.params).toEqual({ TARGET: { options: ["staging", "prod"], default: "staging" } });

    const made = await dev.request("POST", path, { branch: "release", commit: "abcdef1", params: { TARGET: "prod" } });
    expect(made.status).toBe(201);
    expect(made.body.build).toMatchObject({
      number: 1,
      branch: "release",
      commit: "abcdef1",
      params: { TARGET: "prod" },
      triggeredBy: "dev",
    });

    const viewer = new Browser(stack.bff.url);
    await viewer.signIn("viewer");
    const before = await databaseSnapshot(stack.engine);
    const refused = await viewer.request("POST", path, { branch: "main" });
    expect([refused.status, refused.body.error.code]).toEqual([403, "forbidden"]);
    const undeclared = await dev.request("POST", path, { params: { OTHER: "x" } });
    expect([undeclared.status, undeclared.body.error.code]).toEqual([400, "invalid_input"]);
    const badCommit = await dev.request("POST", path, { commit: "not hex" });
    expect([badCommit.status, badCommit.body.error.code]).toEqual([400, "invalid_input"]);
    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });

  it("a project-wide re-run by filter acts on the builds that existed at the preview", async () => {
    const { p, dev } = await setup();
    await canceled(p, dev, ["x", "x"]);
    const filter = { status: ["CANCELED"], branch: "x" };
    const preview = await dev.request("POST", "/api/projects/acme/reruns/preview", { filter });
    expect(preview.body).toMatchObject({ total: 2, byPipeline: { web: 2 } });
    await canceled(p, dev, ["x"]);
    const rerun = await dev.request("POST", "/api/projects/acme/reruns", { filter, snapshot: preview.body.snapshot });
    expect(rerun.status).toBe(201);
    expect(rerun.body.operation).toMatchObject({ scope: "project", pipeline: null, total: 2, counts: { created: 2 } });
  });

  it("is refused, with nothing changed, without the CSRF token, for a viewer, for a filter without its preview and for a mixed selection", async () => {
    const { p, dev } = await setup();
    const { builds, operation } = await canceled(p, dev, ["main"]);
    const path = "/api/projects/acme/pipelines/web/reruns";
    const viewer = new Browser(stack.bff.url);
    await viewer.signIn("viewer");
    const before = await databaseSnapshot(stack.engine);

    const forged = await dev.request("POST", path, { buildIds: [builds[0].id] }, { "X-CSRF-Token": "forged" });
    expect([forged.status, forged.body.error.code]).toEqual([403, "csrf_failed"]);
    const asViewer = await viewer.request("POST", path, { buildIds: [builds[0].id] });
    expect([asViewer.status, asViewer.body.error.code]).toEqual([403, "forbidden"]);
    const viewerPreview = await viewer.request("POST", `${path}/preview`, { buildIds: [builds[0].id] });
    expect(viewerPreview.status).toBe(403);
    const unbound = await dev.request("POST", path, { filter: { status: ["CANCELED"] } });
    expect([unbound.status, unbound.body.error.code]).toEqual([400, "invalid_input"]);
    const mixed = await dev.request("POST", path, { buildIds: [builds[0].id], fromOperation: operation.id });
    expect([mixed.status, mixed.body.error.code]).toEqual([400, "invalid_input"]);
    const elsewhere = await dev.request("POST", path, { buildIds: [builds[0].id + 1000] });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, "builds_not_found"]);

    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });
});
