import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestEngine, type TestEngine } from "./harness.ts";

/** A snapshot of everything a bad request could have changed. */
async function snapshot(t: TestEngine) {
  const db = t.engine.ctx.store;
  return {
    builds: await db.builds.statusCountsAll(),
    pipelines: (await t.api.get("/v1/projects/acme/pipelines")).body,
    events: await db.events.lastSeq(),
  };
}

describe.each(DATABASES)("bad input on $name answers 4xx with a stable code and changes nothing", (db) => {
  let t: TestEngine;
  let p: string;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    p = await t.api.pipeline("acme", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    await t.api.trigger(p);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const cases: [string, (t: TestEngine) => Promise<{ status: number; body: any }>, number, string][] = [
    [
      "malformed YAML",
      (t) => t.api.put("/v1/projects/acme/pipelines/web", "stages: [\n - x\n  bad: ]"),
      400,
      "invalid_yaml",
    ],
    [
      "a missing step command, named by path",
      (t) =>
        t.api.put(
          "/v1/projects/acme/pipelines/web",
          "stages:\n  - name: s\n    jobs:\n      - name: j\n        steps:\n          - name: x\n",
        ),
      400,
      "invalid_pipeline",
    ],
    [
      "a wrong type",
      (t) =>
        t.api.put("/v1/projects/acme/pipelines/web", {
          cancelGraceSeconds: "soon",
          stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }],
        }),
      400,
      "invalid_pipeline",
    ],
    [
      "an unknown field value (queueLength out of range)",
      (t) =>
        t.api.put("/v1/projects/acme/pipelines/web", {
          concurrency: { group: "g", queueLength: 1000 },
          stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "x" }] }] }],
        }),
      400,
      "invalid_pipeline",
    ],
    [
      "an invalid pipeline name",
      (t) => t.api.put("/v1/projects/acme/pipelines/Bad%20Name", { stages: [] }),
      400,
      "invalid_input",
    ],
    [
      "a trigger with a wrong type",
      (t) => t.api.post("/v1/projects/acme/pipelines/web/builds", { branch: 5 }),
      400,
      "invalid_input",
    ],
    [
      "a trigger with an unknown field",
      (t) => t.api.post("/v1/projects/acme/pipelines/web/builds", { brunch: "main" }),
      400,
      "invalid_input",
    ],
    [
      "malformed JSON",
      (t) =>
        t.api.request("POST", "/v1/projects/acme/pipelines/web/builds", "{nope", {
          "Content-Type": "application/json",
        }),
      400,
      "malformed_body",
    ],
    ["an unknown project", (t) => t.api.post("/v1/projects/nope/pipelines/web/builds", {}), 404, "project_not_found"],
    [
      "an unknown pipeline",
      (t) => t.api.post("/v1/projects/acme/pipelines/nope/builds", {}),
      404,
      "pipeline_not_found",
    ],
    [
      "a missing token",
      (t) => t.api.as(undefined).post("/v1/projects/acme/pipelines/web/builds", {}),
      401,
      "unauthenticated",
    ],
    [
      "a wrong token",
      (t) => t.api.as("slu_wrong").post("/v1/projects/acme/pipelines/web/builds", {}),
      401,
      "invalid_token",
    ],
    ["a non-numeric build id", (t) => t.api.post("/v1/builds/abc/cancel", {}), 400, "invalid_id"],
    ["an unknown build", (t) => t.api.post("/v1/builds/99999/cancel", {}), 404, "build_not_found"],
    [
      "an unknown status filter",
      (t) => t.api.get("/v1/projects/acme/pipelines/web/builds?status=DONE"),
      400,
      "invalid_status",
    ],
    ["a bad cursor", (t) => t.api.get("/v1/projects/acme/pipelines/web/builds?cursor=!!"), 400, "invalid_cursor"],
    ["a limit out of range", (t) => t.api.get("/v1/projects/acme/pipelines/web/builds?limit=0"), 400, "invalid_limit"],
    ["an unknown route", (t) => t.api.get("/v1/nothing-here"), 404, "no_route"],
  ];

  it.each(cases)("%s", async (_name, send, status, code) => {
    const before = await snapshot(t);
    const res = await send(t);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe("string");
    expect(await snapshot(t)).toEqual(before);
  });

  it("names the bad field by its path", async () => {
    const res = await t.api.put(
      "/v1/projects/acme/pipelines/web",
      "stages:\n  - name: a\n    jobs: [{name: j, steps: [{run: x}]}]\n  - name: b\n    jobs:\n      - name: k\n        steps: [{run: x}, {run: y}, {name: z}]\n",
    );
    expect(res.body.error.message).toBe("stages[1].jobs[0].steps[2].run: required");
  });
});

describe.each(DATABASES)("bad batch-cancel requests on $name answer 4xx and change nothing", (db) => {
  let t: TestEngine;
  let p: string;
  let ids: number[];
  let foreign: number;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    p = await t.api.pipeline("acme", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    const other = await t.api.pipeline("rival", "web", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });
    ids = [(await t.api.trigger(p)).id, (await t.api.trigger(p)).id];
    foreign = (await t.api.trigger(other)).id;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const state = async () => ({
    ...(await snapshot(t)),
    audit: (await t.api.get("/v1/projects/acme/audit")).body.items.length,
    builds: (await t.api.get(`${p}/builds`)).body.items.map((b: any) => b.status),
  });
  const send = (body: unknown, headers?: Record<string, string>) =>
    t.api.post(`${p}/builds/batch-cancel`, body, headers);

  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ["empty buildIds", () => send({ buildIds: [] }), 400, "invalid_input"],
    ["both buildIds and filter", () => send({ buildIds: ids, filter: { status: ["RUNNING"] } }), 400, "invalid_input"],
    ["neither buildIds nor filter", () => send({ reason: "x" }), 400, "invalid_input"],
    ["a filter without status", () => send({ filter: { branch: "main" } }), 400, "invalid_input"],
    ["a status that is not active", () => send({ filter: { status: ["SUCCEEDED"] } }), 400, "invalid_input"],
    ["unknown ids", () => send({ buildIds: [...ids, 987654] }), 404, "builds_not_found"],
    ["an id of another project", () => send({ buildIds: [...ids, foreign] }), 404, "builds_not_found"],
    [
      "more ids than the limit",
      () => send({ buildIds: Array.from({ length: 10_001 }, (_, i) => i + 1) }),
      400,
      "too_many_builds",
    ],
    ["non-numeric ids", () => send({ buildIds: ["12", 13] }), 400, "invalid_input"],
    ["oversized ids", () => send({ buildIds: [2 ** 60] }), 400, "invalid_input"],
    ["negative ids", () => send({ buildIds: [-3] }), 400, "invalid_input"],
    ["a reason over 500 characters", () => send({ buildIds: ids, reason: "x".repeat(501) }), 400, "invalid_input"],
    ["an unknown field", () => send({ buildIds: ids, everything: true }), 400, "invalid_input"],
    [
      "malformed JSON",
      () =>
        t.api.request("POST", `${p}/builds/batch-cancel`, '{"buildIds": [1,', { "Content-Type": "application/json" }),
      400,
      "malformed_body",
    ],
    [
      "a body over 1 MiB",
      () =>
        t.api.request(
          "POST",
          `${p}/builds/batch-cancel`,
          JSON.stringify({ buildIds: ids, reason: "x".repeat(1_100_000) }),
          { "Content-Type": "application/json" },
        ),
      413,
      "body_too_large",
    ],
    [
      "a missing token",
      () => t.api.as(undefined).post(`${p}/builds/batch-cancel`, { buildIds: ids }),
      401,
      "unauthenticated",
    ],
    [
      "a wrong token",
      () => t.api.as("slu_nope").post(`${p}/builds/batch-cancel`, { buildIds: ids }),
      401,
      "invalid_token",
    ],
    ["a bad Idempotency-Key", () => send({ buildIds: ids }, { "Idempotency-Key": "has space" }), 400, "invalid_input"],
  ];

  it.each(cases)("%s", async (_name, request, status, code) => {
    const before = await state();
    const res = await request();
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await state()).toEqual(before);
  });

  it("an unknown id is named, and an id of another project gives no hint that it exists", async () => {
    const unknown = await send({ buildIds: [...ids, 987654] });
    expect(unknown.body.error.details.buildIds).toEqual([987654]);
    const hidden = await send({ buildIds: [foreign] });
    expect(hidden.body.error.details.buildIds).toEqual([foreign]);
    expect(hidden.body.error.message).toBe(`1 of the builds do not exist in this pipeline: ${foreign}`);
  });
});
