/**
 * The browser's streams end as soon as the right to read them goes: sign-out, removal from the
 * project; on a quiet project or a busy one. The engine's heartbeat check is set to a minute, so
 * only the identity events can end them within the tests' time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES, sleepPipeline, waitFor } from "../../engine/test/harness.ts";
import { seedBuilds } from "../../engine/test/seed.ts";
import { SimAgent } from "../../engine/test/sim-agent.ts";
import { addUser, Browser, type Message, type Stack, startStack } from "./harness.ts";

const p = "/v1/projects/acme/pipelines/web";

type Open = { messages: Message[]; done: Promise<{ ended: boolean; messages: Message[] }> };

/** Opens a browser stream and resolves once it is open; `done` says whether the server ended it. */
async function open(browser: Browser, path: string): Promise<Open> {
  let opened!: () => void;
  const isOpen = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const messages: Message[] = [];
  const done = browser.stream(path, {
    onOpen: () => opened(),
    until: (all) => {
      messages.splice(0, messages.length, ...all);
      return false;
    },
    timeoutMs: 30_000,
  });
  await Promise.race([isOpen, done]);
  return { messages, done };
}

/** Build numbers carried by `builds` messages. */
const numbers = (messages: Message[]) =>
  messages.filter((m) => m.event === "builds").flatMap((m) => m.data.changes.map((c: any) => c.number as number));

describe.each(DATABASES)("browser streams end when the right to read them goes, on $name", (db) => {
  let stack: Stack;
  const agents: SimAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await stack?.destroy();
  });

  async function setup() {
    stack = await startStack({ db, slots: 0, heartbeatMs: 60_000 });
    await stack.engine.api.pipeline("acme", "web", sleepPipeline());
    await addUser(stack, "dev", { acme: "developer" });
    const dev = new Browser(stack.bff.url);
    await dev.signIn("dev");
    return dev;
  }

  it("signing out ends the session's streams on a busy project; no build triggered afterwards reaches them", async () => {
    const dev = await setup();
    const project = await open(dev, "/api/stream?topics=project:acme");
    const pipeline = await open(dev, "/api/stream?topics=pipeline:acme/web,operations:acme");
    let running = true;
    const triggering = (async () => {
      while (running) await stack.engine.api.trigger(p);
    })();
    try {
      await waitFor(() => numbers(project.messages).length > 3, { what: "a busy stream" });
      const otherTab = new Browser(stack.bff.url);
      otherTab.cookie = dev.cookie;
      otherTab.csrf = dev.csrf;
      expect((await otherTab.request("DELETE", "/api/session")).status).toBe(204);
      const last = (await stack.engine.api.trigger(p)).number as number;
      for (const stream of [project, pipeline]) {
        const { ended, messages } = await stream.done;
        expect(ended).toBe(true);
        expect(numbers(messages).filter((n) => n >= last)).toEqual([]);
      }
    } finally {
      running = false;
      await triggering;
    }
  });

  it("removal from the project ends its stream (builds, operations), also one that follows only a log, on a quiet project", async () => {
    const dev = await setup();
    agents.push(await new SimAgent(stack.engine.engine.channel, "quiet", { slots: 0, stopMode: "ignore" }).start());
    const [a, b] = await seedBuilds(stack.engine, p, 2, { status: () => "RUNNING", agents: ["quiet"] });
    const canceled = await dev.request("POST", "/api/projects/acme/pipelines/web/cancellations", { buildIds: [a] });
    expect(canceled.status).toBe(202);
    const topics = ["project:acme", "operations:acme", `operation:${canceled.body.operation.id}`];
    const streams = [
      await open(dev, `/api/stream?topics=${topics.join(",")}`),
      await open(dev, `/api/stream?topics=log:${b}`),
    ];
    expect((await stack.engine.api.request("DELETE", "/v1/projects/acme/members/dev")).status).toBe(204);
    const last = (await stack.engine.api.trigger(p)).number as number;
    for (const stream of streams) {
      const { ended, messages } = await stream.done;
      expect(ended).toBe(true);
      expect(numbers(messages).filter((n) => n >= last)).toEqual([]);
    }
  });
});
