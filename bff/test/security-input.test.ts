/**
 * The BFF's bad requests are 4xx with a stable code and change nothing: control characters,
 * paths and bodies that do not decode, forged cookies, unknown routes, and assets that are
 * missing or reach outside the page (404, with no server path in the answer or the log).
 */
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseSnapshot } from "../../engine/test/db-snapshot.ts";
import { DATABASES, sleepPipeline } from "../../engine/test/harness.ts";
import { expectNoInternals, expectRefusal } from "../../engine/test/security-helpers.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { addUser, Browser, type Stack, startStack } from "./harness.ts";

type Sent = { status: number; body: any };

describe.each(DATABASES)("the BFF's bad requests on $name: 4xx, a stable code, nothing changed", (db) => {
  let stack: Stack;
  let dev: Browser;
  let build: number;
  beforeAll(async () => {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    [build] = (await seedBuilds(stack.engine, p, 1, { status: () => "QUEUED" })) as [number];
    dev = new Browser(stack.bff.url);
    expect((await dev.signIn("dev")).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.destroy();
  });

  /** A GET with the path as written: `fetch` would resolve `..` before sending. */
  const getRaw = (pathname: string): Promise<Sent> =>
    new Promise((resolve, reject) => {
      const req = http.get(stack.bff.url + "/", { path: pathname }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          const json = (res.headers["content-type"] ?? "").includes("json");
          resolve({ status: res.statusCode ?? 0, body: json ? JSON.parse(text) : text });
        });
      });
      req.on("error", reject);
    });
  const send = async (pathname: string, init: RequestInit = {}): Promise<Sent> => {
    const res = await fetch(stack.bff.url + pathname, init);
    const text = await res.text();
    return {
      status: res.status,
      body: (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text,
    };
  };
  const cases: [string, () => Promise<Sent>, number, string][] = [
    [
      "NUL in a sign-in username",
      () => new Browser(stack.bff.url).request("POST", "/api/session", { username: "d\u0000ev", password: "x" }),
      400,
      "invalid_input",
    ],
    [
      "NUL in a project path segment",
      () => dev.request("GET", "/api/projects/ac%00me/pipelines"),
      400,
      "invalid_input",
    ],
    [
      "NUL in ?branch=",
      () => dev.request("GET", "/api/projects/acme/pipelines/web/history?branch=%00"),
      400,
      "invalid_input",
    ],
    [
      "NUL in a cancel reason",
      () =>
        dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: [build], reason: "a\u0000" }),
      400,
      "invalid_input",
    ],
    ["a path that does not decode", () => dev.request("GET", "/api/projects/%E0%A4%A/pipelines"), 400, "invalid_input"],
    [
      "a gzip sign-in body that does not decode",
      () =>
        send("/api/session", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
          body: Buffer.from("not gzip"),
        }),
      400,
      "malformed_body",
    ],
    [
      "a session cookie with a NUL",
      () => send("/api/me", { headers: { Cookie: "sluice_session=slu_abc%00def" } }),
      401,
      "unauthenticated",
    ],
    ["an unknown API route with a session", () => dev.request("GET", "/api/nothing-here"), 404, "no_route"],
    [
      "a Last-Event-ID that no stream sent",
      () => dev.request("GET", "/api/stream?topics=pipeline:acme/web", undefined, { "Last-Event-ID": "12abc" }),
      400,
      "invalid_event_id",
    ],
    [
      "a log resumed after a negative chunk id",
      () => dev.request("GET", `/api/stream?topics=log:${build}`, undefined, { "Last-Event-ID": `log:${build}=-1` }),
      400,
      "invalid_event_id",
    ],
  ];

  it.each(cases)("%s", async (_name, request, status, code) => {
    const before = await databaseSnapshot(stack.engine);
    expectRefusal(await request(), status, code);
    expect(await databaseSnapshot(stack.engine)).toEqual(before);
  });

  it("a gzip body that decodes is accepted", async () => {
    const res = await send("/api/session", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
      body: zlib.gzipSync(JSON.stringify({ username: "dev", password: "dev-password" })),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ["a traversing asset path", "/assets/..%2f..%2fpackage.json"],
    ["a traversing asset path with plain dots", "/assets/../../package.json"],
    ["a missing asset", "/assets/missing-0000.js"],
    ["an asset path that does not decode", "/assets/%E0%A4%A.js"],
  ])("%s answers 404 and logs no server path", async (_name, pathname) => {
    stack.logged.length = 0;
    const res = await getRaw(pathname);
    expect(res.status).toBe(404);
    expectNoInternals(JSON.stringify(res.body), [stack.webDist]);
    expectNoInternals(stack.logged.join("\n"), [stack.webDist]);
    expect(stack.logged).toEqual([]);
  });
});
