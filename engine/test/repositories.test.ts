/**
 * Repositories end to end, with real git: a real engine and agent on a real database, a bare
 * repository the agent fetches the pushed commit from, and the providers' signed hooks for what
 * was pushed — builds per matching pipeline, superseding pushes, deleted branches and closed pull
 * requests canceling through one bulk operation, and refusals that change nothing.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pruneHookDeliveries } from "../scheduler/sweeper.ts";
import { databaseSnapshot } from "./db-snapshot.ts";
import {
  GitFixture,
  giteaPullRequest,
  giteaPush,
  githubDelete,
  githubPullRequest,
  githubPush,
  gitlabMergeRequest,
  gitlabPush,
  type HookRequest,
  sendHook,
  sign,
} from "./git-fixture.ts";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";
import { expectRefusal, userWithRoles } from "./security-helpers.ts";

const CREDENTIALS = "ghp_sluice-test-token-7f3a9c";

/** A pipeline that follows pushes and prints the pushed file, then waits to be canceled. */
function followPipeline(opts: { branches?: string[]; sleep?: number; pullRequest?: boolean } = {}) {
  return {
    repository: "app",
    on: {
      push: { branches: opts.branches ?? ["main", "feature/**"] },
      ...(opts.pullRequest ? { pullRequest: { branches: ["main"] } } : {}),
    },
    cancelGraceSeconds: 1,
    stages: [
      {
        name: "build",
        jobs: [{ name: "read", steps: [{ run: `cat hello.txt; sleep ${opts.sleep ?? 300}` }] }],
      },
    ],
  };
}

describe.each(DATABASES)("repositories on $name", (db) => {
  let t: TestEngine | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  async function setUp(provider = "github", extra: object = {}) {
    t = await startTestEngine({ db, slots: 4 });
    const repo = new GitFixture(path.join(path.dirname(t.dataDir), "git"));
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: repo.bare,
      provider,
      fullName: "acme/app",
      ...extra,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    return { repo, secret: put.body.hookSecret as string, t };
  }

  const hook = (r: HookRequest) => sendHook(t!.engine.url, "acme", "app", r);

  async function deliveries(): Promise<any[]> {
    return (await t!.api.get("/v1/projects/acme/repositories/app/deliveries")).body.items;
  }

  /** Waits until the delivery with this delivery id was processed (or ignored) and returns it. */
  async function processed(deliveryId: string): Promise<any> {
    return waitFor(
      async () => (await deliveries()).find((d) => d.deliveryId === deliveryId && d.status !== "pending"),
      {
        what: `delivery ${deliveryId} processed`,
      },
    );
  }

  /** The builds an operation acted on, by id. */
  async function itemIds(operation: string): Promise<number[]> {
    const items = (await t!.api.get(`/v1/operations/${operation}/items?limit=200`)).body.items as any[];
    return items.map((i) => i.buildId as number).sort((a, b) => a - b);
  }

  async function builds(pipeline: string): Promise<any[]> {
    return (await t!.api.get(`/v1/projects/acme/pipelines/${pipeline}/builds`)).body.items;
  }

  it("a repository's hook secret is shown once, its credentials never, and rotation replaces the secret", async () => {
    t = await startTestEngine({ db, slots: 0 });
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: "https://github.com/acme/app.git",
      provider: "github",
      credentials: { token: CREDENTIALS },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      name: "app",
      provider: "github",
      credentialsSet: true,
      webUrl: "https://github.com/acme/app",
      hookUrl: `${t.engine.url}/v1/hooks/acme/app`,
    });
    const secret = put.body.hookSecret as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const shown = JSON.stringify([
      (await t.api.get("/v1/projects/acme/repositories/app")).body,
      (await t.api.get("/v1/projects/acme/repositories")).body,
      (
        await t.api.put("/v1/projects/acme/repositories/app", {
          url: "https://github.com/acme/app.git",
          provider: "github",
        })
      ).body,
    ]);
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(CREDENTIALS);
    expect(shown).toContain('"credentialsSet":true');
    // Stored sealed: neither is in the database as written.
    const stored = JSON.stringify(await databaseSnapshot(t));
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(CREDENTIALS);

    const rotated = await t.api.post("/v1/projects/acme/repositories/app/hook-secret");
    expect(rotated.status).toBe(201);
    expect(rotated.body.hookSecret).not.toBe(secret);
    const ping = (s: string) =>
      hook({
        body: "{}",
        headers: {
          "X-GitHub-Event": "ping",
          "X-GitHub-Delivery": `ping-${s.slice(0, 6)}`,
          "X-Hub-Signature-256": `sha256=${sign(s, "{}")}`,
        },
      });
    expect((await ping(secret)).status).toBe(401);
    const accepted = await ping(rotated.body.hookSecret);
    expect(accepted.status).toBe(202);
    expect(accepted.body.delivery).toMatchObject({ event: "ping", status: "ignored", reason: "ping" });
  });

  it("a signed GitHub push starts one build per matching pipeline, whose step reads the pushed file", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ sleep: 0 }));
    await t!.api.pipeline("acme", "lint", followPipeline({ branches: ["main"], sleep: 0 }));
    await t!.api.pipeline("acme", "release", followPipeline({ branches: ["release/*"], sleep: 0 }));
    await t!.api.pipeline("acme", "manual", {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "true" }] }] }],
    });

    const sha = repo.commitAndPush("main", { "hello.txt": "hello from the push\n" }, "Add hello\n\nWith a body.");
    const request = githubPush({ secret, branch: "main", after: sha, message: "Add hello\n\nWith a body." });
    const answer = await hook(request);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ repeated: false, delivery: { event: "push", branch: "main", commit: sha } });

    const delivery = await processed(request.headers["X-GitHub-Delivery"] as string);
    expect(delivery.status).toBe("processed");
    expect(delivery.effects.created.map((c: any) => c.pipeline).sort()).toEqual(["ci", "lint"]);
    expect(await builds("release")).toEqual([]);
    expect(await builds("manual")).toEqual([]);

    const [build] = await builds("ci");
    expect(build).toMatchObject({
      branch: "main",
      commit: sha,
      triggeredBy: "alice",
      trigger: { kind: "push", repository: "app", pullRequest: null, commitAuthor: "alice" },
    });
    expect(build.trigger.commitMessage).toMatch(/^Add hello/);

    const done = await t!.api.waitForStatus(build.id, "SUCCEEDED");
    expect(done.status).toBe("SUCCEEDED");
    const log = (await t!.api.get(`/v1/builds/${build.id}/log`)).body as string;
    expect(log).toContain("hello from the push");
    expect(log).toContain(`checked out ${sha}`);
  });

  it("a second push to the branch cancels the first build as superseded, in one operation from the repository", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline());
    const first = repo.commitAndPush("main", { "hello.txt": "one\n" }, "one");
    const h1 = githubPush({ secret, branch: "main", after: first });
    await hook(h1);
    await processed(h1.headers["X-GitHub-Delivery"] as string);
    const [b1] = await builds("ci");
    await t!.api.waitForStatus(b1.id, "RUNNING");

    const second = repo.commitAndPush("main", { "hello.txt": "two\n" }, "two");
    const h2 = githubPush({ secret, branch: "main", before: first, after: second });
    await hook(h2);
    const d2 = await processed(h2.headers["X-GitHub-Delivery"] as string);
    expect(d2.effects.operationId).toEqual(expect.any(String));
    const canceled = await t!.api.waitForStatus(b1.id, "CANCELED");
    expect(canceled.cancel).toMatchObject({
      by: "alice",
      reason: "superseded by #2",
      operationId: d2.effects.operationId,
    });
    const op = (await t!.api.get(`/v1/operations/${d2.effects.operationId}`)).body;
    expect(op).toMatchObject({ kind: "cancel", source: "repository", total: 1, reason: "superseded by #2" });
    const [b2] = await builds("ci");
    expect(b2).toMatchObject({ number: 2, commit: second, status: expect.stringMatching(/QUEUED|RUNNING/) });
  });

  it("a push superseding in two pipelines makes one project-wide operation, each build keeping its own reason", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "a", followPipeline());
    const b = await t!.api.pipeline("acme", "b", followPipeline());
    // An API build of b on main: b's builds of the pushes are numbered one higher than a's.
    const apiBuild = await t!.api.trigger(b, { branch: "main" });
    const first = repo.commitAndPush("main", { "hello.txt": "1\n" }, "1");
    const h1 = githubPush({ secret, branch: "main", after: first });
    await hook(h1);
    const d1 = await processed(h1.headers["X-GitHub-Delivery"] as string);
    expect(d1.effects.created.map((c: any) => `${c.pipeline}#${c.number}`).sort()).toEqual(["a#1", "b#2"]);
    const second = repo.commitAndPush("main", { "hello.txt": "2\n" }, "2");
    const h2 = githubPush({ secret, branch: "main", before: first, after: second });
    await hook(h2);
    const d2 = await processed(h2.headers["X-GitHub-Delivery"] as string);
    const op = (await t!.api.get(`/v1/operations/${d2.effects.operationId}`)).body;
    expect(op).toMatchObject({ source: "repository", scope: "project", total: 2 });
    expect(op.reason).toBe(`superseded by a push to main (${second.slice(0, 7)})`);
    const reasons = await Promise.all(
      [d1.effects.created[0].buildId, d1.effects.created[1].buildId].map(
        async (id: number) => (await t!.api.waitForStatus(id, "CANCELED")).cancel.reason,
      ),
    );
    expect(reasons.sort()).toEqual(["superseded by #2", "superseded by #3"]);
    // The API build was superseded by b#2 already, at the first push.
    expect((await t!.api.waitForStatus(apiBuild.id, "CANCELED")).cancel.reason).toBe("superseded by #2");
  });

  it("a deleted branch cancels its active builds in one operation; other branches keep running", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline());
    await t!.api.pipeline("acme", "also", followPipeline());
    const feature = repo.commitAndPush("feature/x", { "hello.txt": "feature\n" }, "feature");
    const main = repo.commitAndPush("main", { "hello.txt": "main\n" }, "main");
    for (const [branch, after] of [
      ["feature/x", feature],
      ["main", main],
    ] as const) {
      const h = githubPush({ secret, branch, after });
      await hook(h);
      await processed(h.headers["X-GitHub-Delivery"] as string);
    }
    const del = githubDelete({ secret, branch: "feature/x" });
    await hook(del);
    const d = await processed(del.headers["X-GitHub-Delivery"] as string);
    expect(d).toMatchObject({ event: "branch_deleted", branch: "feature/x", effects: { canceled: 2 } });
    const op = (await t!.api.get(`/v1/operations/${d.effects.operationId}`)).body;
    expect(op).toMatchObject({
      source: "repository",
      scope: "project",
      total: 2,
      reason: "branch feature/x was deleted",
    });
    for (const p of ["ci", "also"]) {
      const all = await builds(p);
      const onFeature = all.find((b) => b.branch === "feature/x");
      const onMain = all.find((b) => b.branch === "main");
      expect((await t!.api.waitForStatus(onFeature.id, "CANCELED")).cancel.reason).toBe("branch feature/x was deleted");
      expect((await t!.api.build(onMain.id)).status).toMatch(/^(QUEUED|RUNNING)$/);
    }
    // A push whose after is all zeros deletes the branch too: nothing left to cancel now.
    const zero = githubPush({ secret, branch: "feature/x", before: feature, after: "0".repeat(40) });
    await hook(zero);
    expect(await processed(zero.headers["X-GitHub-Delivery"] as string)).toMatchObject({
      event: "branch_deleted",
      effects: { operationId: null, canceled: 0 },
    });
  });

  it("a protected branch's builds are left running by the repository's automatic cancels: a newer push, the branch deleted", async () => {
    const { repo, secret } = await setUp();
    expect((await t!.api.put("/v1/projects/acme", { protectedBranches: ["release/*"] })).status).toBe(200);
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["release/**"] }));
    const first = repo.commitAndPush("release/1", { "hello.txt": "one\n" }, "one");
    const h1 = githubPush({ secret, branch: "release/1", after: first });
    await hook(h1);
    await processed(h1.headers["X-GitHub-Delivery"] as string);
    const [b1] = await builds("ci");
    await t!.api.waitForStatus(b1.id, "RUNNING");

    // A newer push on the protected branch starts its build and supersedes nothing.
    const second = repo.commitAndPush("release/1", { "hello.txt": "two\n" }, "two");
    const h2 = githubPush({ secret, branch: "release/1", before: first, after: second });
    await hook(h2);
    await processed(h2.headers["X-GitHub-Delivery"] as string);
    await waitFor(async () => (await builds("ci")).length === 2, { what: "the second push's build" });

    // Deleting the branch cancels none of its builds either.
    const del = githubDelete({ secret, branch: "release/1" });
    await hook(del);
    const d = await processed(del.headers["X-GitHub-Delivery"] as string);
    expect(d).toMatchObject({ event: "branch_deleted", effects: { canceled: 0 } });
    for (const b of await builds("ci")) expect(b.status).toMatch(/^(QUEUED|RUNNING)$/);
    expect((await t!.api.build(b1.id)).status).toBe("RUNNING");
  });

  it("a bulk cancel's preview names the open pull requests whose checks it will turn canceled", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["main"], pullRequest: true }));
    const sha = repo.commitAndPush("topic", { "hello.txt": "topic\n" }, "topic work");
    const opened = githubPullRequest({ secret, action: "opened", number: 12, head: "topic", sha, base: "main" });
    await hook(opened);
    await processed(opened.headers["X-GitHub-Delivery"] as string);
    const [build] = await builds("ci");
    await t!.api.waitForStatus(build.id, "RUNNING");
    const preview = await t!.api.post("/v1/projects/acme/pipelines/ci/builds/batch-cancel/preview", {
      filter: { status: ["RUNNING", "QUEUED"] },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.impact.pullRequests).toEqual([{ repository: "app", number: 12, builds: 1 }]);
  });

  it("automatic cancels leave a build with a started protected job (interruptible: false) running", async () => {
    const { repo, secret } = await setUp();
    const protectedPipeline = followPipeline();
    (protectedPipeline.stages[0]!.jobs[0] as { interruptible?: boolean }).interruptible = false;
    await t!.api.pipeline("acme", "deploy", protectedPipeline);
    const sha = repo.commitAndPush("feature/y", { "hello.txt": "y\n" }, "y");
    const h = githubPush({ secret, branch: "feature/y", after: sha });
    await hook(h);
    await processed(h.headers["X-GitHub-Delivery"] as string);
    const [build] = await builds("deploy");
    await waitFor(async () => ((await t!.api.get(`/v1/builds/${build.id}/log`)).body as string).includes("y\n"), {
      what: "the protected job under way",
    });
    const del = githubDelete({ secret, branch: "feature/y" });
    await hook(del);
    const d = await processed(del.headers["X-GitHub-Delivery"] as string);
    const op = (await t!.api.get(`/v1/operations/${d.effects.operationId}`)).body;
    expect(op.counts).toMatchObject({ protected: 1 });
    expect((await t!.api.build(build.id)).status).toBe("RUNNING");
  });

  it("a pull request starts pullRequest pipelines carrying its number; closing it cancels them", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["main"], pullRequest: true }));
    const sha = repo.commitAndPush("topic", { "hello.txt": "topic\n" }, "topic work");
    const opened = githubPullRequest({ secret, action: "opened", number: 12, head: "topic", sha, base: "main" });
    await hook(opened);
    const d = await processed(opened.headers["X-GitHub-Delivery"] as string);
    expect(d).toMatchObject({ event: "pull_request", action: "opened", pullRequest: 12 });
    const [build] = await builds("ci");
    expect(build).toMatchObject({ branch: "topic", commit: sha, trigger: { kind: "pull_request", pullRequest: 12 } });
    await t!.api.waitForStatus(build.id, "RUNNING");

    const closed = githubPullRequest({ secret, action: "closed", number: 12, head: "topic", sha, base: "main" });
    await hook(closed);
    const c = await processed(closed.headers["X-GitHub-Delivery"] as string);
    expect(c.effects.canceled).toBe(1);
    expect((await t!.api.waitForStatus(build.id, "CANCELED")).cancel.reason).toBe("pull request #12 was closed");
  });

  it("a bulk cancel's filter reaches builds by what triggered them and by pull request, its preview counting the same", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["main"], pullRequest: true }));
    const p = "/v1/projects/acme/pipelines/ci";
    const start = async (request: HookRequest) => {
      await hook(request);
      return (await processed(request.headers["X-GitHub-Delivery"] as string)).effects.created[0].buildId as number;
    };
    const topic = repo.commitAndPush("topic", { "hello.txt": "12\n" }, "twelve");
    const other = repo.commitAndPush("other", { "hello.txt": "13\n" }, "thirteen");
    const main = repo.commitAndPush("main", { "hello.txt": "main\n" }, "main");
    const pr12 = await start(
      githubPullRequest({ secret, action: "opened", number: 12, head: "topic", sha: topic, base: "main" }),
    );
    const pr13 = await start(
      githubPullRequest({ secret, action: "opened", number: 13, head: "other", sha: other, base: "main" }),
    );
    const pushed = await start(githubPush({ secret, branch: "main", after: main }));
    const api = (await t!.api.post(`${p}/builds`, { branch: "manual" })).body.id as number;
    const ACTIVE = ["QUEUED", "RUNNING"];
    const status = async (id: number) => (await t!.api.build(id)).status as string;

    for (const filter of [
      { status: ACTIVE, trigger: "tag" },
      { status: ACTIVE, pullRequest: 0 },
      { status: ACTIVE, pullRequest: "12" },
    ]) {
      expectRefusal(await t!.api.post(`${p}/builds/batch-cancel`, { filter }), 400, "invalid_input");
    }

    const byPr = { status: ACTIVE, pullRequest: 12 };
    const preview = await t!.api.post(`${p}/builds/batch-cancel/preview`, { filter: byPr });
    expect(preview.body.total).toBe(1);
    const canceled = await t!.api.post(`${p}/builds/batch-cancel`, { filter: byPr, snapshot: preview.body.snapshot });
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(202);
    expect(await itemIds(canceled.body.id)).toEqual([pr12]);

    const byApi = await t!.api.post(`${p}/builds/batch-cancel`, { filter: { status: ACTIVE, trigger: "api" } });
    expect(await itemIds(byApi.body.id)).toEqual([api]);
    const byPulls = await t!.api.post("/v1/projects/acme/builds/batch-cancel", {
      filter: { status: ACTIVE, trigger: "pull_request" },
    });
    expect(await itemIds(byPulls.body.id)).toEqual([pr13]);
    for (const id of [pr12, pr13, api]) await t!.api.waitForStatus(id, "CANCELED");
    expect(ACTIVE).toContain(await status(pushed));
  });

  it("a bad signature, a replayed delivery, a 2 MiB body and another repository's payload change nothing", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ sleep: 0 }));
    const sha = repo.commitAndPush("main", { "hello.txt": "x\n" }, "x");
    const good = githubPush({ secret, branch: "main", after: sha });
    await hook(good);
    const first = await processed(good.headers["X-GitHub-Delivery"] as string);
    await t!.api.waitForStatus(first.effects.created[0].buildId, "SUCCEEDED");
    // The delivery's task leaves the queue just after its transaction; the agent's heartbeats
    // move its last_seen_at on their own.
    await waitFor(async () => (await t!.engine.ctx.store.queue.nextRunAt()) === null, { what: "the queue empty" });
    const snapshot = () => databaseSnapshot(t!, { except: ["agents"] });
    const before = await snapshot();

    const forged = githubPush({ secret: "not-the-secret", branch: "main", after: sha });
    const bad = await hook(forged);
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("hook_signature_invalid");
    const unsigned = await hook({ ...good, headers: { ...good.headers, "X-Hub-Signature-256": "" } });
    expect(unsigned.status).toBe(401);
    const tampered = await hook({ ...good, body: good.body.replace("main", "evil") });
    expect(tampered.status).toBe(401);

    const replay = await hook(good);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ repeated: true, delivery: { id: first.id, status: "processed" } });
    expect(replay.body.delivery.effects).toEqual(first.effects);

    const huge = JSON.stringify({ ref: "refs/heads/main", padding: "x".repeat(2 * 1024 * 1024) });
    const tooBig = await hook({
      headers: { ...githubPush({ secret, branch: "main", after: sha }).headers },
      body: huge,
    });
    expect(tooBig.status).toBe(413);

    const elsewhere = githubPush({
      secret,
      branch: "main",
      after: sha,
      fullName: "someone/else",
      cloneUrl: "https://github.com/someone/else.git",
    });
    const wrong = await hook(elsewhere);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe("hook_wrong_repository");

    const unknown = await sendHook(t!.engine.url, "acme", "nope", good);
    expect(unknown.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("Redeliver processes a delivery again as a new one (after the pipeline was fixed to follow the branch); refusals change nothing", async () => {
    const { repo, secret } = await setUp();
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["release/*"], sleep: 0 }));
    const sha = repo.commitAndPush("main", { "hello.txt": "sent again\n" }, "fix");
    const push = githubPush({ secret, branch: "main", after: sha });
    await hook(push);
    const ignored = await processed(push.headers["X-GitHub-Delivery"] as string);
    expect(ignored).toMatchObject({ status: "ignored", reason: "no pipeline follows pushes to main" });
    await t!.api.pipeline("acme", "ci", followPipeline({ sleep: 0 }));

    const base = "/v1/projects/acme/repositories/app/deliveries";
    const developer = await userWithRoles(t!, "dev", { acme: "developer" });
    const before = await databaseSnapshot(t!, { except: ["agents", "sessions", "users", "memberships"] });
    expectRefusal(await t!.api.as(developer).post(`${base}/${ignored.id}/redeliver`, {}), 403, "forbidden");
    expectRefusal(await t!.api.post(`${base}/999999/redeliver`, {}), 404, "delivery_not_found");
    expectRefusal(await t!.api.post(`${base}/nope/redeliver`, {}), 400, "invalid_id");
    expectRefusal(
      await t!.api.post(`/v1/projects/acme/repositories/other/deliveries/${ignored.id}/redeliver`, {}),
      404,
      "repository_not_found",
    );
    expect(await databaseSnapshot(t!, { except: ["agents", "sessions", "users", "memberships"] })).toEqual(before);

    const sent = await t!.api.post(`${base}/${ignored.id}/redeliver`, {});
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body).toMatchObject({
      event: "push",
      branch: "main",
      commit: sha,
      redeliveryOf: ignored.id,
      redeliveredBy: "admin",
      deliveryId: expect.stringMatching(/^redelivery-/),
    });
    const again = await processed(sent.body.deliveryId);
    expect(again.status).toBe("processed");
    expect(again.effects.created.map((c: any) => c.pipeline)).toEqual(["ci"]);
    const [build] = await builds("ci");
    expect(build).toMatchObject({ commit: sha, triggeredBy: "alice" });
    await t!.api.waitForStatus(build.id, "SUCCEEDED");
    expect((await t!.api.get(`/v1/builds/${build.id}/log`)).body).toContain("sent again");
    // The original stays as it was: the log keeps both.
    const log = await deliveries();
    expect(log.find((d) => d.id === ignored.id)).toEqual(ignored);
    expect(log.map((d) => d.id)).toEqual([again.id, ignored.id]);

    // One still being processed is not sent again.
    const pending = await t!.engine.ctx.store.repositories.insertDelivery({
      ...{ repository_id: (await t!.engine.ctx.store.repositories.findByNames({ project: "acme", name: "app" }))!.id },
      delivery_id: "held",
      provider: "github",
      event: "push",
      payload: "{}",
      status: "pending",
      received_at: Date.now(),
    });
    expectRefusal(await t!.api.post(`${base}/${pending!.id}/redeliver`, {}), 409, "delivery_pending");
  });

  it("the delivery log keeps 30 days: older processed deliveries are pruned, recent and pending ones stay", async () => {
    await setUp();
    const store = t!.engine.ctx.store.repositories;
    const repositoryId = (await store.findByNames({ project: "acme", name: "app" }))!.id;
    const now = t!.engine.ctx.now();
    const day = 24 * 3600_000;
    const row = (deliveryId: string, status: "processed" | "pending", received: number) =>
      store.insertDelivery({
        repository_id: repositoryId,
        delivery_id: deliveryId,
        provider: "github",
        event: "push",
        payload: "{}",
        status,
        received_at: received,
      });
    await row("old", "processed", now - 31 * day);
    await row("old-pending", "pending", now - 31 * day);
    await row("recent", "processed", now - 29 * day);
    expect(await pruneHookDeliveries(t!.engine.ctx)).toBe(1);
    expect((await deliveries()).map((d) => d.deliveryId).sort()).toEqual(["old-pending", "recent"]);
  });

  it("GitLab's push and merge request hooks, with their token header, do the same", async () => {
    const { repo, secret } = await setUp("gitlab");
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["main"], pullRequest: true }));
    const sha = repo.commitAndPush("main", { "hello.txt": "gitlab\n" }, "from gitlab");
    const push = gitlabPush({ secret, branch: "main", after: sha, message: "from gitlab" });
    expect((await hook(push)).status).toBe(202);
    const d = await processed(push.headers["X-Gitlab-Event-UUID"] as string);
    expect(d).toMatchObject({ provider: "gitlab", event: "push", sender: "jsmith", status: "processed" });
    const [b] = await builds("ci");
    expect(b).toMatchObject({
      triggeredBy: "jsmith",
      trigger: { commitMessage: "from gitlab", commitAuthor: "John Smith" },
    });
    expect((await t!.api.get(`/v1/builds/${b.id}`)).body.commit).toBe(sha);

    const mr = gitlabMergeRequest({ secret, action: "open", iid: 7, source: "topic", target: "main", sha });
    await hook(mr);
    expect(await processed(mr.headers["X-Gitlab-Event-UUID"] as string)).toMatchObject({
      pullRequest: 7,
      action: "opened",
    });
    const merged = gitlabMergeRequest({ secret, action: "merge", iid: 7, source: "topic", target: "main", sha });
    await hook(merged);
    const m = await processed(merged.headers["X-Gitlab-Event-UUID"] as string);
    const mrBuild = (await builds("ci")).find((x) => x.trigger?.pullRequest === 7);
    expect((await t!.api.waitForStatus(mrBuild.id, "CANCELED")).cancel.reason).toBe("pull request #7 was merged");
    expect(m.effects.canceled).toBe(1);

    const wrongToken = gitlabPush({ secret: "wrong", branch: "main", after: sha });
    expect((await hook(wrongToken)).status).toBe(401);
  });

  it("Gitea's push and pull request hooks, with their hex signature, do the same", async () => {
    const { repo, secret } = await setUp("gitea");
    await t!.api.pipeline("acme", "ci", followPipeline({ branches: ["main"], pullRequest: true }));
    const sha = repo.commitAndPush("main", { "hello.txt": "gitea\n" }, "from gitea");
    const push = giteaPush({ secret, branch: "main", after: sha, message: "from gitea\n" });
    expect((await hook(push)).status).toBe(202);
    expect(await processed(push.headers["X-Gitea-Delivery"] as string)).toMatchObject({
      provider: "gitea",
      event: "push",
      sender: "gitea-user",
      status: "processed",
    });
    const pr = giteaPullRequest({ secret, action: "opened", number: 3, head: "topic", sha, base: "main" });
    await hook(pr);
    expect(await processed(pr.headers["X-Gitea-Delivery"] as string)).toMatchObject({
      pullRequest: 3,
      status: "processed",
    });
    const forged = giteaPush({ secret: "nope", branch: "main", after: sha });
    expect((await hook(forged)).status).toBe(401);
  });
});
