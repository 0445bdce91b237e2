/**
 * Build states back on the commit, checked against a local receiver that validates each provider's
 * documented route, body and authentication: the states of a build in order, a superseded build
 * reported as canceled (never left pending), one request in flight per commit and context so a
 * late "running" never lands after "canceled", and retries after a failed request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookSettings } from "../context.ts";
import { GitFixture, githubPush, type HookRequest, sendHook, sign, ZERO } from "./git-fixture.ts";
import { DATABASES, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const TOKEN = "ghp_status-token-1b2c3d";
const PUBLIC_URL = "http://console.example.test";
const FAST: Partial<WebhookSettings> = { allowPrivate: true, retryBaseMs: 20, retryMaxDelayMs: 200 };

type Received = { path: string; auth: string | undefined; body: any; at: number; inFlightForKey: number };

/** What each provider's API is documented to take. */
const PROVIDERS = {
  github: {
    base: "/api/v3",
    route: /^\/api\/v3\/repos\/acme\/app\/statuses\/([0-9a-f]{40})$/,
    auth: (req: http.IncomingMessage) => req.headers.authorization === `Bearer ${TOKEN}`,
    states: ["pending", "success", "failure", "error"],
    contextField: "context",
  },
  gitlab: {
    base: "/api/v4",
    route: /^\/api\/v4\/projects\/acme%2Fapp\/statuses\/([0-9a-f]{40})$/,
    auth: (req: http.IncomingMessage) => req.headers["private-token"] === TOKEN,
    states: ["pending", "running", "success", "failed", "canceled"],
    contextField: "name",
  },
  gitea: {
    base: "/api/v1",
    route: /^\/api\/v1\/repos\/acme\/app\/statuses\/([0-9a-f]{40})$/,
    auth: (req: http.IncomingMessage) => req.headers.authorization === `token ${TOKEN}`,
    states: ["pending", "success", "error", "failure", "warning"],
    contextField: "context",
  },
} as const;

type Provider = keyof typeof PROVIDERS;

class StatusReceiver {
  readonly received: Received[] = [];
  readonly refused: string[] = [];
  private server: http.Server | undefined;
  private readonly inFlight = new Map<string, number>();
  url = "";
  /** Holds a request until the returned promise resolves (to answer late), or answers `status`. */
  hold: ((r: Received) => Promise<void> | undefined) | undefined;
  failFirst = 0;

  constructor(private readonly provider: Provider) {}

  async start(): Promise<this> {
    const spec = PROVIDERS[this.provider];
    this.server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const match = spec.route.exec(req.url ?? "");
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        body = undefined;
      }
      const problem =
        req.method !== "POST"
          ? "method"
          : !match
            ? `route ${req.url}`
            : !spec.auth(req)
              ? "auth"
              : !body || !(spec.states as readonly string[]).includes(body.state)
                ? `state ${body?.state}`
                : typeof body.description !== "string" || typeof body[spec.contextField] !== "string"
                  ? "body"
                  : undefined;
      if (problem) {
        this.refused.push(problem);
        res.writeHead(422).end();
        return;
      }
      const key = `${match?.[1]}|${body[spec.contextField]}`;
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
      const r: Received = {
        path: req.url ?? "",
        auth: req.headers.authorization ?? (req.headers["private-token"] as string | undefined),
        body,
        at: Date.now(),
        inFlightForKey: this.inFlight.get(key) ?? 0,
      };
      this.received.push(r);
      await this.hold?.(r);
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      if (this.failFirst > 0) {
        this.failFirst--;
        res.writeHead(500).end("try again");
        return;
      }
      res.writeHead(201, { "Content-Type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${spec.base}`;
    return this;
  }

  forCommit(sha: string): Received[] {
    return this.received.filter((r) => r.path.includes(sha));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const PIPELINE = (run: string) => ({
  repository: "app",
  on: { push: { branches: ["main"] } },
  cancelGraceSeconds: 1,
  stages: [{ name: "build", jobs: [{ name: "j", steps: [{ run }] }] }],
});

describe.each(DATABASES)("commit statuses on $name", (db) => {
  let t: TestEngine | undefined;
  let receiver: StatusReceiver | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
    await receiver?.stop();
    receiver = undefined;
  });

  async function setUp(provider: Provider, run: string) {
    receiver = await new StatusReceiver(provider).start();
    t = await startTestEngine({ db, slots: 2, settings: { webhooks: FAST, publicUrl: PUBLIC_URL } });
    const repo = new GitFixture(path.join(path.dirname(t.dataDir), "git"));
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: repo.bare,
      provider,
      fullName: "acme/app",
      apiUrl: receiver.url,
      credentials: { token: TOKEN },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    await t.api.pipeline("acme", "ci", PIPELINE(run));
    return { repo, secret: put.body.hookSecret as string };
  }

  /** A generic-format push (the headers differ per provider; what a push does does not). */
  function pushHook(provider: Provider, secret: string, after: string, before = ZERO): HookRequest {
    if (provider === "github") return githubPush({ secret, branch: "main", after, before });
    const body = JSON.stringify({
      ref: "refs/heads/main",
      before,
      after,
      ...(provider === "gitlab"
        ? {
            user_username: "alice",
            project: { path_with_namespace: "acme/app" },
            commits: [{ id: after, message: "m" }],
          }
        : {
            pusher: { login: "alice" },
            repository: { full_name: "acme/app" },
            commits: [{ id: after, message: "m" }],
          }),
    });
    return provider === "gitlab"
      ? { body, headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": secret, "X-Gitlab-Event-UUID": after } }
      : {
          body,
          headers: { "X-Gitea-Event": "push", "X-Gitea-Delivery": after, "X-Gitea-Signature": sign(secret, body) },
        };
  }

  it.each(["github", "gitlab", "gitea"] as const)(
    "%s: a build's states arrive on its commit in order, with the context, the link and the documented auth",
    async (provider) => {
      const { repo, secret } = await setUp(provider, "echo done");
      const sha = repo.commitAndPush("main", { "hello.txt": "x\n" }, "x");
      expect((await sendHook(t!.engine.url, "acme", "app", pushHook(provider, secret, sha))).status).toBe(202);
      await waitFor(() => receiver!.forCommit(sha).some((r) => r.body.state === "success"), {
        what: "success reported",
      });
      const [build] = (await t!.api.get("/v1/projects/acme/pipelines/ci/builds")).body.items;
      const states = receiver!.forCommit(sha).map((r) => r.body.state);
      expect(states[states.length - 1]).toBe("success");
      expect(states.slice(0, -1).every((s) => s === "pending" || s === "running")).toBe(true);
      for (const r of receiver!.forCommit(sha)) {
        expect(r.body.target_url).toBe(`${PUBLIC_URL}/builds/${build.id}`);
        expect(r.body[PROVIDERS[provider].contextField]).toBe("sluice/ci");
      }
      expect(receiver!.refused).toEqual([]);
    },
  );

  it.each([
    ["github", "error", "Canceled by alice: superseded by #2"],
    ["gitlab", "canceled", "Canceled by alice: superseded by #2"],
    ["gitea", "error", "Canceled by alice: superseded by #2"],
  ] as const)(
    "%s: a superseded build is reported %s, and a late running never lands after it",
    async (provider, state, description) => {
      const { repo, secret } = await setUp(provider, "sleep 300");
      const first = repo.commitAndPush("main", { "hello.txt": "1\n" }, "1");
      // The first request about the first commit is held until its build is canceled: a request
      // still under way then must be answered before the canceled state goes out.
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held = false;
      receiver!.hold = (r) => {
        if (held || !r.path.includes(first)) return undefined;
        held = true;
        return released;
      };
      await sendHook(t!.engine.url, "acme", "app", pushHook(provider, secret, first));
      await waitFor(() => held, { what: "the first status held" });
      const [b1] = (await t!.api.get("/v1/projects/acme/pipelines/ci/builds")).body.items;
      await t!.api.waitForStatus(b1.id, "RUNNING");

      const second = repo.commitAndPush("main", { "hello.txt": "2\n" }, "2");
      await sendHook(t!.engine.url, "acme", "app", pushHook(provider, secret, second, first));
      await t!.api.waitForStatus(b1.id, "CANCELED");
      // The canceled state is owed now, but not sent while the first request is under way.
      await waitFor(
        async () =>
          (await t!.engine.ctx.store.commitStatuses.forCommit({ repositoryId: 1, commit: first }))[0]?.state === state,
        {
          what: "canceled owed",
        },
      );
      expect(receiver!.forCommit(first)).toHaveLength(1);
      release();
      await waitFor(() => receiver!.forCommit(first).at(-1)?.body.state === state, { what: "canceled reported last" });
      const got = receiver!.forCommit(first);
      expect(got.at(-1)?.body.description).toBe(description);
      expect(Math.max(...got.map((r) => r.inFlightForKey))).toBe(1);
      const row = await waitFor(
        async () =>
          (await t!.engine.ctx.store.commitStatuses.forCommit({ repositoryId: 1, commit: first })).find(
            (r) => r.status === "delivered",
          ),
        { what: "the row delivered" },
      );
      expect(row).toMatchObject({ state, sent_state: state });
    },
  );

  it("a request the provider fails is retried until it is accepted", async () => {
    const { repo, secret } = await setUp("github", "echo done");
    receiver!.failFirst = 2;
    const sha = repo.commitAndPush("main", { "hello.txt": "x\n" }, "x");
    await sendHook(t!.engine.url, "acme", "app", pushHook("github", secret, sha));
    await waitFor(
      async () => {
        const [row] = await t!.engine.ctx.store.commitStatuses.forCommit({ repositoryId: 1, commit: sha });
        return row?.status === "delivered" && row.sent_state === "success";
      },
      { what: "delivered after retries" },
    );
    expect(receiver!.forCommit(sha).length).toBeGreaterThanOrEqual(3);
    expect(receiver!.forCommit(sha).at(-1)?.body.state).toBe("success");
  });
});
