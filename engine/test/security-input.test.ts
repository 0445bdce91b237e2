/**
 * Every bad request is a 4xx with a stable code on both databases, and changes nothing: NUL and
 * other control characters anywhere, YAML alias bombs and oversized pipelines, compressed bodies
 * that do not decode, paths that do not decode, unknown routes.
 */
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseSnapshot } from "./db-snapshot.ts";
import { DATABASES, startTestEngine, type TestEngine } from "./harness.ts";
import { expectRefusal, userWithRoles } from "./security-helpers.ts";

type Sent = { status: number; body: any };
type Case = [name: string, send: () => Promise<Sent>, status: number, code: string];

const QUICK = { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }] };

async function raw(
  t: TestEngine,
  method: string,
  pathname: string,
  body: Buffer | string,
  headers: Record<string, string>,
) {
  const res = await fetch(t.engine.url + pathname, {
    method,
    headers: { Authorization: `Bearer ${t.api.token}`, ...headers },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text,
  };
}

/** Anchors nine deep, nine aliases each: 9^6 strings from a few hundred bytes. */
const ALIAS_BOMB = ["a", "b", "c", "d", "e", "f"]
  .map(
    (name, i, all) =>
      `${name}: &${name} [${Array(9)
        .fill(i === 0 ? '"lol"' : `*${all[i - 1]}`)
        .join(", ")}]`,
  )
  .concat(["stages: [{name: s, jobs: [{name: j, steps: [{run: 'true'}]}]}]"])
  .join("\n");

describe.each(DATABASES)("bad requests on $name: 4xx, a stable code, nothing changed", (db) => {
  let t: TestEngine;
  let build: number;
  let dev: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.pipeline("acme", "web", QUICK);
    build = (await t.api.trigger("/v1/projects/acme/pipelines/web")).id;
    dev = await userWithRoles(t, "dev", { acme: "developer" });
    viewer = await userWithRoles(t, "viewer", { acme: "viewer" });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const p = "/v1/projects/acme/pipelines/web";
  const nul = "ma\u0000in";
  const cases: Case[] = [
    ["NUL in a cancel reason", () => t.api.post(`/v1/builds/${build}/cancel`, { reason: nul }), 400, "invalid_input"],
    [
      "NUL in a batch-cancel reason",
      () => t.api.post(`${p}/builds/batch-cancel`, { buildIds: [build], reason: nul }),
      400,
      "invalid_input",
    ],
    ["NUL in a branch", () => t.api.post(`${p}/builds`, { branch: nul }), 400, "invalid_input"],
    ["a bell character in a branch", () => t.api.post(`${p}/builds`, { branch: "a\u0007b" }), 400, "invalid_input"],
    ["NUL in a parameter", () => t.api.post(`${p}/builds`, { params: { A: nul } }), 400, "invalid_input"],
    [
      "NUL in a filter's branch",
      () => t.api.post(`${p}/builds/batch-cancel`, { filter: { status: ["QUEUED"], branch: nul } }),
      400,
      "invalid_input",
    ],
    [
      "NUL in a sign-in username",
      () => t.api.as(undefined).post("/v1/sessions", { username: "ad\u0000min", password: "x" }),
      400,
      "invalid_input",
    ],
    [
      "NUL in a new user's password",
      () => t.api.post("/v1/users", { username: "eve", password: "secret\u0000secret" }),
      400,
      "invalid_input",
    ],
    [
      "NUL in a project's display name",
      () => t.api.put("/v1/projects/acme", { displayName: nul }),
      400,
      "invalid_input",
    ],
    ["NUL in a token name", () => t.api.post("/v1/tokens", { name: nul }), 400, "invalid_input"],
    ["NUL in a JSON key", () => t.api.post(`${p}/builds`, { params: { ["A\u0000"]: "x" } }), 400, "invalid_input"],
    ["NUL in a project path segment", () => t.api.get("/v1/projects/ac%00me/pipelines"), 400, "invalid_input"],
    [
      "NUL in a pipeline path segment",
      () => t.api.get("/v1/projects/acme/pipelines/w%00eb/builds"),
      400,
      "invalid_input",
    ],
    [
      "NUL in a member's name",
      () => t.api.request("PUT", "/v1/projects/acme/members/d%00ev", { role: "viewer" }),
      400,
      "invalid_input",
    ],
    ["NUL in an operation id", () => t.api.get("/v1/operations/op%00x"), 400, "invalid_input"],
    ["an escape character in a path", () => t.api.get("/v1/projects/ac%1bme"), 400, "invalid_input"],
    ["NUL in ?branch= of the history", () => t.api.get(`${p}/builds?branch=%00`), 400, "invalid_input"],
    ["NUL in ?branch= of the counts", () => t.api.get(`${p}/builds/counts?branch=x%00`), 400, "invalid_input"],
    ["NUL in ?project= of the events", () => t.api.get("/v1/events?project=ac%00me"), 400, "invalid_input"],
    [
      "NUL in ?pipeline= of the operations",
      () => t.api.get("/v1/projects/acme/operations?pipeline=%00"),
      400,
      "invalid_input",
    ],
    [
      "NUL in a YAML pipeline",
      () => t.api.put(p, `stages: [{name: s, jobs: [{name: j, steps: [{run: "a\u0000b"}]}]}]`),
      400,
      "invalid_input",
    ],
    [
      "NUL in a JSON pipeline",
      () => t.api.put(p, { stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: nul }] }] }] }),
      400,
      "invalid_input",
    ],
    ["a path that does not decode", () => t.api.get("/v1/projects/%E0%A4%A/pipelines"), 400, "invalid_input"],
    [
      "a concurrency group reading a member every object inherits",
      () => t.api.put(p, { ...QUICK, concurrency: { group: "${{ params.constructor }}" } }),
      400,
      "invalid_pipeline",
    ],
    ["a YAML alias bomb", () => t.api.put(p, ALIAS_BOMB), 400, "yaml_too_complex"],
    [
      "a pipeline with more steps than any build may run",
      () =>
        t.api.put(p, {
          stages: Array.from({ length: 50 }, (_, s) => ({
            name: `s${s}`,
            jobs: Array.from({ length: 20 }, (_, j) => ({
              name: `j${j}`,
              steps: Array.from({ length: 10 }, () => ({ run: "true" })),
            })),
          })),
        }),
      400,
      "pipeline_too_large",
    ],
    [
      "a gzip body that does not decode",
      () =>
        raw(t, "POST", `${p}/builds`, Buffer.from("not gzip at all"), {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
        }),
      400,
      "malformed_body",
    ],
    [
      "a truncated gzip body",
      () =>
        raw(t, "PUT", p, zlib.gzipSync(Buffer.from(JSON.stringify(QUICK))).subarray(0, 20), {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
        }),
      400,
      "malformed_body",
    ],
    [
      "a deflate YAML body that does not decode",
      () =>
        raw(t, "PUT", p, Buffer.from("nope"), { "Content-Type": "application/yaml", "Content-Encoding": "deflate" }),
      400,
      "malformed_body",
    ],
    ["an unknown route as a viewer", () => t.api.as(viewer).get("/v1/nothing-here"), 404, "no_route"],
    ["an unknown route as a developer", () => t.api.as(dev).post("/v1/projects/acme/nothing", {}), 404, "no_route"],
    ["an unknown route as the admin", () => t.api.get("/v1/nothing-here"), 404, "no_route"],
  ];

  it.each(cases)("%s", async (_name, send, status, code) => {
    const before = await databaseSnapshot(t);
    expectRefusal(await send(), status, code);
    expect(await databaseSnapshot(t)).toEqual(before);
  });

  it("a compressed body that does decode is accepted", async () => {
    const res = await raw(t, "POST", `${p}/builds`, zlib.gzipSync(Buffer.from(JSON.stringify({ branch: "gz" }))), {
      "Content-Type": "application/json",
      "Content-Encoding": "gzip",
    });
    expect(res.status).toBe(201);
    expect(res.body.branch).toBe("gz");
  });

  it("tabs and newlines stay allowed in text (a multi-line step, a multi-line reason)", async () => {
    const saved = await t.api.put(
      "/v1/projects/acme/pipelines/multi",
      "stages:\n  - name: s\n    jobs:\n      - name: j\n        steps:\n          - run: |\n              echo a\n              echo\tb\n",
    );
    expect(saved.status).toBe(201);
    const queued = await t.api.trigger("/v1/projects/acme/pipelines/multi");
    const canceled = await t.api.post(`/v1/builds/${queued.id}/cancel`, { reason: "line one\nline two" });
    expect(canceled.status).toBe(202);
  });
});
