/**
 * The page's one event stream (`GET /api/stream?topics=…`): several topics on one connection,
 * each checked as the user, resumed per topic with Last-Event-ID, limited per user.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { expectRefusal } from "../../engine/test/security-helpers.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { addUser, Browser, type Message, type Stack, startStack } from "./harness.ts";

/** A proxy in front of the engine that holds its event streams until released; everything else passes. */
class HeldStreams {
  private server: http.Server | undefined;
  private opened = () => {};
  readonly waiting = new Promise<void>((resolve) => (this.opened = resolve));
  private released = () => {};
  private readonly gate = new Promise<void>((resolve) => (this.released = resolve));

  private target: URL | undefined;

  /** Listens on a free port; requests go on to the engine named by `forwardTo`. */
  async listen(): Promise<string> {
    this.server = http.createServer(async (req, res) => {
      const target = this.target as URL;
      if (req.url?.startsWith("/v1/events")) {
        this.opened();
        await this.gate;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  forwardTo(engineUrl: string): void {
    this.target = new URL(engineUrl);
  }

  release(): void {
    this.released();
  }

  async stop(): Promise<void> {
    this.released();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const stream = (...topics: string[]) => `/api/stream?topics=${encodeURIComponent(topics.join(","))}`;
const WEB = "pipeline:acme/web";
const API = "pipeline:acme/api";

/** Build numbers of `pipeline` carried by `builds` messages. */
const numbers = (messages: Message[], pipeline = "web") =>
  messages
    .filter((m) => m.event === "builds" && m.data.pipeline === pipeline)
    .flatMap((m) => m.data.changes.map((c: any) => c.number as number));

describe.each(DATABASES)("the page's one stream on $name", (db) => {
  let stack: Stack;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await stack?.destroy();
  });

  async function setup(opts: { maxStreamsPerUser?: number } = {}) {
    stack = await startStack({ db, slots: 0, ...opts });
    const web = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    const api = await stack.engine.api.pipeline("acme", "api", sleepPipeline());
    const rival = await stack.engine.api.pipeline("rival", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    await addUser(stack, "outsider", { rival: "developer" });
    const signedIn = async (username: string) => {
      const browser = new Browser(stack.bff.url);
      expect((await browser.signIn(username)).status).toBe(200);
      return browser;
    };
    return { web, api, rival, signedIn };
  }

  it("carries a pipeline's builds, an operation to its completion and the operations centre on one connection, each message naming its topics", async () => {
    const { web, api, signedIn } = await setup();
    const dev = await signedIn("dev");
    const [a, b] = await seedBuilds(stack.engine, web, 2, { status: () => "QUEUED" });
    const operation = (await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: [a] }))
      .body.operation;
    const topics = [WEB, `operation:${operation.id}`, "operations:acme", "project:acme"];
    let other: number | undefined;
    const { messages } = await dev.stream(stream(...topics), {
      onOpen: async () => {
        other = (await stack.engine.api.trigger(api)).number;
        await dev.request("POST", `/api/builds/${b}/cancel`, {});
      },
      until: (all) =>
        numbers(all, "api").length > 0 &&
        numbers(all).length > 0 &&
        all.some((m) => m.event === "operation" && m.data.operation.id !== operation.id),
    });

    // The operation accepted before the stream opened is replayed for its topic, up to its completion.
    const mine = messages.filter((m) => m.event === "operation" && m.data.operation.id === operation.id);
    expect(mine.at(-1)?.data.operation.status).toBe("completed");
    expect(mine.every((m) => m.data.topics.includes(`operation:${operation.id}`))).toBe(true);
    // The builds of `api` reach the project's topic only, those of `web` the pipeline's too.
    const apiBuilds = messages.find((m) => m.event === "builds" && m.data.pipeline === "api");
    expect(apiBuilds?.data).toMatchObject({ topics: ["project:acme"], project: "acme" });
    expect(apiBuilds?.data.changes.map((c: any) => c.number)).toEqual([other]);
    const webBuilds = messages.find((m) => m.event === "builds" && m.data.pipeline === "web");
    expect(webBuilds?.data.topics.sort()).toEqual([WEB, "project:acme"]);
    // The single cancel started after the stream opened reaches the pipeline and the centre.
    const single = messages.find((m) => m.event === "operation" && m.data.operation.id !== operation.id);
    expect(single?.data.topics.sort()).toEqual(["operations:acme", WEB]);
    // Every message's id is where each topic resumes.
    expect(messages.at(-1)?.id).toMatch(/^(?:[a-z]+:[^=,]+=\d+)(?:,[a-z]+:[^=,]+=\d+)*$/);
  });

  it("an operation's stuck builds reach the page: the count arrives once its agent misses the stop past the grace period, and goes to 0 when forced", async () => {
    const { signedIn } = await setup();
    const slow = await stack.engine.api.pipeline("acme", "slow", sleepPipeline({ grace: 1 }));
    const frozen = await new SimAgent(stack.engine.engine.channel, "frozen", { slots: 1, stopMode: "ignore" }).start();
    agents.push(frozen);
    const build = await stack.engine.api.trigger(slow);
    await stack.engine.api.waitForStatus(build.id, "RUNNING");
    const dev = await signedIn("dev");
    const operation = (
      await dev.request("POST", "/api/projects/acme/pipelines/slow/cancellations", { buildIds: [build.id] })
    ).body.operation;
    const ofIt = (all: Message[]) =>
      all.filter((m) => m.event === "operation" && m.data.operation.id === operation.id).map((m) => m.data.operation);

    const { messages } = await dev.stream(stream(`operation:${operation.id}`), {
      until: (all) => ofIt(all).some((o) => o.stuck === 1),
    });
    expect(ofIt(messages).at(-1)).toMatchObject({ status: "running", stuck: 1 });
    expect((await dev.request("GET", `/api/operations/${operation.id}`)).body.operation.stuck).toBe(1);

    const forced = await dev.request("POST", "/api/projects/acme/pipelines/slow/cancellations", {
      buildIds: [build.id],
      force: true,
    });
    expect(forced.status).toBe(202);
    const after = await dev.stream(stream(`operation:${operation.id}`), {
      until: (all) => ofIt(all).some((o) => o.status === "completed"),
    });
    expect(ofIt(after.messages).at(-1)).toMatchObject({ status: "completed", stuck: 0 });
  });

  it("a topic the user may not read is refused while the others go on; with none left the stream ends", async () => {
    const { web, rival, signedIn } = await setup();
    const outsider = await signedIn("outsider");
    const [mine] = await seedBuilds(stack.engine, web, 1, { status: () => "QUEUED" });
    const admin = stack.engine.api;
    const theirs = (await admin.post(`/v1/builds/${mine}/cancel`, {})).body;
    const { messages } = await outsider.stream(
      stream(WEB, "project:acme", "operations:acme", `operation:${theirs.id}`, "pipeline:rival/web"),
      {
        onOpen: async () => {
          await admin.trigger(web);
          await admin.trigger(rival);
        },
        until: (all) => all.some((m) => m.event === "builds"),
      },
    );
    const refused = messages.filter((m) => m.event === "refused");
    // As the engine answers: a project one may not read looks like one that does not exist.
    expect(refused.map((m) => [m.data.topics[0], m.data.error.code]).sort()).toEqual([
      [`operation:${theirs.id}`, "project_not_found"],
      ["operations:acme", "project_not_found"],
      ["pipeline:acme/web", "project_not_found"],
      ["project:acme", "project_not_found"],
    ]);
    expect(refused.every((m) => m.id === undefined)).toBe(true);
    expect(messages.filter((m) => m.event !== "refused").every((m) => m.data.project === "rival")).toBe(true);
    expect(numbers(messages)).toEqual([1]);

    const nothing = await outsider.stream(stream(WEB));
    expect(nothing.status).toBe(200);
    expect(nothing.ended).toBe(true);
    expect(nothing.messages.map((m) => m.event)).toEqual(["refused"]);
  });

  it("a reconnect with Last-Event-ID resumes each topic exactly; a topic added then starts from now", async () => {
    const { web, api, signedIn } = await setup();
    const dev = await signedIn("dev");
    const admin = stack.engine.api;
    const first = await dev.stream(stream(WEB), {
      onOpen: async () => void (await admin.trigger(web)),
      until: (all) => numbers(all).length > 0,
    });
    expect(numbers(first.messages)).toEqual([1]);
    // While the browser is away: a build on the pipeline it follows, and one on a pipeline it does not yet.
    await admin.trigger(web);
    await admin.trigger(api);
    const lastEventId = first.messages.at(-1)?.id;
    const resumed = await dev.stream(stream(WEB, API), {
      lastEventId,
      onOpen: async () => void (await admin.trigger(api)),
      until: (all) => numbers(all, "api").length > 0,
    });
    expect(numbers(resumed.messages)).toEqual([2]);
    expect(numbers(resumed.messages, "api")).toEqual([2]);

    // An operation's progress, cut after the first message, resumes without a gap or a repeat.
    const sims = await Promise.all(
      ["s1", "s2"].map((n) => new SimAgent(stack.engine.engine.channel, n, { slots: 0 }).start()),
    );
    agents.push(...sims);
    const ids = await seedBuilds(stack.engine, web, 300, { status: () => "RUNNING", agents: ["s1", "s2"] });
    const op = (await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: ids })).body
      .operation.id;
    const topic = `operation:${op}`;
    const completed = (all: Message[]) => all.some((m) => m.data.operation?.status === "completed");
    const whole = await dev.stream(stream(topic), { until: completed });
    const cut = await dev.stream(stream(topic), { until: (all) => all.length >= 1 });
    const rest = await dev.stream(stream(topic), { lastEventId: cut.messages[0]?.id, until: completed });
    expect(whole.messages.length).toBeGreaterThan(1);
    expect([cut.messages[0], ...rest.messages].map((m) => m?.id)).toEqual(whole.messages.map((m) => m.id));
    expect(whole.messages.at(-1)?.data.operation.counts.canceled).toBe(300);
  });

  it("a build's log comes from its start, live, on the same stream, ends once the build has said everything, and resumes after its last chunk", async () => {
    stack = await startStack({ db, slots: 1 });
    const talk = {
      stages: [{ name: "s", jobs: [{ name: "j", steps: [{ run: "echo one; echo two; sleep 1; echo three" }] }] }],
    };
    const p = await stack.engine.api.pipeline("acme", "talk", talk);
    await addUser(stack, "dev", { acme: "developer" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    const build = await stack.engine.api.trigger(p);
    const topic = `log:${build.id}`;
    const ended = (all: Message[]) => all.some((m) => m.event === "log" && m.data.ended);
    const text = (messages: Message[]) =>
      messages.flatMap((m) => (m.event === "log" ? m.data.chunks.map((c: any) => c.text) : [])).join("");
    const chunkIds = (messages: Message[]) =>
      messages.flatMap((m) => (m.event === "log" ? m.data.chunks.map((c: any) => c.id as number) : []));

    const whole = await dev.stream(stream(topic, "pipeline:acme/talk"), { until: ended });
    expect(text(whole.messages)).toMatch(/one\n(.|\n)*two\n(.|\n)*three\n/);
    expect(whole.messages.filter((m) => m.event === "log").every((m) => m.data.topics[0] === topic)).toBe(true);
    const cut = await dev.stream(stream(topic), { until: (all) => all.some((m) => m.event === "log") });
    const first = cut.messages.find((m) => m.event === "log");
    const rest = await dev.stream(stream(topic), { lastEventId: first?.id, until: ended });
    expect([...chunkIds([first!]), ...chunkIds(rest.messages)]).toEqual(chunkIds(whole.messages));
  });

  it("a build's log goes on after a forced cancel ended the build: the agent's stop lines that come later are on the stream before it ends", async () => {
    stack = await startStack({ db, slots: 0 });
    const p = await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const sim = await new SimAgent(stack.engine.engine.channel, "sim", { slots: 1, stopMode: "ignore" }).start();
    agents.push(sim);
    const build = await stack.engine.api.trigger(p);
    await waitFor(() => sim.leases.size === 1);
    const [leaseId] = [...sim.leases.keys()] as [string];
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    expect((await dev.request("POST", `/api/builds/${build.id}/cancel`, {})).status).toBe(202);
    expect((await dev.request("POST", `/api/builds/${build.id}/cancel`, { force: true })).status).toBe(202);
    await waitFor(async () => (await stack.engine.api.build(build.id)).status === "CANCELED");

    // The agent's report of the kill reaches the engine after the BFF has read the log once.
    const logs = stack.engine.engine.ctx.store.logs;
    const read = logs.read.bind(logs);
    let reads = 0;
    logs.read = (opts) => {
      reads++;
      return read(opts);
    };
    const ended = (all: Message[]) => all.some((m) => m.event === "log" && m.data.ended);
    const { messages } = await dev.stream(stream(`log:${build.id}`), {
      until: ended,
      onOpen: async () => {
        await waitFor(() => reads > 0);
        await stack.engine.engine.channel.appendLog("sim", [
          { leaseId, stream: "system", text: "[sluice] stopped: SIGKILL\n" },
        ]);
      },
    });
    const text = messages.flatMap((m) => (m.event === "log" ? m.data.chunks.map((c: any) => c.text) : [])).join("");
    expect(text).toContain("[sluice] stopped: SIGKILL");
    expect(ended(messages)).toBe(true);
  });

  it("a browser that leaves while its stream is being opened is no error: nothing is logged", async () => {
    // The engine's event streams wait at a proxy until the browser has left.
    const held = new HeldStreams();
    const proxy = await held.listen();
    stack = await startStack({
      db,
      slots: 0,
      maxStreamsPerUser: 1,
      engineUrlFor: (url) => {
        held.forwardTo(url);
        return proxy;
      },
    });
    await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const dev = new Browser(stack.bff.url);
    expect((await dev.signIn("dev")).status).toBe(200);
    try {
      const leave = new AbortController();
      const streamed = dev.stream(stream(WEB), { signal: leave.signal });
      await held.waiting;
      leave.abort();
      await streamed;
      held.release();
      // One stream a user: the next opens once the BFF has let the first go (and logged whatever it would).
      const opens = async () => {
        const abort = new AbortController();
        const res = await fetch(stack.bff.url + stream(WEB), {
          headers: { Cookie: dev.cookie ?? "" },
          signal: abort.signal,
        });
        abort.abort();
        return res.status === 200 || undefined;
      };
      await waitFor(opens, { what: "a stream in the place the first one left" });
      expect(stack.logged.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    } finally {
      await held.stop();
    }
  });

  it("refuses what is not a stream: no topic, a bad one, too many, an id it did not write", async () => {
    const { signedIn } = await setup();
    const dev = await signedIn("dev");
    expectRefusal(await dev.request("GET", "/api/stream"), 400, "invalid_input");
    expectRefusal(await dev.request("GET", stream("pipeline:acme")), 400, "invalid_input");
    const many = Array.from({ length: 51 }, (_, i) => `operation:op-${i}`);
    expectRefusal(await dev.request("GET", stream(...many)), 400, "invalid_input");
    for (const id of ["12", "pipeline:acme/web=x", "nothing=3"]) {
      expectRefusal(await dev.request("GET", stream(WEB), undefined, { "Last-Event-ID": id }), 400, "invalid_event_id");
    }
    expect((await new Browser(stack.bff.url).request("GET", stream(WEB))).status).toBe(401);
  });

  it("one stream is one place among the user's SLUICE_MAX_STREAMS_PER_USER, whatever its topics", async () => {
    const { signedIn } = await setup({ maxStreamsPerUser: 2 });
    const dev = await signedIn("dev");
    const stop = new AbortController();
    let open = 0;
    const opened = [stream(WEB, API, "operations:acme"), stream("project:acme")].map((path) =>
      dev.stream(path, { onOpen: () => void open++, signal: stop.signal, timeoutMs: 60_000 }),
    );
    await waitFor(() => open === 2, { what: "two open streams" });
    const refused = await dev.request("GET", stream(WEB));
    expectRefusal(refused, 429, "too_many_streams");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    stop.abort();
    await Promise.all(opened);
  });
});
