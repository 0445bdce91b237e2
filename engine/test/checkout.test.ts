/**
 * The checkout before a build's first step, with real git: over HTTP with a token (git
 * http-backend behind basic auth on 127.0.0.1), the token kept out of every process's arguments,
 * the steps' environment, the log and the API; a cancel during a fetch that never finishes; a
 * checkout that fails; and an agent without git.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listPids } from "../../agent/containment/proc.ts";
import { GitFixture, githubPush, sendHook } from "./git-fixture.ts";
import { GitHttpServer } from "./git-http-server.ts";
import { DATABASES, processesWithArg, startRemoteAgent, startTestEngine, type TestEngine, waitFor } from "./harness.ts";

const TOKEN = "glpat-sluice-checkout-token-5e1d0c";
const USERNAME = "ci-bot";

const PIPELINE = {
  repository: "app",
  on: { push: { branches: ["main"] } },
  cancelGraceSeconds: 1,
  stages: [
    { name: "build", jobs: [{ name: "read", steps: [{ run: "cat hello.txt; echo step-running; sleep 300" }] }] },
  ],
};

/** Every live process whose command line or (for `pids`) environment holds `text`. */
async function processesHolding(text: string, environOf: readonly number[]): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await listPids()) {
    const cmdline = await fs.promises.readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0));
    if (cmdline.includes(text)) found.push(`${pid} cmdline`);
  }
  for (const pid of environOf) {
    const environ = await fs.promises.readFile(`/proc/${pid}/environ`).catch(() => Buffer.alloc(0));
    if (environ.includes(text)) found.push(`${pid} environ`);
  }
  return found;
}

/** Files under `dir` whose content holds `text`. */
function filesHolding(dir: string, text: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && fs.readFileSync(p).includes(text)) found.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

describe.each(DATABASES)("checkout on $name", (db) => {
  let t: TestEngine | undefined;
  const servers: GitHttpServer[] = [];
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
    for (const s of servers.splice(0)) await s.stop();
  });

  async function setUp(opts: { url: (root: string) => Promise<string> | string; token?: string }) {
    t = await startTestEngine({ db, slots: 2 });
    const root = path.join(path.dirname(t.dataDir), "git");
    const repo = new GitFixture(root);
    await t.api.put("/v1/projects/acme", {});
    const put = await t.api.put("/v1/projects/acme/repositories/app", {
      url: await opts.url(root),
      provider: "github",
      fullName: "acme/app",
      credentials: { token: opts.token ?? TOKEN, username: USERNAME },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    await t.api.pipeline("acme", "ci", PIPELINE);
    return { repo, secret: put.body.hookSecret as string, root };
  }

  async function push(repo: GitFixture, secret: string, sha?: string): Promise<any> {
    const after = sha ?? repo.commitAndPush("main", { "hello.txt": "hello over http\n" }, "over http");
    const h = githubPush({ secret, branch: "main", after });
    expect((await sendHook(t!.engine.url, "acme", "app", h)).status).toBe(202);
    return waitFor(async () => (await t!.api.get("/v1/projects/acme/pipelines/ci/builds")).body.items[0], {
      what: "the pushed build",
    });
  }

  const logOf = async (id: number) => (await t!.api.get(`/v1/builds/${id}/log`)).body as string;

  it("fetches over HTTPS with the token, which is in no process's arguments, no step's environment, no log, file or answer", async () => {
    let server: GitHttpServer | undefined;
    const { repo, secret, root } = await setUp({
      url: async (r) => {
        server = await new GitHttpServer({ root: r, username: USERNAME, token: TOKEN }).start();
        servers.push(server);
        return `${server.url}/app.git`;
      },
    });
    const build = await push(repo, secret);
    await waitFor(async () => (await logOf(build.id)).includes("hello over http"), {
      what: "the step reading the file",
    });
    expect(server?.authorized).toBeGreaterThan(0);
    const log = await logOf(build.id);
    expect(log, log).toContain("hello over http");

    const stepProcesses = await t!.processesOf(build.id);
    expect(stepProcesses.length).toBeGreaterThan(0);
    expect(await processesHolding(TOKEN, stepProcesses)).toEqual([]);
    expect(log).not.toContain(TOKEN);
    expect(filesHolding(t!.workDir, TOKEN)).toEqual([]);
    expect(filesHolding(root, TOKEN)).toEqual([]);
    const answers = JSON.stringify([
      await t!.api.get(`/v1/builds/${build.id}`),
      await t!.api.get("/v1/projects/acme/repositories/app"),
      await t!.api.get("/v1/projects/acme/repositories/app/deliveries"),
      await t!.api.get("/v1/projects/acme/pipelines/ci/builds"),
    ]);
    expect(answers).not.toContain(TOKEN);
  });

  it("while git fetches with the token, no process's arguments or environment hold it", async () => {
    let url = "";
    let server: GitHttpServer | undefined;
    const { repo, secret } = await setUp({
      url: async (r) => {
        server = await new GitHttpServer({ root: r, username: USERNAME, token: TOKEN, trickle: "authorized" }).start();
        servers.push(server);
        url = `${server.url}/app.git`;
        return url;
      },
    });
    const build = await push(repo, secret);
    // The server has the token (git sent it) and holds git mid-fetch.
    await waitFor(() => (server?.authorized ?? 0) > 0, { what: "git to authenticate" });
    const git = await processesWithArg(url);
    expect(git.length).toBeGreaterThan(0);
    expect(await processesHolding(TOKEN, git)).toEqual([]);
    await t!.api.post(`/v1/builds/${build.id}/cancel`, {});
    await t!.api.waitForStatus(build.id, "CANCELED");
  });

  it("a wrong token fails the checkout: FAILED, reason checkout_failed, git's message in the log", async () => {
    const { repo, secret } = await setUp({
      token: "not-the-token",
      url: async (r) => {
        const server = await new GitHttpServer({ root: r, username: USERNAME, token: TOKEN }).start();
        servers.push(server);
        return `${server.url}/app.git`;
      },
    });
    const build = await push(repo, secret);
    const failed = await t!.api.waitForStatus(build.id, "FAILED");
    expect(failed.statusReason).toBe("checkout_failed");
    expect(failed.jobs[0].steps[0].status).toBe("SKIPPED");
    const log = await logOf(build.id);
    expect(log).toMatch(/fatal: Authentication failed/);
    expect(log).not.toContain("not-the-token");
  });

  it("a commit the repository does not have fails the checkout with git's message", async () => {
    const { repo, secret } = await setUp({ url: (r) => path.join(r, "app.git") });
    repo.commitAndPush("main", { "hello.txt": "x\n" }, "x");
    const build = await push(repo, secret, "0123456789abcdef0123456789abcdef01234567");
    const failed = await t!.api.waitForStatus(build.id, "FAILED");
    expect(failed.statusReason).toBe("checkout_failed");
    expect(await logOf(build.id)).toMatch(/fatal: .*(not our ref|couldn't find remote ref|upload-pack)/);
  });

  it("a cancel during a fetch from a server that trickles leaves no git process behind", async () => {
    let url = "";
    const { repo, secret } = await setUp({
      url: async (r) => {
        const server = await new GitHttpServer({ root: r, username: USERNAME, token: TOKEN, trickle: true }).start();
        servers.push(server);
        url = `${server.url}/app.git`;
        return url;
      },
    });
    const build = await push(repo, secret);
    // git is fetching (its arguments name this test's server), and cannot finish.
    await waitFor(async () => (await processesWithArg(url)).length > 0, { what: "git fetching" });
    expect((await t!.api.build(build.id)).status).toBe("RUNNING");
    const cancel = await t!.api.post(`/v1/builds/${build.id}/cancel`, { reason: "slow fetch" });
    expect(cancel.status).toBe(202);
    await t!.api.waitForStatus(build.id, "CANCELED");
    expect(await processesWithArg(url)).toEqual([]);
    expect(await processesWithArg(url, { suffix: true })).toEqual([]);
  });

  it("an agent without git says so at start and takes no checkout job; one with git does", async () => {
    const bin = fs.mkdtempSync("/tmp/sluice-nogit-");
    fs.chmodSync(bin, 0o755);
    for (const tool of ["bash", "sh", "unshare", "setpriv", "mount", "cat", "sleep", "true", "echo"]) {
      const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
      if (found) fs.symlinkSync(found, path.join(bin, tool));
    }
    const said: string[] = [];
    try {
      t = await startTestEngine({ db, slots: 2, agent: { baseEnv: { PATH: bin }, log: (msg) => said.push(msg) } });
      expect(said.some((m) => m.startsWith("git not found"))).toBe(true);
      const root = path.join(path.dirname(t.dataDir), "git");
      const repo = new GitFixture(root);
      await t.api.put("/v1/projects/acme", {});
      const secret = (
        await t.api.put("/v1/projects/acme/repositories/app", {
          url: repo.bare,
          provider: "github",
          fullName: "acme/app",
        })
      ).body.hookSecret;
      await t.api.pipeline("acme", "ci", {
        ...PIPELINE,
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "cat hello.txt" }] }] }],
      });
      const plain = await t.api.pipeline("acme", "plain", {
        stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "echo no checkout" }] }] }],
      });
      const checkoutBuild = await push(repo, secret);
      const plainBuild = await t.api.trigger(plain);
      await t.api.waitForStatus(plainBuild.id, "SUCCEEDED");
      expect((await t.api.build(checkoutBuild.id)).status).toBe("QUEUED");

      const withGit = await startRemoteAgent(t, { name: "with-git", slots: 1 });
      try {
        await t.api.waitForStatus(checkoutBuild.id, "SUCCEEDED");
        expect((await t.api.build(checkoutBuild.id)).jobs[0].agentId).toBe("with-git");
      } finally {
        await withGit.stop(500);
      }
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
